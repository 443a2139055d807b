"""What the demo holds: one load for the whole module, rolled back at the end.

Each test's own transaction nests inside the module's as a savepoint, so a test that writes
leaves the demo as it found it. The demo at other dates of the year is in
tests/scheduling/test_demo_timetable.py; its round trip through a backup in
tests/records/test_backup.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.db import transaction
from django.test import override_settings

from coachroom import cli
from coachroom.accounts.models import CoachingRelationship, Membership, School, User
from coachroom.coaching.goals.models import Goal
from coachroom.demo import DEMO_PASSWORD, DemoContext, load_demo
from coachroom.induction.dates import plan_for
from coachroom.induction.models import (
    Induction,
    InductionAbsence,
    InductionReview,
    SupportPlan,
)
from coachroom.leading.models import (
    CoachingReview,
    LearningWalk,
    Thanks,
    WalkStepSighting,
)
from coachroom.library.models import LibraryStep, Priority
from coachroom.reporting.insights.comparisons import compare_all
from coachroom.reporting.insights.facts import step_facts
from tests.cast import pinned_clock


@pytest.fixture(scope="module")
def _module_demo(django_db_setup, django_db_blocker) -> Iterator[DemoContext]:
    # the per-test settings (tests/conftest.py) are not in force yet at module scope
    as_in_tests = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    with django_db_blocker.unblock(), transaction.atomic():
        with pinned_clock(), as_in_tests:
            demo = load_demo()
        yield demo
        transaction.set_rollback(True)


@pytest.fixture
def demo(db, _module_demo) -> DemoContext:
    return _module_demo


def test_demo_builds_a_trust_with_two_schools_and_pairs(demo):
    assert School.objects.count() == 2
    assert {s.phase for s in School.objects.all()} == {"primary", "secondary"}
    assert Membership.objects.filter(is_coach=True).count() >= 4
    assert Membership.objects.filter(is_ect=True).exists()
    assert 20 <= Membership.objects.filter(is_teacher=True).count() <= 30
    assert CoachingRelationship.objects.count() >= 15
    assert demo.trust is not None and demo.trust.admins.count() == 1
    user = User.objects.get(email="priya.shah@oakfield.example")
    assert user.check_password(DEMO_PASSWORD)


def test_the_demo_has_a_data_protection_lead_who_is_not_the_admin(demo, capsys):
    fiona = Membership.objects.get(user__email="fiona.campbell@elmwood.example")
    assert fiona.is_data_protection_lead and not fiona.is_school_admin
    assert not Membership.objects.filter(is_school_admin=True, is_data_protection_lead=True)
    cli._print_demo_accounts("http://127.0.0.1:8000")
    (line,) = [x for x in capsys.readouterr().out.splitlines() if "fiona.campbell" in x]
    assert "Data protection lead" in line


def test_the_demo_has_ects_in_both_years_of_induction_with_a_tutor(demo, capsys):
    today = dt.date(2026, 11, 4)
    inductions = list(Induction.objects.select_related("school", "mentor", "tutor"))
    assert len(inductions) == 4  # one per ECT-mentoring pair
    years = sorted(plan_for(induction).year_on(today) or 0 for induction in inductions)
    assert years == [1, 1, 2, 2]
    for induction in inductions:
        pair = CoachingRelationship.objects.get(coachee=induction.ect, kind="ecf")
        assert induction.mentor == pair.coach and induction.tutor is not None
        assert induction.mentor != induction.tutor
        assert pair.cadence == (
            "weekly" if plan_for(induction).year_on(today) == 1 else "fortnightly"
        )
    assert InductionAbsence.objects.count() == 1
    signed = InductionReview.objects.filter(ect_signed_at__isnull=False)
    assert signed.count() == 6  # year 1 of two ECTs: two progress reviews and an assessment
    assert list(signed.filter(outcome="not on track").values_list("period", flat=True)) == [
        "end of year 1"
    ]
    assert SupportPlan.objects.get(closed_at=None).induction.ect.first_name == "Ryan"
    cli._print_demo_accounts("http://127.0.0.1:8000")
    (line,) = [x for x in capsys.readouterr().out.splitlines() if "helen.morgan" in x]
    assert "Induction tutor" in line


def test_the_demo_adds_school_steps_and_an_adaptation_to_the_starter_library(demo):
    oak, elm = demo.schools["oak"], demo.schools["elm"]
    assert LibraryStep.objects.starter().count() >= 60
    elm_steps = LibraryStep.objects.filter(school=elm)
    assert elm_steps.count() == 2
    assert {s.created_by for s in elm_steps} == {demo.people["elm-lead"]}
    assert all(len(s.criteria) in (2, 3, 4) for s in elm_steps)
    adaptation = LibraryStep.objects.get(school=oak)
    assert adaptation.copied_from is not None and adaptation.copied_from.is_starter
    assert adaptation.created_by == demo.people["oak-lead"]
    assert adaptation.title != adaptation.copied_from.title
    available = LibraryStep.objects.available_to(oak)
    assert available.filter(pk=adaptation.pk).exists()
    assert not available.filter(pk=adaptation.copied_from.pk).exists()


def test_demo_adds_a_walk_per_school_reviews_and_thanks(demo):
    for school in demo.schools.values():
        [walk] = LearningWalk.objects.for_school(school)
        assert walk.visits.count() == 5
    assert WalkStepSighting.objects.exists()
    done = CoachingReview.objects.completed()
    assert done.count() == 3
    assert {r.development_step.teacher for r in done} == {
        demo.people["oak-coach2"],
        demo.people["elm-coach2"],
    }
    assert CoachingReview.objects.filter(completed_at__isnull=True).count() == 1
    assert Thanks.objects.count() == 4


def test_demo_adds_priorities_and_goals_with_readings(demo):
    for key in ("oak", "elm"):
        school = demo.schools[key]
        school_priorities = Priority.objects.filter(
            school=school, academic_year=school.current_year()
        )
        assert school_priorities.count() == 2
        assert all(p.strands.exists() and p.library_steps.count() == 2 for p in school_priorities)
    goals = Goal.objects.select_related("teacher").prefetch_related("readings")
    assert goals.count() == 4
    rising = goals.get(teacher=demo.people["oak-t1"])
    values = [r.value for r in rising.readings.all()]
    assert rising.is_student_focused and len(values) >= 4 and values[-1] > values[0]
    assert rising.steps.exists()
    assert goals.filter(focus=Goal.Focus.TEACHER, measure="").count() == 1


def test_the_demo_has_self_reviews_and_pairs_ready_to_meet_less_often(demo):
    from coachroom.coaching.selfreview.models import SelfReview
    from coachroom.scheduling.tapering import services as tapering
    from coachroom.scheduling.tapering.models import CadenceChange

    reviews = SelfReview.objects.all()
    assert {r.shared_with_coach for r in reviews} == {True, False}  # one shared, one kept
    assert all(r.points.exists() for r in reviews)
    suggested = [
        s
        for school in School.objects.all()
        for s in tapering.suggestions(
            list(CoachingRelationship.objects.current().filter(school=school)), school
        )
    ]
    assert suggested  # Coachroom suggests a lighter rhythm to at least one pair
    assert CadenceChange.objects.filter(state="proposed").count() >= 1  # and one coach proposed


def test_demo_has_a_year_of_history_for_insights(demo):
    """At Elmwood: three comparisons or more with real intervals, and line management
    withheld for too few steps (five summer-term pairs, one step each)."""
    elm = demo.schools["elm"]
    results = compare_all(step_facts([elm]), min_steps=elm.insights_min_steps)
    shown = [c for c in results if c.is_shown]
    assert len(shown) >= 3
    for comparison in shown:
        for _label, figures in comparison.shown_groups:
            assert figures.secured.low < figures.secured.rate < figures.secured.high
    withheld = {c.question.slug: c.withheld for c in results if not c.is_shown}
    assert withheld["line-manager"] == "Fewer than 10 steps on at least one side."
