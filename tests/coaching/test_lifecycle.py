"""The action-step lifecycle: every legal and illegal move, and the rules around them."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
import time_machine

from coachroom.coaching import meetings, services
from coachroom.coaching.models import STEP_MOVES, ActionStep, Rating, StepState, StepTransition
from coachroom.core.errors import DomainError, IllegalTransition
from tests.factories import RelationshipFactory, make_step

DRAFT = services.StepDraft(title="Stop, scan, say", criteria="Halts\nSweeps the room")

LEGAL = sorted((a, b) for a, targets in STEP_MOVES.items() for b in targets)
ILLEGAL = sorted(
    (a, b)
    for a, b in itertools.product(StepState.values, StepState.values)
    if b not in STEP_MOVES[a]
)


@pytest.mark.parametrize(("start", "end"), LEGAL)
def test_legal_moves(pairing, start, end):
    step = make_step(pairing, state=start)
    assert step.move(end) == start
    assert step.state == end


@pytest.mark.parametrize(("start", "end"), ILLEGAL)
def test_illegal_moves_are_refused_with_a_clear_error(pairing, start, end):
    step = make_step(pairing, state=start)
    with pytest.raises(IllegalTransition) as error:
        step.move(end)
    assert "cannot move from" in str(error.value)
    assert step.state == start


MONDAY = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


def _observe(pairing, bob, step, rating, *, day=0):
    """A drop-in `day` days after Monday 23 November 2026: sightings that secure a step must
    be on different school days."""
    with time_machine.travel(MONDAY + dt.timedelta(days=day), tick=False):
        observation = services.observation_start(relationship=pairing, by=bob)
        services.observation_submit(observation=observation, by=bob, ratings={step.pk: rating})
    step.refresh_from_db()
    return step


@time_machine.travel(dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC), tick=False)
def test_coach_proposes_and_the_teacher_must_agree(pairing, bob, alice):
    step = services.step_propose(relationship=pairing, by=bob, draft=DRAFT)
    assert step.state == StepState.PROPOSED
    assert step.coach_confirmed and not step.teacher_confirmed
    with pytest.raises(DomainError):
        services.step_confirm(step=step, by=RelationshipFactory().coach)
    step = services.step_confirm(step=step, by=alice)
    assert step.state == StepState.AGREED
    # seven school days from Monday 23 November 2026 is Wednesday 2 December
    assert step.review_due == dt.date(2026, 12, 2)
    events = list(step.transitions.values_list("event", "by"))
    assert events == [("proposed", bob.pk), ("agreed", alice.pk)]


def test_teacher_counter_proposal_supersedes_and_links(pairing, bob, alice):
    original = services.step_propose(relationship=pairing, by=bob, draft=DRAFT)
    mine = services.step_counter_propose(
        step=original,
        by=alice,
        draft=services.StepDraft(title="Silent cue before key points", criteria="Hand up\nWaits"),
    )
    original.refresh_from_db()
    assert original.state == StepState.SUPERSEDED
    assert mine.supersedes == original
    assert mine.teacher_proposed and mine.teacher_confirmed and not mine.coach_confirmed
    assert services.step_confirm(step=mine, by=bob).state == StepState.AGREED


def test_only_the_teacher_can_counter_propose(pairing, bob):
    step = services.step_propose(relationship=pairing, by=bob, draft=DRAFT)
    with pytest.raises(DomainError):
        services.step_counter_propose(step=step, by=bob, draft=DRAFT)


def test_tried_moves_an_agreed_step_to_practising(pairing, alice):
    step = make_step(pairing, state=StepState.AGREED)
    assert services.step_mark_tried(step=step, by=alice).state == StepState.PRACTISING


def test_two_sightings_in_a_row_secure_the_step_and_book_a_stick_check(pairing, bob):
    step = make_step(pairing, state=StepState.PRACTISING)
    step = _observe(pairing, bob, step, Rating.SEEN)
    assert (step.state, step.streak) == (StepState.PRACTISING, 1)
    step = _observe(pairing, bob, step, Rating.SEEN, day=1)
    assert step.state == StepState.SECURED
    # six school weeks after Tuesday 24 November, skipping the Christmas holiday
    assert step.stick_check_due is not None and step.stick_check_due > dt.date(2027, 1, 5)


def test_partly_resets_the_streak_and_no_opportunity_leaves_it(pairing, bob):
    step = make_step(pairing, state=StepState.PRACTISING)
    step = _observe(pairing, bob, step, Rating.SEEN)
    step = _observe(pairing, bob, step, Rating.NO_OPPORTUNITY)
    assert step.streak == 1
    step = _observe(pairing, bob, step, Rating.PARTLY)
    assert (step.state, step.streak) == (StepState.PRACTISING, 0)
    step = _observe(pairing, bob, step, Rating.NOT_YET)
    assert step.streak == 0


def test_school_setting_changes_how_many_sightings_secure(pairing, bob):
    pairing.school.sightings_to_secure = 3
    pairing.school.save()
    step = make_step(pairing, state=StepState.PRACTISING)
    for day in range(2):
        step = _observe(pairing, bob, step, Rating.SEEN, day=day)
    assert step.state == StepState.PRACTISING
    assert _observe(pairing, bob, step, Rating.SEEN, day=2).state == StepState.SECURED


def test_a_meeting_alone_never_secures_a_step(pairing, bob):
    step = make_step(pairing, state=StepState.PRACTISING, streak=1)
    for _ in range(3):
        meetings.meeting_record(
            relationship=pairing,
            by=bob,
            praise="Clear routine",
            decision="continue",
            rounds=[("Tried the cue", "Shorter pause")],
        )
    step.refresh_from_db()
    assert (step.state, step.streak) == (StepState.PRACTISING, 1)


def test_stick_check_seen_means_it_stuck(pairing, bob):
    step = make_step(pairing, state=StepState.SECURED, stick_check_due=dt.date(2026, 11, 20))
    step = _observe(pairing, bob, step, Rating.SEEN)
    assert step.state == StepState.SECURED and step.stuck
    assert step.transitions.last().event == "stuck"


def test_stick_check_not_seen_reopens_the_step(pairing, bob):
    step = make_step(
        pairing,
        state=StepState.SECURED,
        streak=2,
        stick_check_due=dt.date(2026, 11, 20),
    )
    step = _observe(pairing, bob, step, Rating.NOT_YET)
    assert (step.state, step.streak) == (StepState.REOPENED, 0)
    step = _observe(pairing, bob, step, Rating.SEEN)
    assert (step.state, step.streak) == (StepState.PRACTISING, 1)


def test_a_stick_check_not_yet_due_is_not_offered(pairing):
    make_step(
        pairing, state=StepState.SECURED, stick_check_due=dt.date.today() + dt.timedelta(days=9)
    )
    assert services.steps_to_look_for(pairing) == []


def test_pause_freezes_and_resume_restores(pairing, bob):
    step = make_step(pairing, state=StepState.PRACTISING, streak=1)
    with pytest.raises(DomainError):
        services.step_pause(step=step, by=bob, reason=" ")
    step = services.step_pause(step=step, by=bob, reason="Exam season")
    assert step.state == StepState.PAUSED
    step = services.step_resume(step=step, by=bob)
    assert (step.state, step.streak) == (StepState.PRACTISING, 1)


def test_withdraw_needs_a_reason(pairing, alice):
    step = make_step(pairing, state=StepState.AGREED)
    with pytest.raises(DomainError):
        services.step_withdraw(step=step, by=alice, reason="")
    step = services.step_withdraw(step=step, by=alice, reason="Wrong step for this class")
    assert step.state == StepState.WITHDRAWN
    assert step.transitions.last().reason == "Wrong step for this class"


def test_refine_supersedes_and_links_a_new_proposal(pairing, bob):
    step = make_step(pairing, state=StepState.PRACTISING)
    new = services.step_refine(step=step, by=bob, draft=DRAFT)
    step.refresh_from_db()
    assert step.state == StepState.SUPERSEDED
    assert new.supersedes == step and new.state == StepState.PROPOSED


def test_teacher_can_reopen_a_secured_step(pairing, alice):
    step = make_step(pairing, state=StepState.SECURED, streak=2)
    step = services.step_reopen(step=step, by=alice, reason="It slipped after half-term")
    assert (step.state, step.streak) == (StepState.REOPENED, 0)


def test_one_active_step_per_pair(pairing, bob):
    make_step(pairing, state=StepState.PRACTISING)
    with pytest.raises(DomainError, match="already has an active step"):
        services.step_propose(relationship=pairing, by=bob, draft=DRAFT)


def test_a_school_may_allow_two_active_steps(pairing, bob):
    pairing.school.active_steps_per_pair = 2
    pairing.school.save()
    make_step(pairing, state=StepState.PRACTISING)
    assert services.step_propose(relationship=pairing, by=bob, draft=DRAFT).pk


def test_archiving_a_pair_makes_its_steps_read_only(pairing, bob):
    make_step(pairing, state=StepState.PRACTISING)
    make_step(pairing, state=StepState.WITHDRAWN)
    assert services.steps_archive_for_relationship(relationship=pairing, by=bob) == 1
    assert ActionStep.objects.filter(state=StepState.ARCHIVED).count() == 1


def test_transitions_are_append_only(pairing, bob):
    step = services.step_propose(relationship=pairing, by=bob, draft=DRAFT)
    transition = StepTransition.objects.get(step=step)
    transition.reason = "rewritten"
    with pytest.raises(DomainError):
        transition.save()


def test_ended_pair_is_read_only(pairing, bob):
    pairing.ended_on = dt.date(2000, 1, 1)
    pairing.save()
    with pytest.raises(DomainError, match="ended"):
        services.step_propose(relationship=pairing, by=bob, draft=DRAFT)
