"""The simple staff CSV: good files, every problem with its line and column, the template."""

from __future__ import annotations

import pytest

from coachroom.accounts.models import CoachingRelationship, Membership, User
from coachroom.audit.models import AuditEvent
from coachroom.imports import services, staff_csv
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

HEADER = "email,first_name,last_name,roles,coach_email,job_title,ect\n"
GOOD = HEADER + (
    "sam.lee@oak.example,Sam,Lee,teacher; coach,,Head of maths,no\n"
    "ria.shah@oak.example,Ria,Shah,Teacher,sam.lee@oak.example,Teacher of maths,yes\n"
    "tom.ng@oak.example,Tom,Ng,,bob@oak.example,,\n"
)


def run(text: str, school, *, dry_run: bool = False, actor=None):
    return services.staff_csv_import(
        data=text.encode(), school=school, actor=actor, dry_run=dry_run
    )


def test_a_good_file_adds_staff_roles_and_coaching_pairs(oak, oak_year, bob, admin):
    outcome = run(GOOD, oak, actor=admin)

    assert outcome.problems == []
    sam = Membership.objects.get(user__email="sam.lee@oak.example", school=oak)
    assert (sam.is_teacher, sam.is_coach, sam.job_title, sam.is_ect) == (
        True,
        True,
        "Head of maths",
        False,
    )
    ria = Membership.objects.get(user__email="ria.shah@oak.example")
    assert ria.is_ect and ria.is_teacher and not ria.is_coach
    assert not ria.user.has_usable_password()
    pair = CoachingRelationship.objects.get(coachee=ria.user)
    assert (pair.coach, pair.academic_year, pair.kind) == (sam.user, oak_year, "ecf")
    tom_pair = CoachingRelationship.objects.get(coachee__email="tom.ng@oak.example")
    assert (tom_pair.coach, tom_pair.kind) == (bob, "instructional")
    assert Membership.objects.get(user__email="tom.ng@oak.example").is_teacher  # blank → teacher
    assert outcome.counts == {"created": 5, "updated": 0, "deactivated": 0}
    event = AuditEvent.objects.get(action="imports.staff_csv.applied")
    assert (event.actor, event.school, event.data["created"]) == (admin, oak, 5)


def test_a_dry_run_lists_the_changes_and_writes_nothing(oak, oak_year, bob):
    outcome = run(GOOD, oak, dry_run=True)

    assert [str(c) for c in outcome.changes] == [
        "staff: Sam Lee <sam.lee@oak.example> (coach, teacher)",
        "staff: Ria Shah <ria.shah@oak.example> (teacher)",
        "staff: Tom Ng <tom.ng@oak.example> (teacher)",
        "pair: Sam Lee coaching Ria Shah (ECT mentoring)",
        "pair: Bob Example coaching Tom Ng (Instructional coaching)",
    ]
    assert (
        not User.objects.filter(email__endswith="@oak.example")
        .exclude(email="bob@oak.example")
        .exists()
    )
    assert not CoachingRelationship.objects.exists()


def test_importing_the_same_file_again_changes_nothing(oak, oak_year, bob):
    run(GOOD, oak)
    again = run(GOOD, oak)
    assert again.counts == {"created": 0, "updated": 0, "deactivated": 0}
    assert CoachingRelationship.objects.count() == 2


def test_existing_staff_gain_roles_but_never_lose_them(oak, oak_year, admin):
    text = HEADER + "admin@oak.example,Admin,Example,teacher; coach,,,\n"
    outcome = run(text, oak)
    membership = Membership.objects.get(user=admin, school=oak)
    assert membership.is_school_admin and membership.is_teacher and membership.is_coach
    assert [c.detail for c in outcome.changes] == ["coach role added, teacher role added"]


def test_a_named_coach_gets_the_coach_role(oak, oak_year, alice, carol):
    MembershipFactory(school=oak, user=UserFactory(email="new.coach@oak.example"), is_coach=False)
    text = HEADER + "alice@oak.example,Alice,Example,teacher,new.coach@oak.example,,\n"
    run(text, oak)
    assert Membership.objects.get(user__email="new.coach@oak.example").is_coach


def test_a_deactivated_member_listed_again_is_reactivated(oak, alice):
    Membership.objects.filter(user=alice).update(is_active=False)
    outcome = run(HEADER + "alice@oak.example,Alice,Example,teacher,,,\n", oak)
    assert Membership.objects.get(user=alice).is_active
    assert [c.detail for c in outcome.changes] == ["reactivated"]


