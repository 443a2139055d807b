"""The staff CSV's induction columns: an ECT's induction set up from the file, with their coach
as mentor; every problem with its line and column; a second run changes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from coachroom.accounts.models import CoachingRelationship
from coachroom.induction.models import Induction
from tests.imports.test_staff_csv import run

pytestmark = pytest.mark.django_db

HEADER = (
    "email,first_name,last_name,roles,coach_email,ect,"
    "induction_start,fte,appropriate_body,induction_tutor_email\n"
)
GOOD = HEADER + (
    "tia.ward@oak.example,Tia,Ward,induction tutor,,,,,,\n"
    "ria.shah@oak.example,Ria,Shah,teacher,bob@oak.example,,07/09/2026,0.8,Oakshire TSH,"
    "tia.ward@oak.example\n"
    "raj.iyer@oak.example,Raj,Iyer,teacher,,yes,2026-09-07,,Oakshire TSH,tess@oak.example\n"
)


def test_a_file_sets_up_inductions_with_the_coach_as_mentor(oak, oak_year, bob, tess, admin):
    outcome = run(GOOD, oak, actor=admin)

    assert outcome.problems == []
    ria = Induction.objects.get(ect__email="ria.shah@oak.example")
    assert (ria.starts_on, ria.fte, ria.appropriate_body) == (
        dt.date(2026, 9, 7),
        Decimal("0.80"),
        "Oakshire TSH",
    )
    assert (ria.mentor, ria.tutor.email) == (bob, "tia.ward@oak.example")
    assert ria.created_by == admin
    assert CoachingRelationship.objects.get(coachee=ria.ect).kind == "ecf"
    raj = Induction.objects.get(ect__email="raj.iyer@oak.example")
    assert (raj.fte, raj.mentor, raj.tutor) == (Decimal("1.00"), None, tess)
    assert [str(c) for c in outcome.changes if c.kind == "induction"] == [
        "induction: Ria Shah (starting 07/09/2026, FTE 0.8, induction tutor Tia Ward)",
        "induction: Raj Iyer (starting 07/09/2026, FTE 1, induction tutor Tess Example)",
    ]


def test_a_second_run_leaves_the_inductions_as_they_are(oak, oak_year, bob, tess, admin):
    run(GOOD, oak, actor=admin)
    Induction.objects.update(appropriate_body="Changed on the induction page")
    again = run(GOOD.replace("0.8", "0.6"), oak, actor=admin, dry_run=True)
    assert again.problems == [] and again.changes == []
    assert any("induction already set up" in note for note in again.notes)
    run(GOOD.replace("0.8", "0.6"), oak, actor=admin)
    assert Induction.objects.filter(appropriate_body="Changed on the induction page").count() == 2


def test_a_terminal_import_sets_up_inductions_too(oak, oak_year, bob, tess):
    assert run(GOOD, oak).problems == []
    assert Induction.objects.filter(created_by=None).count() == 2


ROW = "ann@oak.example,Ann,Lee,teacher,{coach},{ect},{start},{fte},{body},{tutor}"
PROBLEMS = {
    "no start date": ({"start": ""}, "induction_start", "Give the induction start date"),
    "not a date": ({"start": "7th Sept"}, "induction_start", "is not a date"),
    "US date": ({"start": "09/31/2026"}, "induction_start", "is not a date"),
    "fte too big": ({"fte": "1.5"}, "fte", "fte must be from 0.1 to 1"),
    "fte not a number": ({"fte": "half"}, "fte", "fte must be from 0.1 to 1"),
    "no body": ({"body": ""}, "appropriate_body", "appropriate body's name"),
    "not an ECT": ({"ect": "no"}, "ect", "ect says no"),
    "tutor without role": (
        {"tutor": "bob@oak.example"},
        "induction_tutor_email",
        "No one else with the induction tutor role",
    ),
    "tutor is the ECT": (
        {"tutor": "ann@oak.example"},
        "induction_tutor_email",
        "No one else with the induction tutor role",
    ),
    "mentor is tutor": (
        {"coach": "tess@oak.example"},
        "induction_tutor_email",
        "are the same person",
    ),
}


@pytest.mark.parametrize("case", sorted(PROBLEMS))
def test_each_induction_problem_has_its_line_and_column(oak, oak_year, bob, tess, case):
    changes, column, message = PROBLEMS[case]
    values = {
        "coach": "",
        "ect": "",
        "start": "07/09/2026",
        "fte": "",
        "body": "TSH",
        "tutor": "tess@oak.example",
    }
    text = HEADER + ROW.format(**{**values, **changes}) + "\n"

    outcome = run(text, oak)

    assert [(p.line, p.column) for p in outcome.problems] == [(2, column)]
    assert message in outcome.problems[0].message
    assert not Induction.objects.exists()
