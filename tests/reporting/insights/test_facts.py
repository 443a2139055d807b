"""The facts read from a step's real history, and a query count that does not grow."""

from __future__ import annotations

import pytest

from coachroom.accounts.models import Membership
from coachroom.reporting.insights.facts import step_facts
from tests.records.history import make_history
from tests.reporting.insights.history import make_year_of_coaching


def test_a_steps_history_becomes_its_facts(oak, pairing):
    Membership.objects.filter(user=pairing.coach, school=oak).update(subjects="Maths, Science")
    Membership.objects.filter(user=pairing.coachee, school=oak).update(subjects="science")
    pairing.coach_is_line_manager = False
    pairing.save()
    history = make_history(pairing)  # proposed by the coach, agreed, a drop-in, one round
    [facts] = step_facts([oak])
    assert facts.step_id == history.step.pk
    assert facts.teacher_proposed is False
    assert facts.same_subject is True  # "science" is one of the coach's subjects
    assert facts.line_manager is False
    assert facts.rehearsal_rounds == 1
    assert facts.days_drop_in_to_meeting == 0  # the meeting followed the drop-in that day
    assert facts.days_to_reobservation == 0
    assert facts.secured is False and facts.stuck is None
    assert facts.priority_aligned is False


def test_unknown_features_stay_unknown(oak, pairing):
    make_history(pairing)  # no subjects recorded, line management not asked
    [facts] = step_facts([oak])
    assert facts.same_subject is None and facts.line_manager is None


def test_secured_steps_have_a_time_in_school_weeks_and_a_stick_result(oak):
    make_year_of_coaching(oak)
    facts = step_facts([oak])
    secured = [f for f in facts if f.secured]
    assert secured and all(f.weeks_to_secure is not None for f in secured)
    assert all(f.weeks_to_secure == f.weeks_followed for f in secured)
    assert {f.stuck for f in secured} >= {True, False}
    assert all(f.weeks_to_secure is None for f in facts if not f.secured)
    assert {f.cadence_achieved for f in facts} <= {"weekly", "fortnightly", "less"}


@pytest.mark.parametrize("teachers", [5, 15])
def test_facts_take_the_same_queries_whatever_the_number_of_steps(
    oak, teachers, django_assert_max_num_queries
):
    make_year_of_coaching(oak, teachers=teachers)
    # calendar (terms, closures), steps, transitions, memberships, pairs, meetings per pair,
    # priorities, their steps and strands, goals' steps, meetings with rounds, first looks
    with django_assert_max_num_queries(14):
        facts = step_facts([oak])
    assert len(facts) > teachers
