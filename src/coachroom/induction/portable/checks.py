"""What an uploaded `induction.json` must look like, checked all at once.

The record is read against a small schema (below): each problem is named by where it is and
what is wrong, so a tutor can tell a damaged file from the wrong one, and what is kept is only
what the schema names, so a stored record always has the shape the pages and the PDF read.
Keys the schema does not know are left out rather than refused: a later version 1 may add some.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from coachroom.induction.portable.record import FORMAT, VERSION

MAX_TEXT = 20_000  # characters in one field: a long evidence summary is a few thousand
MAX_NAME = 200
MAX_PROBLEMS = 20
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DECIMAL = re.compile(r"^\d{1,6}(\.\d{1,4})?$")


@dataclass(frozen=True)
class Maybe:
    """The value, or null."""

    spec: Spec


@dataclass(frozen=True)
class ListOf:
    spec: Spec
    most: int


Spec = str | dict[str, "Spec"] | Maybe | ListOf

TEXT, NAME, DATE, COUNT, SECTION, DECIMAL = "text", "name", "date", "count", "section", "decimal"
SIGNATURE = Maybe({"name": NAME, "on": DATE})
REVIEW: Spec = {
    "kind": TEXT,
    "title": NAME,
    "period": TEXT,
    "due_on": DATE,
    "outcome": TEXT,
    "standards_of_concern": ListOf({"number": SECTION, "title": TEXT}, 8),
    "evidence": TEXT,
    "targets": TEXT,
    "ect_comments": TEXT,
    "signed": {"induction_tutor": SIGNATURE, "headteacher": SIGNATURE, "ect": SIGNATURE},
}
STEP: Spec = {
    "title": NAME,
    "state": TEXT,
    "proposed_on": Maybe(DATE),
    "agreed_on": Maybe(DATE),
    "secured_on": Maybe(DATE),
    "stuck_on": Maybe(DATE),
    "framework": ListOf({"section": SECTION, "section_title": TEXT, "statement": TEXT}, 50),
}
RECORD: dict[str, Spec] = {
    "as_of": DATE,
    "ect": {"name": NAME, "email": TEXT},
    "school": {"name": NAME, "urn": TEXT},
    "appropriate_body": {"name": TEXT, "contact": TEXT},
    "starts_on": DATE,
    "fte": DECIMAL,
    "left_on": Maybe(DATE),
    "mentor": Maybe(NAME),
    "induction_tutor": Maybe(NAME),
    "dates": {
        "year_one_ends_on": DATE,
        "ends_on": DATE,
        "absence_days": COUNT,
        "extension_days": COUNT,
        "points": ListOf({"what": NAME, "due_on": DATE}, 40),
    },
    "absences": ListOf({"first_day": DATE, "last_day": DATE}, 500),
    "reviews": ListOf(REVIEW, 100),
    "steps": ListOf(STEP, 2000),
    "mentor_meetings": {"held": COUNT, "planned": COUNT},
    "time_off": {"hours_recorded": DECIMAL, "hours_due": Maybe(DECIMAL)},
}


def checked_record(value: Any) -> tuple[dict[str, Any], list[str]]:
    """The record as the schema keeps it, and every problem found (none: it can be attached).

    The format and version come first: a file of another kind, or from a newer Coachroom, gets
    one clear reason rather than a list of fields it happens to lack."""
    if not isinstance(value, dict) or value.get("format") != FORMAT:
        return {}, [
            f"induction.json is not a Coachroom induction record (its format is not “{FORMAT}”)."
        ]
    version = value.get("version")
    if type(version) is not int or version != VERSION:  # not True, not 1.0: the number 1
        return {}, [
            f"induction.json is version {repr(version)[:20]} of the record; this Coachroom reads "
            f"version "
            f"{VERSION}. Ask the earlier school to export it again, or update Coachroom here."
        ]
    problems: list[str] = []
    kept = _clean(value, RECORD, "", problems)
    if len(problems) > MAX_PROBLEMS:
        more = len(problems) - MAX_PROBLEMS
        problems = [*problems[:MAX_PROBLEMS], f"… and {more} more problems."]
    return {"format": FORMAT, "version": VERSION, **kept}, problems


def _where(path: str) -> str:
    return f"induction.json, {path}" if path else "induction.json"


def _clean(value: Any, spec: Spec, path: str, problems: list[str]) -> Any:
    if isinstance(spec, Maybe):
        return None if value is None else _clean(value, spec.spec, path, problems)
    if isinstance(spec, ListOf):
        if not isinstance(value, list):
            problems.append(f"{_where(path)}: should be a list.")
            return []
        if len(value) > spec.most:
            problems.append(f"{_where(path)}: has {len(value)} entries; at most {spec.most}.")
            return []
        return [
            _clean(item, spec.spec, f"{path}, number {n}", problems)
            for n, item in enumerate(value, start=1)
        ]
    if isinstance(spec, dict):
        if not isinstance(value, dict):
            problems.append(f"{_where(path)}: should be an object with {', '.join(spec)}.")
            return {}
        kept = {}
        for key, inner in spec.items():
            inner_path = f"{path}, {key}" if path else key
            if key not in value:
                problems.append(f"{_where(inner_path)}: is missing.")
                continue
            kept[key] = _clean(value[key], inner, inner_path, problems)
        return kept
    reason = _leaf_problem(value, spec)
    if reason:
        shown = repr(value) if not isinstance(value, str) else f"“{value[:40]}”"
        problems.append(f"{_where(path)}: {shown} {reason}.")
    return value


def _leaf_problem(value: Any, kind: str) -> str:
    """Why `value` is not a `kind`; empty when it is."""
    if kind in (COUNT, SECTION):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            return "is not a whole number"
        if kind == SECTION and not 1 <= value <= 8:
            return "is not a section of the framework (1 to 8)"
        return ""
    if not isinstance(value, str):
        return "is not text"
    if kind == DATE:
        return "" if _is_date(value) else "is not a date (written YYYY-MM-DD)"
    if kind == DECIMAL:
        return "" if _DECIMAL.match(value) else "is not a number"
    if kind == NAME and not value.strip():
        return "is empty"
    limit = MAX_NAME if kind == NAME else MAX_TEXT
    return f"is longer than {limit:,} characters" if len(value) > limit else ""


def _is_date(value: str) -> bool:
    if not _ISO_DATE.match(value):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:  # 2026-13-45 has the shape but is no day
        return False
    return True
