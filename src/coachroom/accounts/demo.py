"""The demo trust, its schools, its people and its coaching pairs."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from coachroom.accounts.calendar import academic_start_year
from coachroom.accounts.models import (
    AcademicYear,
    CoachingRelationship,
    Membership,
    School,
    Trust,
    User,
)
from coachroom.accounts.services import academic_year_create
from coachroom.core.demo import DEMO_PASSWORD, DemoAccount, DemoContext

# (key, first, last, job title, roles, ECT, subjects)
OAKFIELD = [
    (
        "oak-head",
        "Helen",
        "Morgan",
        "Headteacher, induction tutor",
        "school_admin senior_leader induction_tutor teacher",
        False,
        "",
    ),
    (
        "oak-lead",
        "Priya",
        "Shah",
        "Deputy head, coaching lead",
        "coaching_lead coach teacher",
        False,
        "Maths",
    ),
    ("oak-coach1", "Daniel", "Okafor", "Year 4 teacher, coach", "coach teacher", False, "Science"),
    ("oak-coach2", "Rachel", "Hughes", "EYFS lead, coach", "coach teacher", False, "Early years"),
    ("oak-t1", "Tom", "Barker", "Year 1 teacher", "teacher", True, "Phonics"),
    ("oak-t2", "Aisha", "Rahman", "Year 2 teacher", "teacher", False, ""),
    ("oak-t3", "Chloe", "Evans", "Year 3 teacher", "teacher", True, ""),
    ("oak-t4", "Sam", "Whitfield", "Year 5 teacher", "teacher", False, "Music"),
    ("oak-t5", "Grace", "Lewis", "Year 6 teacher", "teacher", False, "English"),
    ("oak-t6", "Ben", "Carter", "Reception teacher", "teacher", True, "Early years"),
    ("oak-t7", "Megan", "Price", "Year 3/4 teacher", "teacher", False, ""),
]
ELMWOOD = [
    ("elm-head", "Marcus", "Reid", "Principal", "school_admin senior_leader", False, ""),
    (
        "elm-slt",
        "Fiona",
        "Campbell",
        "Deputy principal, data protection lead, induction tutor",
        "senior_leader teacher data_protection_lead induction_tutor",
        False,
        "History",
    ),
    (
        "elm-lead",
        "James",
        "Patel",
        "Assistant principal, coaching lead",
        "coaching_lead coach teacher",
        False,
        "Science",
    ),
    ("elm-coach1", "Sophie", "Turner", "Head of English, coach", "coach teacher", False, "English"),
    ("elm-coach2", "Kwame", "Mensah", "Maths teacher, coach", "coach teacher", False, "Maths"),
    ("elm-t1", "Lucy", "Ward", "Science teacher", "teacher", True, "Science"),
    ("elm-t2", "Oliver", "Hart", "History teacher", "teacher", False, "History"),
    ("elm-t3", "Zara", "Hussain", "Maths teacher", "teacher", True, "Maths"),
    ("elm-t4", "Ethan", "Doyle", "Geography teacher", "teacher", False, "Geography"),
    ("elm-t5", "Hannah", "Fletcher", "English teacher", "teacher", False, "English"),
    ("elm-t6", "Ryan", "Murphy", "PE teacher", "teacher", True, "PE"),
    ("elm-t7", "Isla", "Graham", "Modern languages teacher", "teacher", False, "Modern languages"),
    ("elm-t8", "Noah", "Bennett", "Computing teacher", "teacher", False, "Computing"),
    ("elm-t9", "Amelia", "Clarke", "Art teacher", "teacher", True, "Art"),
]
# coach key -> coachee keys; leads and coaches are coached too
PAIRS = {
    "oak-lead": ["oak-t1", "oak-coach1"],
    "oak-coach1": ["oak-t2", "oak-t3", "oak-t4"],
    "oak-coach2": ["oak-t5", "oak-t6", "oak-lead"],
    "elm-lead": ["elm-t1", "elm-t2", "elm-coach1"],
    "elm-coach1": ["elm-t3", "elm-t4", "elm-t5", "elm-lead"],
    "elm-coach2": ["elm-t6", "elm-t7", "elm-t8", "elm-slt"],
}
ECF_MENTORED = {"oak-t1", "oak-t6", "elm-t1", "elm-t6"}


def load(ctx: DemoContext) -> None:
    trust = Trust.objects.create(name="Riverside Learning Trust")
    ctx.trust = trust
    oak = School.objects.create(
        trust=trust,
        name="Oakfield Primary School",
        urn="143201",
        phase="primary",
        key_stages="EYFS, KS1, KS2",
    )
    elm = School.objects.create(
        trust=trust,
        name="Elmwood Academy",
        urn="143202",
        phase="secondary",
        key_stages="KS3, KS4, KS5",
        sightings_to_secure=2,
    )
    ctx.schools = {"oak": oak, "elm": elm}
    start_year = academic_start_year(timezone.localdate())
    years = {
        key: academic_year_create(school=s, by=None, start_year=start_year)
        for key, s in ctx.schools.items()
    }
    _add_staff(ctx, oak, OAKFIELD, "oakfield.example")
    _add_staff(ctx, elm, ELMWOOD, "elmwood.example")
    admin = User.objects.create_user(
        "trust.admin@riverside.example", DEMO_PASSWORD, first_name="Joanna", last_name="Kerr"
    )
    trust.admins.add(admin)
    ctx.people["trust-admin"] = admin
    ctx.accounts.append(DemoAccount(admin.email, admin.full_name, trust.name, "trust admin"))
    _add_pairs(ctx, years)


def _add_staff(
    ctx: DemoContext,
    school: School,
    staff: list[tuple[str, str, str, str, str, bool, str]],
    domain: str,
) -> None:
    """One account and membership per person; each is listed on the demo sign-in page."""
    for key, first, last, title, roles, ect, subjects in staff:
        email = f"{first}.{last}@{domain}".lower()
        user = User.objects.create_user(email, DEMO_PASSWORD, first_name=first, last_name=last)
        role_set = set(roles.split())
        Membership.objects.create(
            user=user,
            school=school,
            job_title=title,
            is_ect=ect,
            subjects=subjects,
            is_school_admin="school_admin" in role_set,
            is_senior_leader="senior_leader" in role_set,
            is_coaching_lead="coaching_lead" in role_set,
            is_coach="coach" in role_set,
            is_teacher="teacher" in role_set,
            is_data_protection_lead="data_protection_lead" in role_set,
            is_induction_tutor="induction_tutor" in role_set,
            invited_at=timezone.now(),
        )
        ctx.people[key] = user
        label = ", ".join(r.replace("_", " ") for r in roles.split()) + (", ECT" if ect else "")
        ctx.accounts.append(DemoAccount(email, user.full_name, school.name, label))


def _add_pairs(ctx: DemoContext, years: dict[str, AcademicYear]) -> None:
    """The coaching pairs in PAIRS, all started on the first day of the first term."""
    term_start = years["oak"].terms.order_by("starts_on").first()
    started = term_start.starts_on if term_start else timezone.localdate() - dt.timedelta(days=60)
    for coach_key, coachee_keys in PAIRS.items():
        school_key = coach_key.split("-")[0]
        for coachee_key in coachee_keys:
            CoachingRelationship.objects.create(
                school=ctx.schools[school_key],
                academic_year=years[school_key],
                coach=ctx.people[coach_key],
                coachee=ctx.people[coachee_key],
                kind="ecf" if coachee_key in ECF_MENTORED else "instructional",
                cadence="weekly",
                started_on=started,
                history_shared=coachee_key.endswith("1"),
            )
