"""The rules that withhold a figure: too few people, too few steps, only one group left."""

from __future__ import annotations

import datetime as dt
import itertools

from coachroom.reporting.insights.comparisons import QUESTIONS, compare, outcomes
from coachroom.reporting.insights.facts import StepFacts

PROPOSER = next(q for q in QUESTIONS if q.slug == "proposer")
REHEARSAL = next(q for q in QUESTIONS if q.slug == "rehearsal")
_ids = itertools.count(1)


def _steps(n: int, *, teachers: int, coaches: int = 2, **features) -> list[StepFacts]:
    """`n` steps spread over `teachers` teachers and `coaches` coaches, half of them secured."""
    made = []
    for i in range(n):
        step = next(_ids)
        made.append(
            StepFacts(
                step_id=step,
                school_id=1,
                academic_year_id=1,
                relationship_id=step,
                teacher_id=1000 + i % teachers + (100 if features.get("teacher_proposed") else 0),
                coach_id=2000 + i % coaches,
                pair_kind="instructional",
                agreed_on=dt.date(2026, 9, 7),
                secured_on=dt.date(2026, 10, 5) if i % 2 == 0 else None,
                weeks_followed=4.0 if i % 2 == 0 else 6.0,
                **features,
            )
        )
    return made


def test_a_comparison_is_shown_when_both_sides_have_enough_steps_and_people():
    facts = _steps(12, teachers=5, teacher_proposed=True) + _steps(10, teachers=6)
    result = compare(PROPOSER, facts, min_steps=10)
    assert result.is_shown
    assert [(label, o.steps) for label, o in result.shown_groups] == [
        ("Teacher proposed", 12),
        ("Coach proposed", 10),
    ]
    assert result.steps == 22


def test_too_few_steps_on_one_side_withholds_the_whole_comparison():
    facts = _steps(9, teachers=5, teacher_proposed=True) + _steps(30, teachers=8)
    result = compare(PROPOSER, facts, min_steps=10)
    assert not result.is_shown
    assert result.withheld == "Fewer than 10 steps on at least one side."
    assert all(group.shown is None for group in result.groups)  # not even the larger side


def test_the_minimum_is_the_schools_setting():
    facts = _steps(9, teachers=5, teacher_proposed=True) + _steps(30, teachers=8)
    assert compare(PROPOSER, facts, min_steps=9).is_shown


def test_a_group_from_fewer_than_five_teachers_is_suppressed_however_many_steps():
    facts = _steps(40, teachers=4, teacher_proposed=True) + _steps(30, teachers=8)
    result = compare(PROPOSER, facts, min_steps=10)
    assert not result.is_shown
    assert "fewer than 5 teachers" in result.withheld


def test_a_group_that_is_one_coachs_work_is_suppressed():
    facts = _steps(40, teachers=8, coaches=1, teacher_proposed=True) + _steps(30, teachers=8)
    assert not compare(PROPOSER, facts, min_steps=10).is_shown


def test_with_three_groups_a_small_one_is_withheld_and_the_rest_compared():
    facts = (
        _steps(6, teachers=5, rehearsal_rounds=0)
        + _steps(12, teachers=5, rehearsal_rounds=1)
        + _steps(15, teachers=6, rehearsal_rounds=2)
    )
    result = compare(REHEARSAL, facts, min_steps=10)
    assert result.is_shown
    shown = {group.label: group.withheld for group in result.groups}
    assert shown == {
        "No rehearsal": "fewer than 10 steps",
        "1 round": "",
        "2 or more rounds": "",
    }


def test_steps_whose_feature_is_unknown_sit_in_no_group():
    facts = _steps(12, teachers=5, rehearsal_rounds=1) + _steps(12, teachers=5, rehearsal_rounds=3)
    facts += _steps(50, teachers=9)  # no meeting about these steps: rounds unknown
    result = compare(REHEARSAL, facts, min_steps=10)
    assert result.steps == 24


def test_outcomes_count_secured_steps_and_the_stick_rate_only_with_enough_rechecks():
    facts = _steps(10, teachers=5)
    for f in facts[:4]:
        f.stuck = True
    result = outcomes(facts, min_steps=10)
    assert (result.secured.hits, result.secured.n) == (5, 10)
    assert result.time.value == 4.0
    assert result.stuck is None  # four re-checks: fewer than the minimum
    for f in facts:
        f.stuck = True
    assert outcomes(facts, min_steps=10).stuck.rate == 1.0


def test_one_group_about_individuals_withholds_the_whole_comparison():
    """Otherwise its figures could be worked out from the other groups and the totals."""
    facts = (
        _steps(12, teachers=3, rehearsal_rounds=0)
        + _steps(12, teachers=5, rehearsal_rounds=1)
        + _steps(15, teachers=6, rehearsal_rounds=2)
    )
    result = compare(REHEARSAL, facts, min_steps=10)
    assert not result.is_shown
    assert all(group.shown is None for group in result.groups)


def test_an_empty_group_withholds_nothing():
    facts = _steps(12, teachers=5, rehearsal_rounds=1) + _steps(15, teachers=6, rehearsal_rounds=2)
    assert compare(REHEARSAL, facts, min_steps=10).is_shown
