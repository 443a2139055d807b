"""Reading users, courses, classes and enrolments: who the staff are and what they teach."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from coachroom.imports.common import Problems, Table
from coachroom.imports.oneroster.roster import (
    Course,
    Klass,
    Person,
    Roster,
    Teaching,
    deleted,
    school_of,
    split,
    unique_sid,
)
from coachroom.imports.oneroster.spec import STAFF_ROLES
from coachroom.imports.oneroster.teaching import key_stages_from_grades, key_stages_from_title


def read_users(table: Table, roster: Roster, problems: Problems) -> None:
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
        if deleted(row):
            continue
        orgs = split(row["orgSourcedIds"])
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
        ok = unique_sid(sid, seen, problems, table.name, line, "user")
        enabled_text = row["enabledUser"].lower()
        email = _check_person(table.name, line, row, emails, problems)
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


def _check_person(
    file: str, line: int, row: dict[str, str], emails: dict[str, int], problems: Problems
) -> str:
    """Check a staff row's enabledUser, names and email; return the email, lower-cased."""
    enabled_text = row["enabledUser"].lower()
    if enabled_text not in {"true", "false"}:
        found = f"found “{row['enabledUser']}”" if row["enabledUser"] else "it is blank"
        problems.add(file, line, "enabledUser", f"enabledUser must be true or false; {found}.")
    for column, label in (("givenName", "first name"), ("familyName", "last name")):
        if not row[column]:
            problems.add(file, line, column, f"The {column} ({label}) is blank.")
        elif len(row[column]) > 100:
            problems.add(file, line, column, f"The {column} is over 100 characters.")
    email = row["email"].lower()
    if not email:
        problems.add(
            file,
            line,
            "email",
            "This member of staff has no email address; Coachroom needs one to sign them in.",
        )
        return email
    try:
        validate_email(email)
    except ValidationError:
        problems.add(file, line, "email", f"“{row['email']}” is not an email address.")
        return email
    if email in emails:
        problems.add(
            file, line, "email", f"The email {email} is also used on line {emails[email]}."
        )
    emails.setdefault(email, line)
    return email


def read_courses(table: Table, roster: Roster, problems: Problems) -> dict[str, Course]:
    courses: dict[str, Course] = {}
    seen: dict[str, int] = {}
    for line, row in table.rows:
        if deleted(row):
            continue
        sid = row["sourcedId"]
        ok = unique_sid(sid, seen, problems, table.name, line, "course")
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
                split(row.get("subjects", "")),
                split(row.get("grades", "")),
            )
    return courses


def read_classes(
    table: Table, roster: Roster, courses: dict[str, Course] | None, problems: Problems
) -> tuple[dict[str, Klass], set[str]]:
    classes: dict[str, Klass] = {}
    elsewhere: set[str] = set()  # classes at schools outside this import
    seen: dict[str, int] = {}
    scope = set(roster.scope)
    for line, row in table.rows:
        if deleted(row):
            continue
        sid = row["sourcedId"]
        org = row["schoolSourcedId"]
        school = school_of(roster, org)
        if org and org in roster.orgs and school not in scope:
            elsewhere.add(sid)
            continue
        ok = unique_sid(sid, seen, problems, table.name, line, "class")
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
        for term in split(row["termSourcedIds"]):
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
                split(row.get("subjects", "")),
                split(row.get("grades", "")),
            )
    return classes, elsewhere


def read_enrollments(
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
        if deleted(row):
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
