"""Mentoring follows the induction's rhythm (induction/cadence.py): weekly in year 1 and
fortnightly in year 2, pro rata by FTE; the pair and its timetabled slots change when the
set-up changes and on the night year 2 begins."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest

from coachroom.accounts.models import CoachingRelationship, Membership
from coachroom.audit.models import AuditEvent
from coachroom.induction import setup
from coachroom.induction.cadence import cadence_jobs, follow_cadences, mentoring_cadence
from coachroom.induction.dates import plan_for
from coachroom.induction.models import Induction
from coachroom.induction.setup import InductionDetails
from coachroom.scheduling import services as scheduling
from coachroom.scheduling.models import ScheduledSlot, SessionOccurrence
from tests.cast import LONDON

WEEKLY, FORTNIGHTLY = "weekly", "fortnightly"
TODAY = dt.date(2026, 11, 4)  # the pinned clock


def _induction(oak, ect, starts_on=dt.date(2026, 9, 7), fte="1") -> Induction:
    return Induction.objects.create(
        school=oak, ect=ect, starts_on=starts_on, fte=Decimal(fte), appropriate_body="Oakshire"
    )


@pytest.mark.parametrize(
    ("starts_on", "fte", "day", "expected"),
    [
        (dt.date(2026, 9, 7), "1", TODAY, WEEKLY),  # year 1, full time
        (dt.date(2026, 9, 7), "0.8", TODAY, WEEKLY),  # 0.8 a week: nearer weekly
        (dt.date(2026, 9, 7), "0.75", TODAY, WEEKLY),
        (dt.date(2026, 9, 7), "0.6", TODAY, FORTNIGHTLY),  # 0.6 a week: nearer fortnightly
        (dt.date(2025, 9, 1), "1", TODAY, FORTNIGHTLY),  # year 2
        (dt.date(2025, 9, 1), "0.5", TODAY, FORTNIGHTLY),  # year 2 at most fortnightly
        (dt.date(2027, 1, 4), "1", TODAY, WEEKLY),  # set up ahead of the start
        (dt.date(2024, 9, 2), "1", TODAY, None),  # induction over: nothing to follow
    ],
)
def test_the_rhythm_for_a_day(oak, oak_year, alice, starts_on, fte, day, expected):
    assert mentoring_cadence(_induction(oak, alice, starts_on, fte), day) == expected


def _details(induction, **change) -> InductionDetails:
    fields = {
        "starts_on": induction.starts_on,
        "fte": induction.fte,
        "appropriate_body": induction.appropriate_body,
        "mentor": induction.mentor,
        "tutor": induction.tutor,
        "timetable_hours": induction.timetable_hours,
    }
    return InductionDetails(**{**fields, **change})


def _mentoring(induction) -> CoachingRelationship:
    return CoachingRelationship.objects.current().get(
        coachee=induction.ect, kind=CoachingRelationship.Kind.ECF
    )


def _meeting_slot(pair, by, starts_on=dt.date(2026, 9, 7), cadence=None) -> ScheduledSlot:
    return scheduling.slot_create(
        relationship=pair,
        by=by,
        kind="meeting",
        weekday=3,
        start_time=dt.time(15, 30),
        starts_on=starts_on,
        cadence=cadence,
    )


def _planned_days(slot, after=TODAY) -> list[dt.date]:
    sessions = SessionOccurrence.objects.filter(
        slot=slot, status="planned", starts_at__gte=dt.datetime.combine(after, dt.time(), LONDON)
    ).order_by("starts_at")
    return [s.starts_at.astimezone(LONDON).date() for s in sessions]


def test_going_part_time_spreads_the_mentoring_from_today(induction, bob, tess):
    pair = _mentoring(induction)
    slot = _meeting_slot(pair, bob)
    held_before = SessionOccurrence.objects.filter(
        slot=slot, starts_at__lt=dt.datetime(2026, 11, 4, tzinfo=LONDON)
    ).count()
    weekly = _planned_days(slot)

    problems = setup.induction_update(
        induction=induction, details=_details(induction, fte=Decimal("0.5")), by=tess
    )

    assert problems == []
    pair.refresh_from_db()
    slot.refresh_from_db()
    assert pair.cadence == FORTNIGHTLY
    assert (slot.is_active, slot.ends_on) == (False, dt.date(2026, 11, 3))
    assert not _planned_days(slot)  # the old slot's future plan is gone
    assert SessionOccurrence.objects.filter(slot=slot).count() == held_before  # its past stays
    new = ScheduledSlot.objects.get(relationship=pair, is_active=True)
    assert (new.cadence, new.weekday, new.start_time) == (FORTNIGHTLY, 3, dt.time(15, 30))
    fortnightly = _planned_days(new)
    assert fortnightly[0] == weekly[0] == dt.date(2026, 11, 5)
    assert all((b - a).days % 14 == 0 for a, b in itertools.pairwise(fortnightly))
    assert set(fortnightly) < set(weekly)
    assert AuditEvent.objects.filter(action="programme.slot.cadence_changed").count() == 1


def test_a_slot_that_would_clash_keeps_its_rhythm_and_says_why(
    induction, oak, oak_year, bob, carol, tess
):
    """Back to full time: the fortnightly slot would come round in weeks when bob already
    meets carol then, so it stays fortnightly and the tutor is told."""
    _meeting_slot(_mentoring(induction), bob)
    setup.induction_update(
        induction=induction, details=_details(induction, fte=Decimal("0.5")), by=tess
    )
    induction.refresh_from_db()
    slot = ScheduledSlot.objects.get(relationship=_mentoring(induction), is_active=True)
    off_week = _planned_days(slot)[0] + dt.timedelta(weeks=1)
    Membership.objects.filter(user=carol, school=oak).update(is_teacher=True)
    other = CoachingRelationship.objects.create(
        school=oak, academic_year=oak_year, coach=bob, coachee=carol
    )
    _meeting_slot(other, bob, starts_on=off_week, cadence=FORTNIGHTLY)

    problems = setup.induction_update(
        induction=induction, details=_details(induction, fte=Decimal("1")), by=tess
    )

    assert len(problems) == 1
    assert "stays as it is" in problems[0]
    slot.refresh_from_db()
    assert (slot.is_active, slot.cadence) == (True, FORTNIGHTLY)
    assert _mentoring(induction).cadence == WEEKLY


def test_year_two_turns_fortnightly_on_the_night_it_begins(oak, oak_year, alice, bob, tess):
    """An ECT who started in January finishes year 1 with the autumn term: the nightly run on
    the first day of year 2 moves the pair and its slot to fortnightly, once."""
    induction, _ = setup.induction_set_up(
        school=oak,
        ect=alice,
        details=InductionDetails(
            starts_on=dt.date(2026, 1, 5),
            fte=Decimal("1"),
            appropriate_body="Oakshire TSH",
            mentor=bob,
            tutor=tess,
        ),
        by=tess,
    )
    pair = _mentoring(induction)
    assert pair.cadence == WEEKLY
    slot = _meeting_slot(pair, bob)
    year_two = plan_for(induction).year_one_ends_on + dt.timedelta(days=1)
    assert year_two.year == 2026  # inside the pair's academic year
    assert mentoring_cadence(induction, year_two - dt.timedelta(days=1)) == WEEKLY
    assert mentoring_cadence(induction, year_two) == FORTNIGHTLY

    result = follow_cadences.call(day=year_two.isoformat())
    again = follow_cadences.call(day=year_two.isoformat())

    assert result == {"pairs_changed": 1, "slots_kept": 0}
    assert again == {"pairs_changed": 0, "slots_kept": 0}
    assert _mentoring(induction).cadence == FORTNIGHTLY
    new = ScheduledSlot.objects.get(relationship=pair, is_active=True)
    assert (new.cadence, new.starts_on) == (FORTNIGHTLY, year_two)
    slot.refresh_from_db()
    assert slot.ends_on == year_two - dt.timedelta(days=1)


def test_the_evening_run_sets_tomorrows_rhythm():
    early = dt.datetime(2027, 1, 3, 18, 59, tzinfo=LONDON)
    late = dt.datetime(2027, 1, 3, 19, 0, tzinfo=LONDON)
    assert cadence_jobs(early) == []
    [(key, job, args)] = cadence_jobs(late)
    assert (key, job, args) == (
        "job:induction-cadence:2027-01-04",
        follow_cadences,
        {"day": "2027-01-04"},
    )
