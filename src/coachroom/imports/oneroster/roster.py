"""What the reading step keeps of a OneRoster export: the `Roster`, and small readers' helpers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from coachroom.imports.common import Problems
from coachroom.imports.oneroster.spec import ISO_DATE


@dataclass
class Org:
    sid: str
    line: int
    name: str
    type: str
    urn: str
    parent: str


@dataclass
class Teaching:
    subjects: list[str] = field(default_factory=list)
    key_stages: set[str] = field(default_factory=set)

    def add_subjects(self, subjects: list[str]) -> None:
        known = {s.lower() for s in self.subjects}
        for subject in subjects:
            if subject.lower() not in known:
                self.subjects.append(subject)
                known.add(subject.lower())


@dataclass
class Person:
    sid: str
    line: int
    enabled: bool
    role: str
    email: str
    first_name: str
    last_name: str
    schools: list[str]  # school sourcedIds in scope
    teaching: dict[str, Teaching] = field(default_factory=dict)  # by school sourcedId


@dataclass
class Session:
    sid: str
    line: int
    title: str
    type: str
    start: dt.date | None
    end: dt.date | None
    parent: str
    school_year: int | None


@dataclass
class Course:
    sid: str
    line: int
    title: str
    subjects: list[str]
    grades: list[str]


@dataclass
class Klass:
    sid: str
    line: int
    title: str
    course: str
    school: str
    subjects: list[str]
    grades: list[str]


@dataclass
class Roster:
    orgs: dict[str, Org] = field(default_factory=dict)
    scope: list[str] = field(default_factory=list)  # school sourcedIds being imported
    people: dict[str, Person] = field(default_factory=dict)
    unclassified: int = 0  # users.csv rows with an unknown role: their sourcedIds are unknown
    elsewhere: set[str] = field(default_factory=set)  # staff only at schools outside the import
    sessions_read: bool = False
    sessions: dict[str, Session] = field(default_factory=dict)
    dropped: int = 0
    skipped: int = 0


def split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def date(value: str, problems: Problems, file: str, line: int, column: str) -> dt.date | None:
    if not value:
        problems.add(file, line, column, f"The {column} is blank; write dates as YYYY-MM-DD.")
        return None
    try:
        if not ISO_DATE.match(value):
            raise ValueError(value)
        return dt.date.fromisoformat(value)
    except ValueError:
        problems.add(
            file,
            line,
            column,
            f"“{value}” is not a date. Write dates as YYYY-MM-DD, for example 2026-09-01.",
        )
        return None


def unique_sid(
    sid: str, seen: dict[str, int], problems: Problems, file: str, line: int, what: str
) -> bool:
    if not sid:
        problems.add(file, line, "sourcedId", f"The sourcedId is blank; every {what} needs one.")
        return False
    if sid in seen:
        problems.add(
            file, line, "sourcedId", f"The sourcedId “{sid}” is also used on line {seen[sid]}."
        )
        return False
    seen[sid] = line
    return True


def deleted(row: dict[str, str]) -> bool:
    return row.get("status", "").strip().lower() == "tobedeleted"


def school_of(roster: Roster, org_sid: str) -> str | None:
    """The school an org is, or (for a department) sits in."""
    org = roster.orgs.get(org_sid)
    for _ in range(5):
        if org is None:
            return None
        if org.type == "school":
            return org.sid
        if org.type != "department":
            return None
        org = roster.orgs.get(org.parent)
    return None


def trust_org(roster: Roster, school_sid: str) -> Org | None:
    parent = roster.orgs.get(roster.orgs[school_sid].parent)
    if parent is None or parent.type in {"school", "department"}:
        return None
    return parent
