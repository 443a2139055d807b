from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from coachroom.coaching import meetings
from coachroom.coaching import services as coaching
from coachroom.core.errors import DomainError
from coachroom.scheduling import services as scheduling
from coachroom.scheduling.models import ScheduledSlot, SessionOccurrence

NOTES = "Pupils settled within a minute of the bell."  # a drop-in needs words or step evidence

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 11, 23, 8, 0, tzinfo=LONDON)  # a Monday in Autumn 2


def _slot(pairing, bob, **fields):
    fields.setdefault("kind", "drop_in")
    fields.setdefault("weekday", 2)  # Wednesday
    fields.setdefault("start_time", dt.time(10, 0))
    fields.setdefault("starts_on", dt.date(2026, 9, 7))
    return scheduling.slot_create(relationship=pairing, by=bob, **fields)


def _dates(slot):
    return [
        s.starts_at.astimezone(LONDON).date()
        for s in SessionOccurrence.objects.filter(slot=slot).order_by("starts_at")
    ]


def test_weekly_slot_plans_school_days_only(pairing, bob):
    slot = _slot(pairing, bob)
    dates = _dates(slot)
    assert dates[0] == dt.date(2026, 9, 9)
    assert dt.date(2026, 10, 28) not in dates  # October half-term
    assert dt.date(2026, 12, 23) not in dates  # Christmas holiday
    assert all(d.weekday() == 2 for d in dates)
    assert len(dates) == 38  # every term Wednesday of 2026–27
    first = SessionOccurrence.objects.filter(slot=slot).first()
    assert first.starts_at.astimezone(LONDON).time() == dt.time(10, 0)  # BST handled
    assert first.coach == bob and first.minutes == 15


def test_closure_days_are_skipped(pairing, bob, oak_year):
    oak_year.closures.create(school=pairing.school, date=dt.date(2026, 11, 25), reason="Snow")
    assert dt.date(2026, 11, 25) not in _dates(_slot(pairing, bob))


def test_fortnightly_meetings_are_thirty_minutes(pairing, bob):
    slot = _slot(pairing, bob, kind="meeting", cadence="fortnightly")
    dates = _dates(slot)
    assert dates[1] - dates[0] == dt.timedelta(weeks=2)
    assert slot.minutes == 30


def test_one_slot_per_pair_and_kind(pairing, bob):
    _slot(pairing, bob)
    with pytest.raises(DomainError, match="already has a drop-in slot"):
        _slot(pairing, bob)


def test_team_set_up_skips_pairs_that_have_a_slot(pairing, bob, oak, oak_year, carol):
    from tests.factories import RelationshipFactory

    other = RelationshipFactory(school=oak, academic_year=oak_year, coach=carol)
    _slot(pairing, bob)
    created, skipped = scheduling.slots_create_for_team(
        relationships=[pairing, other],
        by=bob,
        kind="drop_in",
        weekday=1,
        start_time=dt.time(9, 0),
        starts_on=dt.date(2026, 9, 7),
    )
    assert [s.relationship for s in created] == [other]
    assert len(skipped) == 1


@time_machine.travel(NOW, tick=False)
def test_moving_the_series_moves_only_future_planned_sessions(pairing, bob):
    slot = _slot(pairing, bob)
    held = SessionOccurrence.objects.filter(slot=slot).first()
    scheduling.session_mark_held(session=held, by=bob)
    moved = scheduling.slot_move_series(
        slot=slot,
        by=bob,
        weekday=3,
        start_time=dt.time(13, 30),
        from_date=dt.date(2026, 11, 23),
        room="Coaching room",
        period="P5",
        minutes=20,
    )
    assert moved > 0
    future = SessionOccurrence.objects.filter(slot=slot, starts_at__gte=NOW).first()
    local = future.starts_at.astimezone(LONDON)
    assert (local.weekday(), local.time(), future.room) == (3, dt.time(13, 30), "Coaching room")
    assert future.sequence == 1
    held.refresh_from_db()
    assert held.status == "done" and held.sequence == 1


