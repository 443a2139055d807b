"""Demo timetable: every pair has a weekly drop-in and meeting slot from the start of the year.

`load_slots` runs before the coaching history, so recorded drop-ins and meetings fulfil their
planned sessions; `settle` runs after it and gives the sessions that never happened a reason,
as a coach would have recorded them.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from coachroom.accounts.models import CoachingRelationship
from coachroom.demo import DemoContext
from coachroom.programme import scheduling
from coachroom.programme.models import SessionOccurrence

ROOMS = ["Coaching room", "Library office", "Room 14", "Staff workroom"]
MEETING_TIMES = [dt.time(15, 30), dt.time(16, 5), dt.time(16, 40), dt.time(8, 5)]
REASONS = [
    ("cover", ""),
    ("teacher_absent", ""),
    ("trip", ""),
    ("coach_absent", ""),
    ("exams", ""),
    ("other", "Parents' evening preparation"),
]


def load_slots(ctx: DemoContext) -> None:
    pairs = CoachingRelationship.objects.select_related("academic_year", "coach", "school")
    per_coach: dict[int, int] = {}
    for index, pair in enumerate(pairs.order_by("pk")):
        nth = per_coach[pair.coach_id] = per_coach.get(pair.coach_id, -1) + 1
        first_term = pair.academic_year.terms.order_by("starts_on").first()
        starts_on = first_term.starts_on if first_term else pair.started_on
        scheduling.slot_create(
            relationship=pair,
            by=pair.coach,
            starts_on=starts_on,
            kind="drop_in",
            weekday=2,
            start_time=dt.time(9 + nth, 0),
            period=f"Period {1 + nth}",
        )
        scheduling.slot_create(
            relationship=pair,
            by=pair.coach,
            starts_on=starts_on,
            kind="meeting",
            weekday=3,
            start_time=MEETING_TIMES[nth % len(MEETING_TIMES)],
            room=ROOMS[index % len(ROOMS)],
        )


def settle(ctx: DemoContext) -> None:
    """Past sessions with no record get a reason; one in four is booked again."""
    today = timezone.localdate()
    week_ago = timezone.now() - dt.timedelta(days=7)
    unrecorded = SessionOccurrence.objects.planned().filter(starts_at__lt=week_ago)
    for index, session in enumerate(unrecorded.order_by("starts_at", "pk")):
        reason, note = REASONS[index % len(REASONS)]
        if index % 9 == 4:
            scheduling.session_cancel(
                session=session, by=session.coach, reason="closure", note="Snow day"
            )
            continue
        rebook = None
        local = timezone.localtime(session.starts_at)
        if index % 4 == 0 and local.date() + dt.timedelta(days=1) < today:
            rebook = local + dt.timedelta(days=1)
        scheduling.session_mark_missed(
            session=session, by=session.coach, reason=reason, note=note, reschedule_to=rebook
        )
    # Rebooked sessions that are now in the past were held the next day.
    for session in SessionOccurrence.objects.planned().filter(
        starts_at__lt=week_ago, slot__isnull=False, rescheduled_from__isnull=False
    ):
        scheduling.session_mark_held(session=session, by=session.coach)
    _cover_one_session(ctx)


def _cover_one_session(ctx: DemoContext) -> None:
    """The coaching lead covers, and will film, one of this week's drop-ins."""
    lead = ctx.people.get("oak-lead")
    coach = ctx.people.get("oak-coach1")
    if lead is None or coach is None:
        return
    session = (
        SessionOccurrence.objects.planned()
        .filter(coach=coach, kind="drop_in", starts_at__gte=timezone.now())
        .order_by("starts_at")
        .first()
    )
    if session is not None:
        scheduling.session_assign_cover(session=session, by=lead, coach=lead)
