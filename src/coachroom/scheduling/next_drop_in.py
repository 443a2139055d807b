"""The next drop-in agreed at a feedback meeting, booked as a real session.

A meeting books one drop-in for its pair (with or without a timetabled slot), clash-checked for
both people, shown in both people's week and calendar feeds. The session is the one source of
truth: the meeting's "next drop-in" date and the step's "look for it by" follow it when it moves.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from coachroom import audit
from coachroom.accounts.models import CoachingRelationship, School, User
from coachroom.coaching.models import FeedbackMeeting
from coachroom.scheduling.clashes import (
    assert_no_clashes,
    clash_error,
    clashes_for_session,
    free_times_for_session,
)
from coachroom.scheduling.models import (
    DEFAULT_MINUTES,
    ScheduledSlot,
    SessionKind,
    SessionOccurrence,
)
from coachroom.scheduling.timetable import at

WITHIN_SCHOOL_DAYS = 7  # the next drop-in looks for the step within seven school days
USUAL_TIME = dt.time(9, 0)
MINUTES = DEFAULT_MINUTES[SessionKind.DROP_IN]


def next_school_days(
    school: School, *, after: dt.date, count: int = WITHIN_SCHOOL_DAYS
) -> list[dt.date]:
    """The next `count` school days after `after`, by the school calendar."""
    calendar = school.calendar(from_date=after)
    return [calendar.add_school_days(after, n) for n in range(1, count + 1)]


def usual_time(relationship: CoachingRelationship) -> dt.time:
    slot = ScheduledSlot.objects.filter(
        relationship=relationship, kind=SessionKind.DROP_IN, is_active=True
    ).first()
    return slot.start_time if slot else USUAL_TIME


def suggest(relationship: CoachingRelationship, *, today: dt.date | None = None) -> dt.datetime:
    """The pair's planned drop-in in the next seven school days, if it has one; otherwise
    the nearest free time to its usual one on the first school day with one free."""
    days = next_school_days(relationship.school, after=today or timezone.localdate())
    planned = (
        SessionOccurrence.objects.planned()
        .filter(relationship=relationship, kind=SessionKind.DROP_IN)
        .filter(starts_at__gte=at(days[0], dt.time()), starts_at__lt=at(days[-1], dt.time(23)))
        .order_by("starts_at")
        .first()
    )
    if planned is not None:
        return timezone.localtime(planned.starts_at)
    free = free_times_for_session(
        relationship=relationship, days=days, wanted=usual_time(relationship), minutes=MINUTES
    )
    return free[0] if free else at(days[0], usual_time(relationship))


@transaction.atomic
def book(
    *, meeting: FeedbackMeeting, by: User, starts_at: dt.datetime, override_reason: str = ""
) -> SessionOccurrence:
    """Book the meeting's next drop-in. Idempotent: the same meeting, or a planned drop-in of
    the pair at that very time, is reused rather than booked twice."""
    pair = meeting.relationship
    existing = (
        SessionOccurrence.objects.planned()
        .filter(relationship=pair, kind=SessionKind.DROP_IN)
        .filter(booked_at_meeting=meeting)
        .first()
    ) or (
        SessionOccurrence.objects.planned()
        .filter(relationship=pair, kind=SessionKind.DROP_IN, starts_at=starts_at)
        .first()
    )
    if existing is not None:
        if existing.booked_at_meeting_id is None:
            existing.booked_at_meeting = meeting
            existing.save(update_fields=["booked_at_meeting", "updated_at"])
        _follow(meeting, existing)
        return existing
    clashes = clashes_for_session(relationship=pair, starts_at=starts_at, minutes=MINUTES)
    if clashes and not override_reason.strip():
        days = next_school_days(pair.school, after=timezone.localdate(starts_at) - dt.timedelta(1))
        free = free_times_for_session(
            relationship=pair,
            days=days,
            wanted=timezone.localtime(starts_at).time(),
            minutes=MINUTES,
        )
        raise clash_error(clashes, free)
    assert_no_clashes(clashes, override_reason)
    session = SessionOccurrence.objects.create(
        school_id=pair.school_id,
        relationship=pair,
        kind=SessionKind.DROP_IN,
        coach_id=pair.coach_id,
        starts_at=starts_at,
        minutes=MINUTES,
        booked_at_meeting=meeting,
        clash_override_reason=override_reason.strip() if clashes else "",
    )
    _follow(meeting, session)
    data: dict[str, object] = {"meeting": meeting.pk}
    if clashes:
        data |= {"clashes": len(clashes), "override_reason": session.clash_override_reason}
    audit.record(
        actor=by,
        action="programme.session.booked",
        school=pair.school,
        target=session,
        subject=pair.coachee,
        data=data,
    )
    return session


def _follow(meeting: FeedbackMeeting, session: SessionOccurrence) -> None:
    """The meeting's "next drop-in" and its step's "look for it by" show the booked day."""
    day = timezone.localdate(session.starts_at)
    if meeting.next_drop_in != day:
        meeting.next_drop_in = day
        meeting.save(update_fields=["next_drop_in"])
    step = meeting.step
    if step is not None and step.is_active and step.review_due != day:
        step.review_due = day
        step.save(update_fields=["review_due", "updated_at"])


class ProgrammeBooker:
    """What the coaching app calls, through `coaching.booking`, when a meeting is saved."""

    def suggest(self, relationship: CoachingRelationship) -> dt.datetime | None:
        return suggest(relationship)

    def book(
        self, *, meeting: FeedbackMeeting, by: User, starts_at: dt.datetime, override_reason: str
    ) -> None:
        book(meeting=meeting, by=by, starts_at=starts_at, override_reason=override_reason)
