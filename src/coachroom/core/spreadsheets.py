"""Safe cells for CSV and XLSX downloads.

Spreadsheets run a cell that starts with = + - @ (or a tab or carriage return) as a formula, so
a name like "=HYPERLINK(…)" would become a live link. Every download passes its cells through
`safe_cell`, which makes such text plain by putting an apostrophe in front.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
