"""The simple staff CSV: one row per person, optionally naming their coach.

Columns: email, first_name, last_name, roles ("teacher; coach"), and optionally coach_email,
job_title, ect (yes/no), subjects ("Maths; Physics") and phase (the phase taught). The download
template is `data/staff_template.csv`.

Like the OneRoster import it reads and checks everything first (`read_staff_csv`), works out
the changes against the database (`plan_staff_csv`) and only then writes (`apply_staff_plan`).
Imports add roles and never take them away; a person's roles are changed on the staff page.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone

from coachroom.accounts.identity import (
    IDENTITY_LOCKED,
    OUTSIDE_SCHOOL,
    emails_outside_school,
    may_change_identity,
    school_staff_by_email,
)
from coachroom.accounts.models import (
    ROLE_FIELDS,
    AcademicYear,
    CoachingRelationship,
    Membership,
    Role,
    School,
    TaughtPhase,
    User,
)
from coachroom.imports import staff_induction
from coachroom.imports.common import Change, Problems, Progress, count_rows, decode, read_table
from coachroom.imports.staff_induction import InductionColumns
from coachroom.induction import setup as induction_setup
from coachroom.induction.models import Induction

FILE = "staff CSV"
REQUIRED = ("email", "first_name", "last_name", "roles")
OPTIONAL = ("coach_email", "job_title", "ect", "subjects", "phase", *staff_induction.COLUMNS)
PHASE_WORDS = {
    **{value: value for value in TaughtPhase.values},
    **{str(label).lower(): value for value, label in TaughtPhase.choices},
}
TEMPLATE_PATH = Path(__file__).parent / "data" / "staff_template.csv"
TEMPLATE_EMAILS = {"sam.example@your-school.example", "alex.example@your-school.example"}

ROLE_WORDS: dict[str, Role] = {
    "teacher": Role.TEACHER,
    "coach": Role.COACH,
    "mentor": Role.COACH,
    "coaching lead": Role.COACHING_LEAD,
    "lead": Role.COACHING_LEAD,
    "senior leader": Role.SENIOR_LEADER,
    "slt": Role.SENIOR_LEADER,
    "school admin": Role.SCHOOL_ADMIN,
    "admin": Role.SCHOOL_ADMIN,
    "induction tutor": Role.INDUCTION_TUTOR,
    "tutor": Role.INDUCTION_TUTOR,
}
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0", ""}


@dataclass
class StaffRow:
    line: int
    email: str
    first_name: str
    last_name: str
    roles: set[Role]
    job_title: str
    ect: bool | None
    coach_email: str
    induction: InductionColumns | None = None
    subjects: str = ""  # blank: an existing member keeps theirs
    phase: str = ""


def parse_roles(text: str) -> tuple[set[Role], list[str]]:
    """("teacher; coach") → the roles, and any words that are not roles."""
    roles: set[Role] = set()
    unknown: list[str] = []
    for word in re.split(r"[;,/|]", text):
        key = re.sub(r"[\s_-]+", " ", word.strip().lower())
        if not key:
            continue
        if key in ROLE_WORDS:
            roles.add(ROLE_WORDS[key])
        else:
            unknown.append(word.strip())
    return roles, unknown


def read_staff_csv(
    data: bytes, problems: Problems, *, progress: Progress | None = None
) -> list[StaffRow]:
    text = decode(FILE, data, problems)
    if text is None:
        return []
    total = count_rows(text)
    done = 0

    def tick(n: int) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress(min(done, total), total, "Reading the staff CSV")

    table = read_table(
        FILE, text, required=REQUIRED, optional=OPTIONAL, problems=problems, progress=tick
    )
    if progress is not None:
        progress(total, total, "Checking the staff CSV")
    if table is None:
        return []
    rows: list[StaffRow] = []
    emails: dict[str, int] = {}
    for line, row in table.rows:
        rows.append(_read_row(line, row, emails, problems))
    return rows


def _read_row(
    line: int, row: dict[str, str], emails: dict[str, int], problems: Problems
) -> StaffRow:
    """One row, checked: its problems go to `problems`."""
    email = row["email"].lower()
    if not email:
        problems.add(FILE, line, "email", "The email is blank; Coachroom uses it to sign in.")
    elif email in TEMPLATE_EMAILS:
        problems.add(FILE, line, "email", "This is the template's example row; delete it.")
    elif not _is_email(email):
        problems.add(FILE, line, "email", f"“{row['email']}” is not an email address.")
    elif email in emails:
        problems.add(FILE, line, "email", f"{email} is also on line {emails[email]}.")
    else:
        emails[email] = line
    for column, label in (("first_name", "first name"), ("last_name", "last name")):
        if not row[column]:
            problems.add(FILE, line, column, f"The {label} is blank.")
        elif len(row[column]) > 100:
            problems.add(FILE, line, column, f"The {label} is over 100 characters.")
    roles, unknown = parse_roles(row["roles"])
    for word in unknown:
        problems.add(
            FILE,
            line,
            "roles",
            f"“{word}” is not a role. Use teacher, coach, coaching lead, senior leader, "
            "school admin or induction tutor, separated by semicolons.",
        )
    job_title = row.get("job_title", "")
    if len(job_title) > 100:
        problems.add(FILE, line, "job_title", "The job title is over 100 characters.")
    ect = _read_ect(line, row, problems)
    coach_email = row.get("coach_email", "").lower()
    if coach_email and not _is_email(coach_email):
        problems.add(FILE, line, "coach_email", f"“{row['coach_email']}” is not an email address.")
        coach_email = ""
    elif coach_email and coach_email == email:
        problems.add(FILE, line, "coach_email", "A person cannot be their own coach.")
        coach_email = ""
    subjects, phase = _read_teaching(line, row, problems)
    induction = staff_induction.read_induction(FILE, line, row, problems)
    if induction is not None and ect is False:
        problems.add(FILE, line, "ect", "ect says no, but the induction columns are filled in.")
    elif induction is not None:
        ect = True  # an induction makes them an ECT, and their coach their mentor
    return StaffRow(
        line=line,
        email=email,
        first_name=row["first_name"],
        last_name=row["last_name"],
        roles=roles,
        job_title=job_title,
        ect=ect,
        coach_email=coach_email,
        induction=induction,
        subjects=subjects,
        phase=phase,
    )


def _read_teaching(line: int, row: dict[str, str], problems: Problems) -> tuple[str, str]:
    """Subjects separated by semicolons (or commas), stored as "Maths, Physics"; the phase
    taught as primary, secondary, special or alternative provision."""
    subjects = ", ".join(s.strip() for s in re.split(r"[;,]", row.get("subjects", "")) if s.strip())
    if len(subjects) > 200:
        problems.add(FILE, line, "subjects", "The subjects are over 200 characters.")
        subjects = ""
    text = row.get("phase", "").strip().lower()
    phase = PHASE_WORDS.get(text, "")
    if text and not phase:
        problems.add(
            FILE,
            line,
            "phase",
            f"“{row['phase']}” is not a phase. Use primary, secondary, special or "
            "alternative provision, or leave it blank.",
        )
    return subjects, phase


def _read_ect(line: int, row: dict[str, str], problems: Problems) -> bool | None:
    """yes, no, or None when blank (an existing member keeps their flag)."""
    text = row.get("ect", "").lower()
    if text in YES:
        return True
    if text and text in NO:
        return False
    if text:
        problems.add(FILE, line, "ect", f"ect must be yes or no; found “{row['ect']}”.")
    return None


def _is_email(value: str) -> bool:
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


@dataclass
class RowPlan:
    row: StaffRow | None  # None: an existing member named as a coach, not in the file
    user: User | None
    membership: Membership | None
    user_fields: dict[str, Any] = field(default_factory=dict)
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass
class PairPlan:
    coach: RowPlan
    coachee: RowPlan
    kind: str


@dataclass
class InductionPlan:
    ect: RowPlan
    mentor: RowPlan | None
    tutor: RowPlan | None
    columns: InductionColumns


@dataclass
class StaffPlan:
    school: School
    year: AcademicYear | None
    actor: User | None = None
    rows: list[RowPlan] = field(default_factory=list)
    pairs: list[PairPlan] = field(default_factory=list)
    inductions: list[InductionPlan] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def plan_staff_csv(
    rows: list[StaffRow],
    school: School,
    problems: Problems,
    *,
    actor: User | None = None,
    today: dt.date | None = None,
) -> StaffPlan:
    """The changes the rows would make at `school`. People are matched only among the
    school's own staff; an email of any other account is a problem, never a match."""
    today = today or timezone.localdate()
    plan = StaffPlan(school=school, year=school.current_year(today), actor=actor)
    named = [r.coach_email for r in rows if r.coach_email] + [
        r.induction.tutor_email for r in rows if r.induction and r.induction.tutor_email
    ]
    users = school_staff_by_email(school, [r.email for r in rows] + named)
    outside = emails_outside_school(school, [r.email for r in rows])
    memberships = {
        m.user_id: m
        for m in Membership.objects.for_school(school).filter(user__in=list(users.values()))
    }
    by_email: dict[str, RowPlan] = {}
    for row in rows:
        if row.email in outside:
            problems.add(FILE, row.line, "email", OUTSIDE_SCHOOL.format(school=school.name))
            continue
        user = users.get(row.email)
        rp = _row_plan(row, user, memberships.get(user.pk) if user else None)
        if user and rp.user_fields and not may_change_identity(actor, user, school=school):
            plan.notes.append(
                f"{_label(rp)}: the file has a different name, left as it is. {IDENTITY_LOCKED}"
            )
            rp.user_fields = {}
        plan.rows.append(rp)
        by_email[row.email] = rp
    for row in rows:
        if row.coach_email and row.email in by_email:
            _plan_pair(row, plan, by_email, users, memberships, problems, today)
    _plan_inductions(rows, plan, by_email, users, memberships, problems)
    _describe(plan)
    return plan