@time_machine.travel(NOW, tick=False)
def test_ending_a_slot_cancels_future_sessions(pairing, bob):
    slot = _slot(pairing, bob)
    cancelled = scheduling.slot_end(slot=slot, by=bob)
    assert cancelled == SessionOccurrence.objects.filter(slot=slot, status="cancelled").count()
    assert not SessionOccurrence.objects.filter(slot=slot, starts_at__gte=NOW, status="planned")
    assert not ScheduledSlot.objects.get(pk=slot.pk).is_active


def test_missed_with_a_reason_and_rebooked_in_one_step(pairing, bob):
    session = SessionOccurrence.objects.filter(slot=_slot(pairing, bob)).first()
    with pytest.raises(DomainError, match="note"):
        scheduling.session_mark_missed(session=session, by=bob, reason="other")
    again = dt.datetime(2026, 9, 10, 11, 0, tzinfo=LONDON)
    new = scheduling.session_mark_missed(
        session=session, by=bob, reason="cover", reschedule_to=again
    )
    session.refresh_from_db()
    assert session.status == "missed" and session.reason == "cover"
    assert session.rescheduled_to == new and new.status == "planned" and new.starts_at == again


def test_rescheduling_marks_the_original_moved(pairing, bob):
    session = SessionOccurrence.objects.filter(slot=_slot(pairing, bob)).first()
    new = scheduling.session_reschedule(
        session=session, by=bob, starts_at=dt.datetime(2026, 9, 11, 9, 0, tzinfo=LONDON)
    )
    session.refresh_from_db()
    assert session.status == "rescheduled" and session.sequence == 1
    assert new.uid != session.uid
    with pytest.raises(DomainError):
        scheduling.session_reschedule(session=session, by=bob, starts_at=new.starts_at)


def test_cover_must_be_a_coach_of_the_school(pairing, bob, carol, alice, outsider):
    session = SessionOccurrence.objects.filter(slot=_slot(pairing, bob)).first()
    for stranger in (alice, outsider):
        with pytest.raises(DomainError, match="coach from this school"):
            scheduling.session_assign_cover(session=session, by=bob, coach=stranger)
    scheduling.session_assign_cover(session=session, by=bob, coach=carol)
    session.refresh_from_db()
    assert session.coach == carol and session.is_cover and session.sequence == 1


def test_a_recorded_drop_in_fulfils_the_planned_session(pairing, bob):
    slot = _slot(pairing, bob)
    planned = SessionOccurrence.objects.filter(slot=slot).first()
    with time_machine.travel(planned.starts_at + dt.timedelta(minutes=5), tick=False):
        observation = coaching.observation_start(relationship=pairing, by=bob)
        coaching.observation_submit(observation=observation, by=bob, ratings={}, notes=NOTES)
    planned.refresh_from_db()
    assert planned.status == "done" and planned.observation == observation


def test_a_late_write_up_fulfils_the_most_recent_unrecorded_session(pairing, bob):
    slot = _slot(pairing, bob)
    planned = SessionOccurrence.objects.filter(slot=slot).first()
    with time_machine.travel(planned.starts_at + dt.timedelta(days=2), tick=False):
        observation = coaching.observation_start(relationship=pairing, by=bob)
        coaching.observation_submit(observation=observation, by=bob, ratings={}, notes=NOTES)
    planned.refresh_from_db()
    assert planned.status == "done"


def test_an_unplanned_meeting_is_logged_as_held(pairing, bob):
    meeting = meetings.meeting_record(
        relationship=pairing,
        by=bob,
        praise="Good",
        decision="new",
        rounds=[("a", "b")],
        new_step=coaching.StepDraft(title="A step", criteria="x"),
    )
    session = SessionOccurrence.objects.get(meeting=meeting)
    assert session.status == "done" and session.slot is None and session.kind == "meeting"


@time_machine.travel(NOW, tick=False)
def test_overdue_means_planned_before_today(pairing, bob):
    slot = _slot(pairing, bob)
    overdue = SessionOccurrence.objects.overdue()
    assert overdue.count() == SessionOccurrence.objects.filter(slot=slot, starts_at__lt=NOW).count()
    assert all(s.is_overdue for s in overdue)
