"""The staff CSV's induction columns: an ECT's induction start, FTE, appropriate body and
induction tutor, read and checked line by line. Planning and applying them is in `staff_csv`,
beside the rows and pairs they depend on (the ECT's mentor is their `coach_email`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from coachroom.imports.common import Problems

COLUMNS = ("induction_start", "fte", "appropriate_body", "induction_tutor_email")
DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d")


@dataclass(frozen=True)
class InductionColumns:
    starts_on: dt.date
    fte: Decimal
    appropriate_body: str
    tutor_email: str


def read_induction(
    file: str, line: int, row: dict[str, str], problems: Problems
) -> InductionColumns | None:
    """The row's induction, or None when its induction columns are empty (or wrong: each
    problem is added with its line and column)."""
    given = {column: row.get(column, "").strip() for column in COLUMNS}
    if not any(given.values()):
        return None
    if not given["induction_start"]:
        problems.add(
            file,
            line,
            "induction_start",
            "Give the induction start date with the other "
            "induction columns, for example 07/09/2026.",
        )
        return None
    starts_on = _date(given["induction_start"])
    fte = _fte(given["fte"])
    if starts_on is None:
        problems.add(
            file,
            line,
            "induction_start",
            f"“{given['induction_start']}” is not a date; write it as 07/09/2026.",
        )
    if fte is None:
        problems.add(file, line, "fte", f"fte must be from 0.1 to 1; found “{given['fte']}”.")
    if not given["appropriate_body"]:
        problems.add(file, line, "appropriate_body", "Give the appropriate body's name.")
    elif len(given["appropriate_body"]) > 200:
        problems.add(file, line, "appropriate_body", "The appropriate body is over 200 characters.")
    if starts_on is None or fte is None or not 0 < len(given["appropriate_body"]) <= 200:
        return None
    return InductionColumns(
        starts_on, fte, given["appropriate_body"], given["induction_tutor_email"].lower()
    )


def _date(text: str) -> dt.date | None:
    for pattern in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, pattern).date()  # noqa: DTZ007 - a date only
        except ValueError:
            continue
    return None


def _fte(text: str) -> Decimal | None:
    if not text:
        return Decimal("1")
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    if not value.is_finite() or not Decimal("0.1") <= value <= 1 or value != round(value, 2):
        return None
    return value