def _row_plan(row: StaffRow, user: User | None, membership: Membership | None) -> RowPlan:
    rp = RowPlan(row, user, membership)
    if user is not None:
        rp.user_fields = _diff(user, {"first_name": row.first_name, "last_name": row.last_name})
    if membership is None:
        roles = row.roles or {Role.TEACHER}
        rp.fields = {field: role in roles for role, field in ROLE_FIELDS.items()}
        rp.fields.update(
            job_title=row.job_title, is_ect=bool(row.ect), subjects=row.subjects, phase=row.phase
        )
        return rp
    wanted: dict[str, Any] = {f: True for r, f in ROLE_FIELDS.items() if r in row.roles}
    if row.job_title:
        wanted["job_title"] = row.job_title
    if row.ect is not None:
        wanted["is_ect"] = row.ect
    wanted.update({k: v for k, v in (("subjects", row.subjects), ("phase", row.phase)) if v})
    if not membership.is_active:
        wanted.update(is_active=True, deactivated_at=None)
    rp.fields = _diff(membership, wanted)
    return rp


def _plan_pair(
    row: StaffRow,
    plan: StaffPlan,
    by_email: dict[str, RowPlan],
    users: dict[str, User],
    memberships: dict[int, Membership],
    problems: Problems,
    today: dt.date,
) -> None:
    school = plan.school
    coach = by_email.get(row.coach_email)
    if coach is None:
        user = users.get(row.coach_email)
        membership = memberships.get(user.pk) if user else None
        if user is None or membership is None:
            problems.add(
                FILE,
                row.line,
                "coach_email",
                f"No one with the email {row.coach_email} is on the staff list or in this file.",
            )
            return
        if not membership.is_active:
            problems.add(
                FILE,
                row.line,
                "coach_email",
                f"{user.full_name} is deactivated at {school.name}; reactivate them first.",
            )
            return
        coach = RowPlan(None, user, membership)
        plan.rows.append(coach)
        by_email[row.coach_email] = coach
    if plan.year is None:
        problems.add(
            FILE,
            row.line,
            "coach_email",
            f"{school.name} has no academic year yet, so no coaching pair can be made. Add "
            "the year on the Calendar page first.",
        )
        return
    _make_coach(coach)
    coachee = by_email[row.email]
    if (
        coach.user is not None
        and coachee.user is not None
        and CoachingRelationship.objects.current(today)
        .filter(academic_year=plan.year, coach=coach.user, coachee=coachee.user)
        .exists()
    ):
        return
    is_ect = (
        row.ect if row.ect is not None else bool(coachee.membership and coachee.membership.is_ect)
    )
    kind = CoachingRelationship.Kind.ECF if is_ect else CoachingRelationship.Kind.INSTRUCTIONAL
    plan.pairs.append(PairPlan(coach, coachee, kind))


