"""What a OneRoster 1.1 CSV export holds: its files, their columns, and which rows are staff.

Every row of users.csv and enrollments.csv is classified by its role alone before anything
else of it is read (see `common.read_table`), so pupil rows are dropped unread.
"""

from __future__ import annotations

import re

from coachroom.imports.common import Verdict

Bundle = dict[str, bytes]
"""File name (as spelt in OneRoster, e.g. academicSessions.csv) → contents."""

REQUIRED_FILES = ("manifest.csv", "orgs.csv", "users.csv", "academicSessions.csv")
OPTIONAL_FILES = ("courses.csv", "classes.csv", "enrollments.csv")
ALL_FILES = REQUIRED_FILES + OPTIONAL_FILES

COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # file: (required columns, optional columns)
    "manifest.csv": (("propertyName", "value"), ()),
    "orgs.csv": (("sourcedId", "name", "type", "identifier", "parentSourcedId"), ("status",)),
    "users.csv": (
        (
            "sourcedId",
            "enabledUser",
            "orgSourcedIds",
            "role",
            "username",
            "givenName",
            "familyName",
            "email",
        ),
        ("status",),
    ),
    "academicSessions.csv": (
        ("sourcedId", "title", "type", "startDate", "endDate", "parentSourcedId", "schoolYear"),
        ("status",),
    ),
    "courses.csv": (("sourcedId", "title"), ("orgSourcedId", "subjects", "grades", "status")),
    "classes.csv": (
        ("sourcedId", "title", "courseSourcedId", "schoolSourcedId", "termSourcedIds"),
        ("subjects", "grades", "periods", "status"),
    ),
    "enrollments.csv": (("classSourcedId", "userSourcedId", "role"), ("sourcedId", "status")),
}

STAFF_ROLES = {"teacher", "administrator"}
OTHER_STAFF_ROLES = {"aide", "proctor"}  # real OneRoster roles that Coachroom doesn't import
PUPIL_ROLES = {"student", "pupil", "guardian", "parent", "relative"}
ORG_TYPES = {"school", "district", "local", "state", "national", "department"}
SESSION_TYPES = {t.lower(): t for t in ("schoolYear", "term", "semester", "gradingPeriod")}
TERM_TYPES_FINEST_FIRST = ("gradingPeriod", "term", "semester")
URN = re.compile(r"^\d{6}$")
YEAR = re.compile(r"^\d{4}$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def classify_user(row: dict[str, str]) -> Verdict:
    role = row.get("role", "").strip().lower()
    if role in STAFF_ROLES:
        return "keep"
    if role in OTHER_STAFF_ROLES:
        return "skip"
    if role in PUPIL_ROLES:
        return "drop"
    return "stub"


def classify_enrollment(row: dict[str, str]) -> Verdict:
    role = row.get("role", "").strip().lower()
    if role == "teacher":
        return "keep"
    if role in {"administrator", *OTHER_STAFF_ROLES}:
        return "skip"
    if role in PUPIL_ROLES:
        return "drop"
    return "stub"


CLASSIFIERS = {"users.csv": classify_user, "enrollments.csv": classify_enrollment}


def canonical(name: str) -> str | None:
    """The OneRoster file a path names (any folder, any case), or None for other files."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    for wanted in ALL_FILES:
        if base.lower() == wanted.lower():
            return wanted
    return None
