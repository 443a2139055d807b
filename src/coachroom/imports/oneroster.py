"""OneRoster 1.1 CSV: read and check the files, work out the changes, then make them.

Three steps, kept apart so that a dry run is the first two and nothing else:

1. `read_roster` checks every file and row and collects every problem (file, line, column).
   Pupil, parent and guardian rows are dropped as they are read: only their `role` is looked
   at, and nothing else about them is kept, counted by name or reported.
2. `plan_changes` compares the roster with the database: which trusts, schools, years, terms,
   people and memberships to create or update, and which imported staff to deactivate. It
   may add problems of its own (a URN that belongs to another school, an email in use).
3. `apply_plan` writes the plan. The caller wraps steps 2 and 3 in one transaction.

The sourcedId is the key: schools and memberships keep it in `source_id`; years and terms,
which have no such field, are mapped through `SourceRecord`.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Q
from django.utils import timezone

from coachroom.accounts.calendar import year_name
from coachroom.accounts.models import (
    AcademicYear,
    CoachingRelationship,
    Membership,
    School,
    Term,
    Trust,
    User,
)
from coachroom.imports.common import (
    Change,
    Problems,
    Progress,
    Table,
    Verdict,
    chunked,
    count_rows,
    decode,
    read_table,
    redact,
)
from coachroom.imports.models import SourceRecord

Bundle = dict[str, bytes]
"""File name (as spelt in OneRoster, e.g. academicSessions.csv) → contents."""

REQUIRED_FILES = ("manifest.csv", "orgs.csv", "users.csv", "academicSessions.csv")
OPTIONAL_FILES = ("courses.csv", "classes.csv", "enrollments.csv")
ALL_FILES = REQUIRED_FILES + OPTIONAL_FILES
MAX_FILE_BYTES = 200 * 1024 * 1024  # one unzipped file; a 20 MB zip of CSV is far below this

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


# Getting the files --------------------------------------------------------------------------


def _canonical(name: str) -> str | None:
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    for wanted in ALL_FILES:
        if base.lower() == wanted.lower():
            return wanted
    return None


def bundle_from_zip(data: bytes, problems: Problems, label: str = "The upload") -> Bundle:
    """The OneRoster files in a zip, wherever they sit inside it; other files are ignored."""
    bundle: Bundle = {}
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        problems.add(label, None, None, "This is not a zip file. Upload the zip your MIS made.")
        return bundle
    with archive:
        for info in archive.infolist():
            parts = info.filename.replace("\\", "/").split("/")
            if info.is_dir() or "__MACOSX" in parts or parts[-1].startswith("._"):
                continue
            name = _canonical(info.filename)
            if name is None:
                continue  # demographics.csv and the rest: never opened
            if name in bundle:
                problems.add(name, None, None, f"The zip holds more than one {name}.")
                continue
            if info.file_size > MAX_FILE_BYTES:
                problems.add(name, None, None, f"{name} is too large to import.")
                continue
            with archive.open(info) as handle:
                content = handle.read(MAX_FILE_BYTES + 1)
            if len(content) > MAX_FILE_BYTES:
                problems.add(name, None, None, f"{name} is too large to import.")
                continue
            bundle[name] = content
    return bundle


def bundle_from_folder(folder: Path, problems: Problems) -> Bundle:
    bundle: Bundle = {}
    for path in sorted(folder.iterdir()):
        name = _canonical(path.name)
        if name is None or not path.is_file():
            continue
        if name in bundle:
            problems.add(name, None, None, f"The folder holds more than one {name}.")
            continue
        if path.stat().st_size > MAX_FILE_BYTES:
            problems.add(name, None, None, f"{name} is too large to import.")
            continue
        bundle[name] = path.read_bytes()
    return bundle


def bundle_to_zip(bundle: Bundle) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in bundle.items():
            archive.writestr(name, content)
    return out.getvalue()


def redact_bundle(bundle: Bundle) -> tuple[Bundle, int]:
    """The bundle without pupil, parent and guardian rows, for storing; and how many went.

    Rows are blanked rather than removed so that line numbers still match the admin's files.
    """
    kept: Bundle = {}
    dropped = 0
    for name, content in bundle.items():
        classify = CLASSIFIERS.get(name)
        if classify is None:
            kept[name] = content
            continue
        text = decode(name, content, Problems())
        if text is None:  # unreadable: keep nothing of it; the check will say so
            kept[name] = b"\xff"
            continue
        clean, n = redact(text, classify, "role")
        kept[name] = clean.encode("utf-8")
        dropped += n
    return kept, dropped


# Reading and checking -----------------------------------------------------------------------


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


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _date(value: str, problems: Problems, file: str, line: int, column: str) -> dt.date | None:
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


def _unique_sid(
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


def _deleted(row: dict[str, str]) -> bool:
    return row.get("status", "").strip().lower() == "tobedeleted"


def read_roster(
    bundle: Bundle,
    problems: Problems,
    *,
    school_urn: str | None = None,
    progress: Progress | None = None,
) -> Roster:
    """Check every file and return what Coachroom needs from them; problems go to `problems`."""
    roster = Roster()
    texts: dict[str, str] = {}
    for name in REQUIRED_FILES:
        if name not in bundle:
            problems.add(name, None, None, f"{name} is missing. A OneRoster 1.1 export has it.")
    for name in ALL_FILES:
        if name in bundle:
            text = decode(name, bundle[name], problems)
            if text is not None:
                texts[name] = text
    if "enrollments.csv" in bundle and "classes.csv" not in bundle:
        problems.add(
            "enrollments.csv",
            None,
            None,
            "enrollments.csv needs classes.csv beside it, to know which classes are which.",
        )
    total = sum(count_rows(t) for t in texts.values())
    done = 0

    def tick(n: int) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress(min(done, total), total, f"Reading {current}")

    tables: dict[str, Table] = {}
    current = ""
    for name in ALL_FILES:
        if name not in texts:
            continue
        current = name
        required, optional = COLUMNS[name]
        table = read_table(
            name,
            texts[name],
            required=required,
            optional=optional,
            problems=problems,
            classify=CLASSIFIERS.get(name),
            stub_column="role",
            progress=tick,
        )
        if table is not None:
            tables[name] = table
            roster.dropped += table.dropped
            if name == "users.csv":
                roster.skipped += table.skipped
    if progress is not None:
        progress(total, total, "Checking")

    if "manifest.csv" in tables:
        _read_manifest(tables["manifest.csv"], problems)
    if "orgs.csv" in tables:
        _read_orgs(tables["orgs.csv"], roster, problems, school_urn)
    if "academicSessions.csv" in tables:
        _read_sessions(tables["academicSessions.csv"], roster, problems)
    if "users.csv" in tables and "orgs.csv" in tables:
        _read_users(tables["users.csv"], roster, problems)
    courses = (
        _read_courses(tables["courses.csv"], roster, problems) if "courses.csv" in tables else None
    )
    if "classes.csv" in tables and "orgs.csv" in tables:
        classes, elsewhere = _read_classes(tables["classes.csv"], roster, courses, problems)
        if "enrollments.csv" in tables and "users.csv" in tables:
            _read_enrollments(
                tables["enrollments.csv"], roster, classes, elsewhere, courses, problems
            )
    return roster


def _read_manifest(table: Table, problems: Problems) -> None:
    for line, row in table.rows:
        prop, value = row["propertyName"], row["value"]
        if prop.lower() == "oneroster.version" and not value.startswith("1.1"):
            problems.add(
                table.name,
                line,
                "value",
                f"This export is OneRoster version {value or '(blank)'}; Coachroom reads version "
                "1.1. Choose 1.1 in your MIS's OneRoster export settings.",
            )
        if prop.lower().startswith("file.") and value.lower() == "delta":
            name = _canonical(prop[5:] + ".csv")
            if name is not None:
                problems.add(
                    table.name,
                    line,
                    "value",
                    f"{name} is a delta (changes only). Coachroom needs a bulk export, because "
                    "it works out who has left from who is missing.",
                )


def _read_orgs(table: Table, roster: Roster, problems: Problems, school_urn: str | None) -> None:
    seen: dict[str, int] = {}
    urns: dict[str, int] = {}
    for line, row in table.rows:
        if _deleted(row):
            continue
        sid = row["sourcedId"]
        ok = _unique_sid(sid, seen, problems, table.name, line, "org")
        if not row["name"]:
            problems.add(table.name, line, "name", "The name is blank.")
        org_type = row["type"].lower()
        if org_type not in ORG_TYPES:
            problems.add(
                table.name,
                line,
                "type",
                f"“{row['type']}” is not an org type. Use school for a school and district "
                "for its trust (local, state, national and department are also allowed).",
            )
        urn = row["identifier"]
        if org_type == "school":
            if not URN.match(urn):
                found = f"found “{urn}”" if urn else "it is blank"
                problems.add(
                    table.name,
                    line,
                    "identifier",
                    "A school's identifier must be its six-digit URN, for example 143201; "
                    f"{found}.",
                )
            elif urn in urns:
                problems.add(
                    table.name,
                    line,
                    "identifier",
                    f"The URN {urn} is also used on line {urns[urn]}.",
                )
            else:
                urns[urn] = line
        if ok:
            roster.orgs[sid] = Org(sid, line, row["name"], org_type, urn, row["parentSourcedId"])
    for org in roster.orgs.values():
        if org.parent and org.parent not in roster.orgs:
            problems.add(
                table.name,
                org.line,
                "parentSourcedId",
                f"No org in orgs.csv has the sourcedId “{org.parent}”.",
            )
    schools = [o for o in roster.orgs.values() if o.type == "school"]
    if school_urn:
        roster.scope = [o.sid for o in schools if o.urn == school_urn]
        if not roster.scope:
            problems.add(
                table.name, None, "identifier", f"No school in orgs.csv has the URN {school_urn}."
            )
    else:
        roster.scope = [o.sid for o in schools]
        if not schools and not problems:
            problems.add(table.name, None, "type", "No org in orgs.csv has the type school.")


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


def _read_sessions(table: Table, roster: Roster, problems: Problems) -> None:
    roster.sessions_read = True
    seen: dict[str, int] = {}
    years: dict[int, int] = {}
    for line, row in table.rows:
        if _deleted(row):
            continue
        sid = row["sourcedId"]
        ok = _unique_sid(sid, seen, problems, table.name, line, "session")
        if not row["title"]:
            problems.add(table.name, line, "title", "The title is blank.")
        kind = SESSION_TYPES.get(row["type"].lower())
        if kind is None:
            problems.add(
                table.name,
                line,
                "type",
                f"“{row['type']}” is not a session type. Use schoolYear, term, semester "
                "or gradingPeriod.",
            )
        start = _date(row["startDate"], problems, table.name, line, "startDate")
        end = _date(row["endDate"], problems, table.name, line, "endDate")
        if start and end and end < start:
            problems.add(table.name, line, "endDate", "The endDate is before the startDate.")
        if start and end and kind == "schoolYear" and end == start:
            problems.add(table.name, line, "endDate", "A school year must end after it starts.")
        school_year: int | None = None
        if YEAR.match(row["schoolYear"]):
            school_year = int(row["schoolYear"])
        else:
            found = f"found “{row['schoolYear']}”" if row["schoolYear"] else "it is blank"
            problems.add(
                table.name,
                line,
                "schoolYear",
                "The schoolYear must be the four-digit year the school year ends in "
                f"(2027 for 2026–27); {found}.",
            )
        if kind == "schoolYear" and school_year is not None:
            if school_year in years:
                problems.add(
                    table.name,
                    line,
                    "schoolYear",
                    f"Line {years[school_year]} is also the school year {school_year}.",
                )
            years[school_year] = line
        if ok:
            roster.sessions[sid] = Session(
                sid, line, row["title"], kind or "", start, end, row["parentSourcedId"], school_year
            )
    for session in roster.sessions.values():
        if session.parent and session.parent not in roster.sessions:
            problems.add(
                table.name,
                session.line,
                "parentSourcedId",
                f"No session in academicSessions.csv has the sourcedId “{session.parent}”.",
            )
    by_year = {s.school_year: s for s in roster.sessions.values() if s.type == "schoolYear"}
    for session in roster.sessions.values():
        year = by_year.get(session.school_year)
        if session.type == "schoolYear" or year is None:
            continue
        if not (year.start and year.end and session.start and session.end):
            continue
        if session.start < year.start or session.end > year.end:
            problems.add(
                table.name,
                session.line,
                "startDate" if session.start < year.start else "endDate",
                f"This {session.type} falls outside its school year "
                f"({year.start:%d/%m/%Y} to {year.end:%d/%m/%Y}).",
            )


def _read_users(table: Table, roster: Roster, problems: Problems) -> None:
    seen: dict[str, int] = {}
    emails: dict[str, int] = {}
    scope = set(roster.scope)
    for line, row in table.rows:
        role = row["role"].lower()
        if role not in STAFF_ROLES:  # a stub: only the role was kept
            roster.unclassified += 1
            message = f"“{row['role']}” is not a OneRoster role." if role else "The role is blank."
            problems.add(
                table.name,
                line,
                "role",
                f"{message} Staff must be teacher or administrator (pupil and parent rows are "
                "ignored).",
            )
            continue
        if _deleted(row):
            continue
        orgs = _split(row["orgSourcedIds"])
        unknown = [o for o in orgs if o not in roster.orgs]
        for org in unknown:
            problems.add(
                table.name, line, "orgSourcedIds", f"No org in orgs.csv has the sourcedId “{org}”."
            )
        if not orgs:
            problems.add(
                table.name,
                line,
                "orgSourcedIds",
                "orgSourcedIds is blank: say which school this person works at.",
            )
            continue
        schools = [s for s in (school_of(roster, o) for o in orgs) if s is not None]
        if not unknown and not scope.intersection(schools):
            if not schools:
                roster.skipped += 1  # trust-level staff: not at a school
            roster.elsewhere.add(row["sourcedId"])
            continue  # another school's staff, outside this import
        sid = row["sourcedId"]
        ok = _unique_sid(sid, seen, problems, table.name, line, "user")
        enabled_text = row["enabledUser"].lower()
        if enabled_text not in {"true", "false"}:
            found = f"found “{row['enabledUser']}”" if row["enabledUser"] else "it is blank"
            problems.add(
                table.name, line, "enabledUser", f"enabledUser must be true or false; {found}."
            )
        for column, label in (("givenName", "first name"), ("familyName", "last name")):
            if not row[column]:
                problems.add(table.name, line, column, f"The {column} ({label}) is blank.")
            elif len(row[column]) > 100:
                problems.add(table.name, line, column, f"The {column} is over 100 characters.")
        email = row["email"].lower()
        if not email:
            problems.add(
                table.name,
                line,
                "email",
                "This member of staff has no email address; Coachroom needs one to sign them in.",
            )
        else:
            try:
                validate_email(email)
            except ValidationError:
                problems.add(
                    table.name, line, "email", f"“{row['email']}” is not an email address."
                )
            else:
                if email in emails:
                    problems.add(
                        table.name,
                        line,
                        "email",
                        f"The email {email} is also used on line {emails[email]}.",
                    )
                emails.setdefault(email, line)
        if ok:
            roster.people[sid] = Person(
                sid=sid,
                line=line,
                enabled=enabled_text == "true",
                role=role,
                email=email,
                first_name=row["givenName"],
                last_name=row["familyName"],
                schools=[s for s in dict.fromkeys(schools) if s in scope],
            )


def _read_courses(table: Table, roster: Roster, problems: Problems) -> dict[str, Course]:
    courses: dict[str, Course] = {}
    seen: dict[str, int] = {}
    for line, row in table.rows:
        if _deleted(row):
            continue
        sid = row["sourcedId"]
        ok = _unique_sid(sid, seen, problems, table.name, line, "course")
        if not row["title"]:
            problems.add(table.name, line, "title", "The title is blank.")
        org = row.get("orgSourcedId", "")
        if org and org not in roster.orgs and roster.orgs:
            problems.add(
                table.name, line, "orgSourcedId", f"No org in orgs.csv has the sourcedId “{org}”."
            )
        if ok:
            courses[sid] = Course(
                sid,
                line,
                row["title"],
                _split(row.get("subjects", "")),
                _split(row.get("grades", "")),
            )
    return courses


def _read_classes(
    table: Table, roster: Roster, courses: dict[str, Course] | None, problems: Problems
) -> tuple[dict[str, Klass], set[str]]:
    classes: dict[str, Klass] = {}
    elsewhere: set[str] = set()  # classes at schools outside this import
    seen: dict[str, int] = {}
    scope = set(roster.scope)
    for line, row in table.rows:
        if _deleted(row):
            continue
        sid = row["sourcedId"]
        org = row["schoolSourcedId"]
        school = school_of(roster, org)
        if org and org in roster.orgs and school not in scope:
            elsewhere.add(sid)
            continue
        ok = _unique_sid(sid, seen, problems, table.name, line, "class")
        if not row["title"]:
            problems.add(table.name, line, "title", "The title is blank.")
        if not org:
            problems.add(table.name, line, "schoolSourcedId", "The schoolSourcedId is blank.")
        elif org not in roster.orgs:
            problems.add(
                table.name,
                line,
                "schoolSourcedId",
                f"No org in orgs.csv has the sourcedId “{org}”.",
            )
        course = row["courseSourcedId"]
        if courses is not None and course and course not in courses:
            problems.add(
                table.name,
                line,
                "courseSourcedId",
                f"No course in courses.csv has the sourcedId “{course}”.",
            )
        for term in _split(row["termSourcedIds"]):
            if roster.sessions_read and term not in roster.sessions:
                problems.add(
                    table.name,
                    line,
                    "termSourcedIds",
                    f"No session in academicSessions.csv has the sourcedId “{term}”.",
                )
        if ok:
            classes[sid] = Klass(
                sid,
                line,
                row["title"],
                course,
                school or "",
                _split(row.get("subjects", "")),
                _split(row.get("grades", "")),
            )
    return classes, elsewhere


def _read_enrollments(
    table: Table,
    roster: Roster,
    classes: dict[str, Klass],
    elsewhere: set[str],
    courses: dict[str, Course] | None,
    problems: Problems,
) -> None:
    for line, row in table.rows:
        role = row["role"].lower()
        if role != "teacher":  # a stub: only the role was kept
            message = f"“{row['role']}” is not an enrolment role." if role else "The role is blank."
            problems.add(
                table.name,
                line,
                "role",
                f"{message} Use teacher for the staff who teach a class (pupil rows are ignored).",
            )
            continue
        if _deleted(row):
            continue
        class_sid, user_sid = row["classSourcedId"], row["userSourcedId"]
        if class_sid in elsewhere:
            continue
        klass = classes.get(class_sid)
        if klass is None:
            problems.add(
                table.name,
                line,
                "classSourcedId",
                f"No class in classes.csv has the sourcedId “{class_sid}”."
                if class_sid
                else "The classSourcedId is blank.",
            )
        person = roster.people.get(user_sid)
        if user_sid in roster.elsewhere:
            continue
        if person is None and not (user_sid and roster.unclassified):
            # With unknown roles in users.csv, a missing person may be one of those rows:
            # that problem is reported already, and this one would follow from it.
            problems.add(
                table.name,
                line,
                "userSourcedId",
                f"No teacher or administrator in users.csv has the sourcedId “{user_sid}”."
                if user_sid
                else "The userSourcedId is blank.",
            )
        if klass is None or person is None or klass.school not in person.schools:
            continue
        course = (courses or {}).get(klass.course)
        teaching = person.teaching.setdefault(klass.school, Teaching())
        teaching.add_subjects(klass.subjects or (course.subjects if course else []))
        grades = klass.grades or (course.grades if course else [])
        stages = key_stages_from_grades(grades) if grades else set()
        if not stages:
            stages = key_stages_from_title(klass.title)
        if not stages and course:
            stages = key_stages_from_title(course.title)
        teaching.key_stages |= stages


# Year groups → key stages -------------------------------------------------------------------

KEY_STAGE_ORDER = ("EYFS", "KS1", "KS2", "KS3", "KS4", "KS5")
_EARLY_GRADES = {"IT", "PR", "PK", "TK", "KG", "R", "N", "RECEPTION", "NURSERY"}
_YEAR_IN_TITLE = re.compile(r"\b(?:year|yr|y)\s*-?\s*(\d{1,2})(?!\d)", re.IGNORECASE)
_LEADING_YEAR = re.compile(r"^(\d{1,2})(?=[A-Za-z/ \-]|$)")
_EARLY_IN_TITLE = re.compile(r"\b(?:reception|nursery|rec|eyfs)\b", re.IGNORECASE)


def key_stage(year_group: int) -> str | None:
    if 1 <= year_group <= 2:
        return "KS1"
    if 3 <= year_group <= 6:
        return "KS2"
    if 7 <= year_group <= 9:
        return "KS3"
    if 10 <= year_group <= 11:
        return "KS4"
    if 12 <= year_group <= 13:
        return "KS5"
    return None


def key_stages_from_grades(grades: list[str]) -> set[str]:
    """Grades read as UK year groups: 07 or Y7 is Year 7; R, N, KG and PK are early years."""
    stages: set[str] = set()
    for grade in grades:
        text = grade.strip().upper().removeprefix("YEAR").removeprefix("Y").strip()
        if text in _EARLY_GRADES:
            stages.add("EYFS")
        elif text.isdigit():
            stage = key_stage(int(text))
            if stage:
                stages.add(stage)
    return stages


def key_stages_from_title(title: str) -> set[str]:
    """ "Year 10 Maths", "Y7 English", "10X/Ma1", "Reception Robins"."""
    stages = {s for m in _YEAR_IN_TITLE.finditer(title) if (s := key_stage(int(m.group(1))))}
    leading = _LEADING_YEAR.match(title.strip())
    if leading and (stage := key_stage(int(leading.group(1)))):
        stages.add(stage)
    if _EARLY_IN_TITLE.search(title):
        stages.add("EYFS")
    return stages


def join_key_stages(stages: set[str]) -> str:
    return ", ".join(s for s in KEY_STAGE_ORDER if s in stages)


def join_subjects(subjects: list[str], limit: int = 200) -> str:
    text = ""
    for subject in sorted(subjects, key=str.lower):
        candidate = f"{text}, {subject}" if text else subject
        if len(candidate) > limit:
            break
        text = candidate
    return text


def guess_phase(name: str) -> str:
    lowered = name.lower()
    if "all-through" in lowered or "all through" in lowered:
        return School.Phase.ALL_THROUGH
    if "special" in lowered:
        return School.Phase.SPECIAL
    if any(word in lowered for word in ("primary", "infant", "junior", "first school")):
        return School.Phase.PRIMARY
    return School.Phase.SECONDARY


# Planning -----------------------------------------------------------------------------------


@dataclass
class TrustPlan:
    org: Org | None  # None: a stand-alone school's own trust
    trust: Trust | None  # None: to create
    name: str
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass
class SchoolPlan:
    org: Org
    school: School | None
    trust: TrustPlan | None  # only for a new school
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass
class TermPlan:
    session: Session
    term: Term | None
    fields: dict[str, Any]


@dataclass
class YearPlan:
    school_sid: str
    key: str
    year: AcademicYear | None
    fields: dict[str, Any]
    terms: list[TermPlan]
    remove: list[Term]


@dataclass
class PersonPlan:
    person: Person
    user: User | None
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass
class MembershipPlan:
    person: PersonPlan
    school_sid: str
    membership: Membership | None
    fields: dict[str, Any] = field(default_factory=dict)
    reactivate: bool = False


@dataclass
class Plan:
    trusts: list[TrustPlan] = field(default_factory=list)
    schools: dict[str, SchoolPlan] = field(default_factory=dict)
    years: list[YearPlan] = field(default_factory=list)
    people: list[PersonPlan] = field(default_factory=list)
    memberships: list[MembershipPlan] = field(default_factory=list)
    deactivate: list[Membership] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _diff(obj: Any, wanted: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in wanted.items() if getattr(obj, k) != v}


def plan_changes(
    roster: Roster,
    problems: Problems,
    *,
    pinned: School | None = None,
    actor: User | None = None,
) -> Plan:
    """What would change; `pinned` (the web upload) keeps to one existing school and its trust."""
    plan = Plan()
    _plan_schools(roster, plan, problems, pinned)
    if problems:
        return plan
    _plan_years(roster, plan, problems)
    _plan_staff(roster, plan, problems, actor)
    return plan


def _plan_schools(roster: Roster, plan: Plan, problems: Problems, pinned: School | None) -> None:
    trusts: dict[str, TrustPlan] = {}
    for sid in roster.scope:
        org = roster.orgs[sid]
        parent = trust_org(roster, sid)
        # The sourcedId matches only with the URN or the trust too: another trust's MIS may
        # use the same id. (A school's URN changes when it becomes an academy.)
        by_sid = [
            s
            for s in School.objects.filter(source_id=sid).select_related("trust")
            if s.urn == org.urn or (parent is not None and s.trust.source_id == parent.sid)
        ]
        by_urn = School.objects.filter(urn=org.urn).select_related("trust").first()
        school = by_sid[0] if len(by_sid) == 1 else None
        if school and by_urn and school.pk != by_urn.pk:
            problems.add(
                "orgs.csv",
                org.line,
                "identifier",
                f"In Coachroom the URN {org.urn} belongs to {by_urn.name}, but this sourcedId "
                f"is {school.name}. Correct the URN in one place or the other.",
            )
            continue
        school = school or by_urn
        if pinned is not None and (school is None or school.pk != pinned.pk):
            problems.add(
                "orgs.csv",
                org.line,
                "identifier",
                f"This school is not {pinned.name} in Coachroom.",
            )
            continue
        if school is not None:
            wanted = {"name": org.name[:200], "urn": org.urn, "source_id": sid}
            plan.schools[sid] = SchoolPlan(org, school, None, _diff(school, wanted))
            if pinned is None and parent is not None:
                trust = school.trust
                if trust.source_id and trust.source_id != parent.sid:
                    problems.add(
                        "orgs.csv",
                        org.line,
                        "parentSourcedId",
                        f"In Coachroom {school.name} belongs to {trust.name}, not to "
                        f"“{parent.name}”. If it has changed trust, move it by hand first.",
                    )
                    continue
                if parent.sid not in trusts:
                    wanted = {"name": parent.name[:200], "source_id": parent.sid}
                    trusts[parent.sid] = TrustPlan(parent, trust, parent.name, _diff(trust, wanted))
            continue
        if parent is None:
            trust_plan = TrustPlan(None, None, org.name)
        elif parent.sid in trusts:
            trust_plan = trusts[parent.sid]
        else:
            existing = Trust.objects.filter(source_id=parent.sid).first()
            wanted = {"name": parent.name[:200], "source_id": parent.sid}
            fields = _diff(existing, wanted) if existing else wanted
            trust_plan = TrustPlan(parent, existing, parent.name, fields)
            trusts[parent.sid] = trust_plan
        if trust_plan.org is None:
            plan.trusts.append(trust_plan)
        plan.schools[sid] = SchoolPlan(org, None, trust_plan)
    plan.trusts.extend(trusts.values())
    for tp in plan.trusts:
        if tp.trust is None:
            plan.changes.append(Change("create", "trust", tp.name))
        elif tp.fields:
            plan.changes.append(Change("update", "trust", tp.trust.name, _fields_text(tp.fields)))
    for sp in plan.schools.values():
        if sp.school is None:
            plan.changes.append(Change("create", "school", f"{sp.org.name} (URN {sp.org.urn})", ""))
        elif sp.fields:
            plan.changes.append(Change("update", "school", sp.school.name, _fields_text(sp.fields)))


FIELD_LABELS = {
    "name": "name",
    "urn": "URN",
    "starts_on": "start date",
    "ends_on": "end date",
    "first_name": "first name",
    "last_name": "last name",
    "email": "email",
    "is_teacher": "teacher role",
    "is_school_admin": "school admin role",
    "is_coach": "coach role",
    "is_coaching_lead": "coaching lead role",
    "is_senior_leader": "senior leader role",
    "subjects": "subjects",
    "key_stages": "key stages",
    "job_title": "job title",
    "is_ect": "ECT",
}


def _fields_text(fields: dict[str, Any]) -> str:
    """ "name, email changed; linked to the MIS record"."""
    labels = [FIELD_LABELS.get(k, k) for k in fields if k != "source_id"]
    parts = [", ".join(dict.fromkeys(labels)) + " changed"] if labels else []
    if "source_id" in fields:
        parts.append("linked to the MIS record")
    return "; ".join(parts)


def _term_sessions(roster: Roster) -> dict[int, tuple[Session | None, list[Session]]]:
    """Per school year: its schoolYear session and the finest level of terms below it."""
    years: dict[int, tuple[Session | None, list[Session]]] = {}
    parents = {s.parent for s in roster.sessions.values() if s.parent}
    groups: dict[int, list[Session]] = defaultdict(list)
    heads: dict[int, Session] = {}
    for s in roster.sessions.values():
        if s.school_year is None or s.start is None or s.end is None:
            continue
        if s.type == "schoolYear":
            heads[s.school_year] = s
        elif s.type in TERM_TYPES_FINEST_FIRST and s.sid not in parents:
            groups[s.school_year].append(s)
    for year in sorted(set(heads) | set(groups)):
        leaves = groups.get(year, [])
        for kind in TERM_TYPES_FINEST_FIRST:
            finest = [s for s in leaves if s.type == kind]
            if finest:
                leaves = finest
                break
        years[year] = (heads.get(year), sorted(leaves, key=lambda s: (s.start, s.title)))
    return years


def _plan_years(roster: Roster, plan: Plan, problems: Problems) -> None:
    years = _term_sessions(roster)
    for school_sid, sp in plan.schools.items():
        school_label = sp.school.name if sp.school else sp.org.name
        for school_year, (head, leaves) in years.items():
            dates = [(s.start, s.end) for s in ([head] if head else leaves) if s]
            start = min(d[0] for d in dates if d[0])
            end = max(d[1] for d in dates if d[1])
            if end <= start:
                continue  # reported when read (a one-day year)
            name = year_name(school_year - 1)
            key = head.sid if head else f"schoolYear:{school_year}"
            year = _find_year(sp.school, key, name)
            wanted = {"name": name, "starts_on": start, "ends_on": end}
            terms, remove = _plan_terms(sp.school, year, leaves)
            if year is None:
                plan.years.append(YearPlan(school_sid, key, None, wanted, terms, []))
                plan.changes.append(
                    Change("create", "year", f"{name} at {school_label}", _terms_text(terms))
                )
                continue
            fields = _diff(year, wanted)
            if (
                fields.get("name")
                and AcademicYear.objects.filter(school=sp.school, name=name)
                .exclude(pk=year.pk)
                .exists()
            ):
                problems.add(
                    "academicSessions.csv",
                    head.line if head else leaves[0].line,
                    "schoolYear",
                    f"{school_label} already has a year called {name}.",
                )
                continue
            plan.years.append(YearPlan(school_sid, key, year, fields, terms, remove))
            changed = [t for t in terms if t.term is None or t.fields]
            if fields or changed or remove:
                detail = []
                if fields:
                    detail.append(_fields_text(fields))
                if changed or remove:
                    detail.append(
                        f"terms: {sum(1 for t in terms if t.term is None)} added, "
                        f"{sum(1 for t in terms if t.term and t.fields)} changed, "
                        f"{len(remove)} removed"
                    )
                plan.changes.append(
                    Change("update", "year", f"{name} at {school_label}", "; ".join(detail))
                )


def _terms_text(terms: list[TermPlan]) -> str:
    if not terms:
        return "no terms in the file"
    return f"{len(terms)} terms: " + ", ".join(t.session.title for t in terms)


def _find_year(school: School | None, key: str, name: str) -> AcademicYear | None:
    if school is None:
        return None
    record = SourceRecord.objects.filter(
        school=school, kind=SourceRecord.Kind.ACADEMIC_YEAR, sourced_id=key
    ).first()
    if record is not None:
        year = AcademicYear.objects.filter(school=school, pk=record.object_id).first()
        if year is not None:
            return year
    return AcademicYear.objects.filter(school=school, name=name).first()


def _plan_terms(
    school: School | None, year: AcademicYear | None, leaves: list[Session]
) -> tuple[list[TermPlan], list[Term]]:
    existing = list(year.terms.all()) if year is not None else []
    by_pk = {t.pk: t for t in existing}
    records: dict[str, int] = {}
    if school is not None and leaves:
        records = dict(
            SourceRecord.objects.filter(
                school=school,
                kind=SourceRecord.Kind.TERM,
                sourced_id__in=[s.sid for s in leaves],
            ).values_list("sourced_id", "object_id")
        )
    used: set[int] = set()
    plans: list[TermPlan] = []
    for session in leaves:
        name = session.title[:40]
        wanted = {"name": name, "starts_on": session.start, "ends_on": session.end}
        term = by_pk.get(records.get(session.sid, 0))
        if term is None:
            term = next(
                (t for t in existing if t.pk not in used and t.name.lower() == name.lower()),
                None,
            )
        if term is None:
            plans.append(TermPlan(session, None, wanted))
        else:
            used.add(term.pk)
            plans.append(TermPlan(session, term, _diff(term, wanted)))
    remove = [t for t in existing if t.pk not in used] if leaves else []
    return plans, remove


def _plan_staff(roster: Roster, plan: Plan, problems: Problems, actor: User | None) -> None:
    schools = {sid: sp.school for sid, sp in plan.schools.items()}
    existing_schools = [s for s in schools.values() if s is not None]
    names = {
        sid: (sp.school.name if sp.school else sp.org.name) for sid, sp in plan.schools.items()
    }
    many = len(plan.schools) > 1
    memberships = list(
        Membership.objects.filter(school__in=existing_schools).select_related("user", "school")
    )
    by_user_school = {(m.user_id, m.school_id): m for m in memberships}
    by_source: dict[str, User] = {}
    for m in memberships:
        if m.source_id:
            by_source.setdefault(m.source_id, m.user)
    enabled = [p for p in roster.people.values() if p.enabled and p.schools]
    users_by_email: dict[str, User] = {}
    for batch in chunked([p.email for p in enabled]):
        users_by_email.update({u.email: u for u in User.objects.filter(email__in=batch)})
    leavers = set(
        SourceRecord.objects.filter(
            school__in=existing_schools, kind=SourceRecord.Kind.LEAVER
        ).values_list("school_id", "object_id")
    )
    kept: set[int] = set()
    claimed: dict[int, Person] = {}
    for person in enabled:
        by_sid = by_source.get(person.sid)
        by_email = users_by_email.get(person.email)
        if by_sid and by_email and by_sid.pk != by_email.pk:
            problems.add(
                "users.csv",
                person.line,
                "email",
                f"The email {person.email} already belongs to another person in Coachroom "
                f"({by_email.full_name}).",
            )
            continue
        user = by_sid or by_email
        if user is not None and user.pk in claimed:
            problems.add(
                "users.csv",
                person.line,
                "email",
                f"This row and line {claimed[user.pk].line} are both {user.full_name} "
                f"({user.email}) in Coachroom.",
            )
            continue
        if user is not None:
            claimed[user.pk] = person
        pp = PersonPlan(person, user)
        if user is not None:
            wanted: dict[str, Any] = {
                "first_name": person.first_name,
                "last_name": person.last_name,
                "email": person.email,
            }
            if not user.source_id:
                wanted["source_id"] = person.sid
            pp.fields = _diff(user, wanted)
        plan.people.append(pp)
        for school_sid in person.schools:
            school = schools[school_sid]
            label = f"{person.first_name} {person.last_name} <{person.email}>"
            if many:
                label += f" at {names[school_sid]}"
            teaching = person.teaching.get(school_sid)
            membership = by_user_school.get((user.pk, school.pk)) if user and school else None
            if membership is None:
                mp = MembershipPlan(pp, school_sid, None, _new_membership_fields(person, teaching))
                plan.memberships.append(mp)
                plan.changes.append(Change("create", "staff", label, _new_detail(mp.fields)))
                continue
            kept.add(membership.pk)
            mp = MembershipPlan(pp, school_sid, membership)
            wanted = {"source_id": person.sid}
            wanted["is_teacher" if person.role == "teacher" else "is_school_admin"] = True
            if teaching is not None:
                wanted["subjects"] = join_subjects(teaching.subjects)
                wanted["key_stages"] = join_key_stages(teaching.key_stages)
            mp.fields = _diff(membership, wanted)
            if not membership.is_active:
                if (membership.school_id, membership.pk) in leavers:
                    mp.reactivate = True
                else:
                    plan.notes.append(
                        f"{person.first_name} {person.last_name} is in the export but was "
                        f"deactivated by hand at {membership.school.name}; reactivate them on "
                        "the staff page if they are back."
                    )
            plan.memberships.append(mp)
            if mp.fields or pp.fields or mp.reactivate:
                parts = [_fields_text({**pp.fields, **mp.fields})] if mp.fields or pp.fields else []
                if mp.reactivate:
                    parts.append("reactivated: back in the export")
                plan.changes.append(Change("update", "staff", label, "; ".join(parts)))
    for m in memberships:
        if not m.is_active or not m.source_id or m.pk in kept:
            continue
        if actor is not None and m.user_id == actor.pk:
            plan.notes.append(
                f"You are not in this export, so you would have left {m.school.name}; "
                "you have been kept. Another school admin can deactivate you."
            )
            continue
        pairs = (
            CoachingRelationship.objects.current()
            .filter(school=m.school)
            .filter(Q(coach=m.user) | Q(coachee=m.user))
            .count()
        )
        label = f"{m.user.full_name} <{m.user.email}>" + (f" at {m.school.name}" if many else "")
        detail = "not in the export"
        if pairs:
            detail += f"; {pairs} coaching {'pair ends' if pairs == 1 else 'pairs end'}"
        plan.deactivate.append(m)
        plan.changes.append(Change("deactivate", "staff", label, detail + "; history kept"))


def _new_membership_fields(person: Person, teaching: Teaching | None) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "is_teacher": person.role == "teacher",
        "is_school_admin": person.role == "administrator",
        "source_id": person.sid,
    }
    if teaching is not None:
        fields["subjects"] = join_subjects(teaching.subjects)
        fields["key_stages"] = join_key_stages(teaching.key_stages)
    return fields


def _new_detail(fields: dict[str, Any]) -> str:
    parts = ["school admin" if fields["is_school_admin"] else "teacher"]
    if fields.get("subjects"):
        parts.append(fields["subjects"])
    if fields.get("key_stages"):
        parts.append(fields["key_stages"])
    return "; ".join(parts)


# Writing ------------------------------------------------------------------------------------


def apply_plan(plan: Plan) -> list[School]:
    """Make the planned changes (the caller holds the transaction); return the schools."""
    for tp in plan.trusts:
        if tp.trust is None:
            tp.trust = Trust.objects.create(
                name=tp.name[:200], source_id=tp.org.sid if tp.org else ""
            )
        elif tp.fields:
            for name, value in tp.fields.items():
                setattr(tp.trust, name, value)
            tp.trust.save(update_fields=list(tp.fields))
    schools: dict[str, School] = {}
    for sid, sp in plan.schools.items():
        if sp.school is None:
            assert sp.trust is not None and sp.trust.trust is not None  # noqa: S101
            sp.school = School.objects.create(
                trust=sp.trust.trust,
                name=sp.org.name[:200],
                urn=sp.org.urn,
                phase=guess_phase(sp.org.name),
                source_id=sid,
            )
        elif sp.fields:
            for name, value in sp.fields.items():
                setattr(sp.school, name, value)
            sp.school.save(update_fields=list(sp.fields))
        schools[sid] = sp.school
    for yp in plan.years:
        _apply_year(yp, schools[yp.school_sid])
    for pp in plan.people:
        if pp.user is None:
            p = pp.person
            pp.user = User.objects.create_user(
                p.email, first_name=p.first_name, last_name=p.last_name, source_id=p.sid
            )
        elif pp.fields:
            for name, value in pp.fields.items():
                setattr(pp.user, name, value)
            pp.user.save(update_fields=list(pp.fields))
    for mp in plan.memberships:
        school = schools[mp.school_sid]
        assert mp.person.user is not None  # noqa: S101
        if mp.membership is None:
            Membership.objects.create(user=mp.person.user, school=school, **mp.fields)
            continue
        m = mp.membership
        fields = dict(mp.fields)
        if mp.reactivate:
            fields.update(is_active=True, deactivated_at=None)
            SourceRecord.objects.filter(
                school=school, kind=SourceRecord.Kind.LEAVER, object_id=m.pk
            ).delete()
        if fields:
            for name, value in fields.items():
                setattr(m, name, value)
            m.save(update_fields=list(fields))
    for m in plan.deactivate:
        deactivate_membership(m)
    return list(schools.values())


def deactivate_membership(membership: Membership) -> int:
    """As `accounts.services.staff_deactivate`: the person leaves the school's active staff and
    their current pairs end today; nothing is deleted. The import's one audit entry stands in
    for the per-person entries. Returns the number of pairs ended."""
    membership.is_active = False
    membership.deactivated_at = timezone.now()
    membership.save(update_fields=["is_active", "deactivated_at"])
    ended = (
        CoachingRelationship.objects.current()
        .filter(school=membership.school)
        .filter(Q(coach=membership.user) | Q(coachee=membership.user))
        .update(ended_on=timezone.localdate())
    )
    SourceRecord.objects.update_or_create(
        school=membership.school,
        kind=SourceRecord.Kind.LEAVER,
        sourced_id=membership.source_id,
        defaults={"object_id": membership.pk},
    )
    return ended


def _apply_year(yp: YearPlan, school: School) -> None:
    year = yp.year
    if year is None:
        year = AcademicYear.objects.create(school=school, **yp.fields)
    elif yp.fields:
        for name, value in yp.fields.items():
            setattr(year, name, value)
        year.save(update_fields=list(yp.fields))
    _remember(school, SourceRecord.Kind.ACADEMIC_YEAR, yp.key, year.pk)
    removed = [t.pk for t in yp.remove]
    if removed:
        Term.objects.filter(pk__in=removed).delete()  # calendar rows only; nothing hangs off them
        SourceRecord.objects.filter(
            school=school, kind=SourceRecord.Kind.TERM, object_id__in=removed
        ).delete()
    for tp in yp.terms:
        term = tp.term
        if term is None:
            term = Term.objects.create(school=school, academic_year=year, **tp.fields)
        elif tp.fields:
            for name, value in tp.fields.items():
                setattr(term, name, value)
            term.save(update_fields=list(tp.fields))
        _remember(school, SourceRecord.Kind.TERM, tp.session.sid, term.pk)


def _remember(school: School, kind: str, sourced_id: str, object_id: int) -> None:
    SourceRecord.objects.update_or_create(
        school=school, kind=kind, sourced_id=sourced_id, defaults={"object_id": object_id}
    )