def _plan_inductions(
    rows: list[StaffRow],
    plan: StaffPlan,
    by_email: dict[str, RowPlan],
    users: dict[str, User],
    memberships: dict[int, Membership],
    problems: Problems,
) -> None:
    """An induction for each row with induction columns, unless the ECT already has one here
    (then the file changes nothing: the induction page is where it changes)."""
    wanted = [r for r in rows if r.induction is not None and r.email in by_email]
    known = {by_email[r.email].user for r in wanted} - {None}
    taken = set(
        Induction.objects.filter(school=plan.school, ect__in=known).values_list("ect", flat=True)
    )
    for row in wanted:
        assert row.induction is not None  # noqa: S101 - filtered above
        ect = by_email[row.email]
        if ect.user is not None and ect.user.pk in taken:
            plan.notes.append(f"{_label(ect)}: induction already set up; left as it is.")
            continue
        tutor = _induction_tutor(row, by_email, users, memberships, problems)
        mentor = by_email.get(row.coach_email) if row.coach_email else None
        if tutor is not None and tutor is mentor:
            problems.add(
                FILE,
                row.line,
                "induction_tutor_email",
                "The mentor (coach_email) and the induction tutor are the same person. Only a "
                "senior leader can allow that, with a reason, on the induction page.",
            )
            continue
        plan.inductions.append(InductionPlan(ect, mentor, tutor, row.induction))


