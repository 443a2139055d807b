"""Step 1: read and check every file, collecting every problem (file, line, column).

Pupil, parent and guardian rows are dropped as they are read: only their `role` is looked
at, and nothing else about them is kept, counted by name or reported.
"""

from __future__ import annotations

from coachroom.imports.common import Problems, Progress, Table, count_rows, decode, read_table
from coachroom.imports.oneroster.read_people import (
    read_classes,
    read_courses,
    read_enrollments,
    read_users,
)
from coachroom.imports.oneroster.roster import Org, Roster, Session, date, deleted, unique_sid
from coachroom.imports.oneroster.spec import (
    ALL_FILES,
    CLASSIFIERS,
    COLUMNS,
    ORG_TYPES,
    REQUIRED_FILES,
    SESSION_TYPES,
    URN,
    YEAR,
    Bundle,
    canonical,
)


def read_roster(
    bundle: Bundle,
    problems: Problems,
    *,
    school_urn: str | None = None,
    progress: Progress | None = None,
) -> Roster:
    """Check every file and return what Coachroom needs from them; problems go to `problems`."""
    roster = Roster()
    tables = _tables(bundle, roster, problems, progress)
    if "manifest.csv" in tables:
        _read_manifest(tables["manifest.csv"], problems)
    if "orgs.csv" in tables:
        _read_orgs(tables["orgs.csv"], roster, problems, school_urn)
    if "academicSessions.csv" in tables:
        _read_sessions(tables["academicSessions.csv"], roster, problems)
    if "users.csv" in tables and "orgs.csv" in tables:
        read_users(tables["users.csv"], roster, problems)
    courses = (
        read_courses(tables["courses.csv"], roster, problems) if "courses.csv" in tables else None
    )
    if "classes.csv" in tables and "orgs.csv" in tables:
        classes, elsewhere = read_classes(tables["classes.csv"], roster, courses, problems)
        if "enrollments.csv" in tables and "users.csv" in tables:
            read_enrollments(
                tables["enrollments.csv"], roster, classes, elsewhere, courses, problems
            )
    return roster


def _texts(bundle: Bundle, problems: Problems) -> dict[str, str]:
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
    return texts


def _tables(
    bundle: Bundle, roster: Roster, problems: Problems, progress: Progress | None
) -> dict[str, Table]:
    """Each file's header checked and its kept rows, with progress by rows read."""
    texts = _texts(bundle, problems)
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
    return tables


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
            name = canonical(prop[5:] + ".csv")
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
        if deleted(row):
            continue
        sid = row["sourcedId"]
        ok = unique_sid(sid, seen, problems, table.name, line, "org")
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


def _read_sessions(table: Table, roster: Roster, problems: Problems) -> None:
    roster.sessions_read = True
    seen: dict[str, int] = {}
    years: dict[int, int] = {}
    for line, row in table.rows:
        if deleted(row):
            continue
        sid = row["sourcedId"]
        ok = unique_sid(sid, seen, problems, table.name, line, "session")
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
        start = date(row["startDate"], problems, table.name, line, "startDate")
        end = date(row["endDate"], problems, table.name, line, "endDate")
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
    _check_session_links(table.name, roster, problems)


def _check_session_links(file: str, roster: Roster, problems: Problems) -> None:
    """Every parent session exists, and every term falls inside its school year."""
    for session in roster.sessions.values():
        if session.parent and session.parent not in roster.sessions:
            problems.add(
                file,
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
                file,
                session.line,
                "startDate" if session.start < year.start else "endDate",
                f"This {session.type} falls outside its school year "
                f"({year.start:%d/%m/%Y} to {year.end:%d/%m/%Y}).",
            )
