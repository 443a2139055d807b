"""Reading the school's copy of the ITTECF statements: a CSV file with the columns `section`,
`number`, `kind` and `text` (docs/induction.md).

Every problem is collected, each with its line and column, before anything is written: a file
with one bad row loads nothing.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from coachroom.core.problems import Problem
from coachroom.induction.models import Section, StatementKind

COLUMNS = ("section", "number", "kind", "text")
NUMBER = re.compile(r"^[0-9A-Za-z]+(?:[.\-][0-9A-Za-z]+)*$")
NUMBER_MAX = 12
KINDS = {k.value: k for k in StatementKind}


@dataclass(frozen=True)
class StatementRow:
    line: int
    section: int
    number: str
    kind: str
    text: str


@dataclass
class FrameworkFile:
    rows: list[StatementRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def read_statements(data: bytes, *, label: str) -> FrameworkFile:
    """The statements in a CSV file, or every problem with it."""
    found = FrameworkFile()

    def problem(line: int | None, column: str | None, message: str) -> None:
        found.problems.append(Problem(label, line, column, message))

    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        problem(None, None, "is not UTF-8 text; save it as CSV UTF-8 and try again")
        return found
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        header = []
    names = [h.strip().lower() for h in header]
    missing = [c for c in COLUMNS if c not in names]
    for column in missing:
        problem(1, column, "is missing from the header (section, number, kind, text)")
    if missing:
        return found
    where = {column: names.index(column) for column in COLUMNS}
    first_seen: dict[tuple[int, str], int] = {}
    line = reader.line_num + 1  # the line a record starts on (text may span lines)
    try:
        for record in reader:
            start, line = line, reader.line_num + 1
            if not any(cell.strip() for cell in record):
                continue
            values = {
                column: record[i].strip() if i < len(record) else "" for column, i in where.items()
            }
            row = _check_row(start, values, first_seen, problem)
            if row is not None:
                found.rows.append(row)
    except csv.Error as error:
        problem(reader.line_num, None, f"is not valid CSV ({error})")
    if not found.rows and not found.problems:
        problem(None, None, "has no statements: add one row per statement under the header")
    return found


def _check_row(
    line: int,
    values: dict[str, str],
    first_seen: dict[tuple[int, str], int],
    problem: Callable[[int | None, str | None, str], None],
) -> StatementRow | None:
    ok = True
    section: int | None = None
    raw_section = values["section"]
    if raw_section.isdigit() and int(raw_section) in Section.values:
        section = int(raw_section)
    else:
        shown = f"“{raw_section}”" if raw_section else "empty"
        problem(line, "section", f"unknown section {shown}: sections are numbered 1 to 8")
        ok = False

    number = values["number"]
    if not number:
        problem(line, "number", "is empty: give the statement's number, for example 2.3")
        ok = False
    elif len(number) > NUMBER_MAX or not NUMBER.match(number):
        problem(
            line,
            "number",
            f"“{number[:20]}” is not a statement number: use digits and letters with dots, "
            "for example 2.3 or 2.3a",
        )
        ok = False
    elif section is not None:
        prefix = number.split(".", 1)[0]
        if "." in number and prefix.isdigit() and int(prefix) != section:
            problem(line, "number", f"{number} belongs to section {int(prefix)}, not {section}")
            ok = False
        elif (section, number) in first_seen:
            problem(
                line,
                "number",
                f"duplicate number {number} in section {section} "
                f"(first on line {first_seen[(section, number)]})",
            )
            ok = False
        else:
            first_seen[(section, number)] = line

    kind = " ".join(values["kind"].lower().split())
    if kind not in KINDS:
        shown = f"“{values['kind'][:30]}”" if values["kind"] else "empty"
        problem(line, "kind", f"is {shown}: it must be “learn that” or “learn how to”")
        ok = False

    text = values["text"]
    if not text:
        problem(line, "text", "is empty: give the statement's wording")
        ok = False

    if not ok or section is None:
        return None
    return StatementRow(line=line, section=section, number=number, kind=kind, text=text)