PROBLEMS = {
    "blank email": (",Ann,Lee,teacher,,,", "email", "The email is blank"),
    "not an email": ("ann lee,Ann,Lee,teacher,,,", "email", "“ann lee” is not an email address"),
    "duplicate email": ("SAM.lee@oak.example,S,L,teacher,,,", "email", "is also on line 2"),
    "blank first name": ("ann@oak.example,,Lee,teacher,,,", "first_name", "first name is blank"),
    "unknown role": ("ann@oak.example,Ann,Lee,teacher; boss,,,", "roles", "“boss” is not a role"),
    "bad ect": ("ann@oak.example,Ann,Lee,teacher,,,maybe", "ect", "ect must be yes or no"),
    "own coach": ("ann@oak.example,Ann,Lee,teacher,ann@oak.example,,", "coach_email", "own coach"),
    "unknown coach": (
        "ann@oak.example,Ann,Lee,teacher,who@oak.example,,",
        "coach_email",
        "No one with the email who@oak.example is on the staff list or in this file.",
    ),
    "template row": (
        "sam.example@your-school.example,Sam,Example,teacher,,,",
        "email",
        "This is the template's example row; delete it.",
    ),
}


@pytest.mark.parametrize("case", sorted(PROBLEMS))
def test_each_problem_has_its_line_and_column_and_nothing_is_written(oak, oak_year, case):
    row, column, message = PROBLEMS[case]
    text = HEADER + "sam.lee@oak.example,Sam,Lee,teacher,,,\n" + row + "\n"

    outcome = run(text, oak)

    assert [(p.file, p.line, p.column) for p in outcome.problems] == [("staff CSV", 3, column)]
    assert message in outcome.problems[0].message
    assert not User.objects.filter(email="sam.lee@oak.example").exists()


def test_a_coach_needs_an_academic_year(oak, bob):
    outcome = run(HEADER + "ann@oak.example,Ann,Lee,teacher,bob@oak.example,,\n", oak)
    assert [(p.line, p.column) for p in outcome.problems] == [(2, "coach_email")]
    assert "has no academic year yet" in outcome.problems[0].message


def test_missing_columns_and_empty_files_are_problems(oak):
    outcome = run("email,first name,roles\n", oak)
    assert [str(p) for p in outcome.problems] == [
        "staff CSV, line 1, column first_name: The column “first_name” is missing from the "
        "first line.",
        "staff CSV, line 1, column last_name: The column “last_name” is missing from the "
        "first line.",
    ]
    assert [str(p) for p in run("", oak).problems] == [
        "staff CSV, line 1: The file is empty: the first line must name the columns."
    ]
    assert [str(p) for p in run(HEADER, oak).problems] == ["staff CSV: The file has no one in it."]


def test_the_template_has_the_columns_and_its_examples_must_be_replaced(oak, oak_year):
    text = staff_csv.template_csv().decode()
    assert text.splitlines()[0] == (
        "email,first_name,last_name,roles,coach_email,job_title,ect,"
        "induction_start,fte,appropriate_body,induction_tutor_email"
    )

    outcome = run(text, oak)

    assert [(p.line, p.column) for p in outcome.problems] == [(2, "email"), (3, "email")]


def test_subjects_and_phase_taught_come_from_the_file(oak, oak_year):
    text = (
        "email,first_name,last_name,roles,subjects,phase\n"
        "sam.lee@oak.example,Sam,Lee,teacher,Maths; Physics,Secondary\n"
        "ria.shah@oak.example,Ria,Shah,teacher,,\n"
    )
    assert run(text, oak).problems == []
    sam = Membership.objects.get(user__email="sam.lee@oak.example")
    assert (sam.subjects, sam.phase) == ("Maths, Physics", "secondary")
    ria = Membership.objects.get(user__email="ria.shah@oak.example")
    ria.subjects, ria.phase = "English", "primary"
    ria.save()
    run(text, oak)  # blank cells keep what is there
    ria.refresh_from_db()
    assert (ria.subjects, ria.phase) == ("English", "primary")


def test_an_unknown_phase_is_a_problem_on_its_line(oak, oak_year):
    text = "email,first_name,last_name,roles,phase\nsam.lee@oak.example,Sam,Lee,teacher,Sixth\n"
    outcome = run(text, oak)
    [problem] = outcome.problems
    assert (problem.line, problem.column) == (2, "phase")
    assert not Membership.objects.filter(user__email="sam.lee@oak.example").exists()