def _induction_tutor(
    row: StaffRow,
    by_email: dict[str, RowPlan],
    users: dict[str, User],
    memberships: dict[int, Membership],
    problems: Problems,
) -> RowPlan | None:
    """The row's induction tutor: someone in the file or on the staff list who will hold the
    induction tutor role, and is not the ECT."""
    email = row.induction.tutor_email if row.induction else ""
    if not email:
        return None
    tutor = by_email.get(email)
    if tutor is None and (user := users.get(email)) is not None:
        membership = memberships.get(user.pk)
        tutor = RowPlan(None, user, membership) if membership else None
    if email == row.email or tutor is None or not _will_be_tutor(tutor):
        problems.add(
            FILE,
            row.line,
            "induction_tutor_email",
            f"No one else with the induction tutor role has the email {email}, on the staff "
            "list or in this file.",
        )
        return None
    return tutor


def _will_be_tutor(rp: RowPlan) -> bool:
    if rp.fields.get("is_induction_tutor"):
        return True
    return (
        rp.membership is not None and rp.membership.is_active and rp.membership.is_induction_tutor
    )


def _describe(plan: StaffPlan) -> None:
    for rp in plan.rows:
        label = _label(rp)
        if rp.membership is None:
            held = ", ".join(str(r.label).lower() for r, f in ROLE_FIELDS.items() if rp.fields[f])
            plan.changes.append(Change("create", "staff", label, held))
        elif rp.fields or rp.user_fields:
            described = (_describe_field(k, v) for k, v in {**rp.user_fields, **rp.fields}.items())
            detail = ", ".join(d for d in described if d)
            plan.changes.append(Change("update", "staff", label, detail))
    for pair in plan.pairs:
        plan.changes.append(
            Change(
                "create",
                "pair",
                f"{_name(pair.coach)} coaching {_name(pair.coachee)}",
                str(CoachingRelationship.Kind(pair.kind).label),
            )
        )
    for new in plan.inductions:
        detail = f"starting {new.columns.starts_on:%d/%m/%Y}, FTE {new.columns.fte}"
        if new.tutor is not None:
            detail += f", induction tutor {_name(new.tutor)}"
        plan.changes.append(Change("create", "induction", _name(new.ect), detail))


def _make_coach(rp: RowPlan) -> None:
    if rp.membership is None or not rp.membership.is_coach:
        rp.fields["is_coach"] = True


def _diff(obj: Any, wanted: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in wanted.items() if getattr(obj, k) != v}


def _name(rp: RowPlan) -> str:
    if rp.row is not None:
        return f"{rp.row.first_name} {rp.row.last_name}"
    return rp.user.full_name if rp.user else ""


def _label(rp: RowPlan) -> str:
    email = rp.row.email if rp.row else (rp.user.email if rp.user else "")
    return f"{_name(rp)} <{email}>"


ROLE_LABELS = {f: str(r.label).lower() for r, f in ROLE_FIELDS.items()}


def _describe_field(name: str, value: Any) -> str:
    if name in ROLE_LABELS:
        return f"{ROLE_LABELS[name]} role added"
    if name == "is_active":
        return "reactivated"
    if name == "deactivated_at":
        return ""
    if name == "is_ect":
        return "ECT" if value else "no longer ECT"
    if name == "phase":
        return "phase taught changed"
    return name.replace("_", " ") + " changed"


def apply_staff_plan(plan: StaffPlan) -> None:
    for rp in plan.rows:
        row = rp.row
        if rp.user is None:
            assert row is not None  # noqa: S101 - existing members always have a user
            rp.user = User.objects.create_user(
                row.email, first_name=row.first_name, last_name=row.last_name
            )
        elif rp.user_fields:
            for name, value in rp.user_fields.items():
                setattr(rp.user, name, value)
            rp.user.save(update_fields=list(rp.user_fields))
        if rp.membership is None:
            rp.membership = Membership.objects.create(user=rp.user, school=plan.school, **rp.fields)
        elif rp.fields:
            for name, value in rp.fields.items():
                setattr(rp.membership, name, value)
            rp.membership.save(update_fields=list(rp.fields))
    for pair in plan.pairs:
        assert plan.year is not None and pair.coach.user and pair.coachee.user  # noqa: S101
        CoachingRelationship.objects.create(
            school=plan.school,
            academic_year=plan.year,
            coach=pair.coach.user,
            coachee=pair.coachee.user,
            kind=pair.kind,
            started_on=timezone.localdate(),
        )
    for new in plan.inductions:
        assert new.ect.user is not None  # noqa: S101 - every row has its user by now
        induction_setup.induction_set_up(
            school=plan.school,
            ect=new.ect.user,
            details=induction_setup.InductionDetails(
                starts_on=new.columns.starts_on,
                fte=new.columns.fte,
                appropriate_body=new.columns.appropriate_body,
                mentor=new.mentor.user if new.mentor else None,
                tutor=new.tutor.user if new.tutor else None,
            ),
            by=plan.actor,
        )


def template_csv() -> bytes:
    return TEMPLATE_PATH.read_bytes()
