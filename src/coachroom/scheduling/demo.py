"""Demo timetable: every pair has a weekly drop-in and meeting slot from the start of the year.

`load_slots` runs before the coaching history, so recorded drop-ins and meetings fulfil their
planned sessions; `settle` runs after it and gives the sessions that never happened a reason,
as a coach would have recorded them. No one is ever double-booked: each slot takes the nearest
free time to the one wanted, for the coach and the coachee alike (leads and coaches are coached
too). `delights` runs last, so whatever day the demo is loaded the demo coach has a "did it
stick?" check due today and a booked next drop-in.
"""

from __future__ import annotations

import datetime as dt
from contextlib import AbstractContextManager

from django.utils import timezone

from coachroom.accounts.models import CoachingRelationship, User
from coachroom.coaching import meetings, services
from coachroom.coaching.demo import demo_clock
from coachroom.coaching.models import ActionStep, FeedbackMeeting, StepState
from coachroom.core.demo import DemoContext
from coachroom.library.models import LibraryStep
from coachroom.scheduling import next_drop_in, timetable
from coachroom.scheduling import services as scheduling
from coachroom.scheduling.clashes import clashes_for_session
from coachroom.scheduling.models import SessionOccurrence

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
        _free_slot(pair, starts_on, "drop_in", dt.time(9 + nth, 0), period=f"Period {1 + nth}")
        _free_slot(
            pair,
            starts_on,
            "meeting",
            MEETING_TIMES[nth % len(MEETING_TIMES)],
            room=ROOMS[index % len(ROOMS)],
        )


def _free_slot(
    pair: CoachingRelationship,
    starts_on: dt.date,
    kind: str,
    wanted: dt.time,
    *,
    period: str = "",
    room: str = "",
) -> None:
    """A drop-in on Wednesdays, a meeting on Thursdays, at the nearest time everyone is free."""
    weekday, start_time = (2 if kind == "drop_in" else 3), wanted
    proposed = timetable.unsaved_slot(
        pair, kind=kind, weekday=weekday, start_time=wanted, starts_on=starts_on
    )
    if timetable.slot_clashes(proposed, from_date=starts_on):
        weekday, start_time = timetable.free_slot_times(proposed, from_date=starts_on, count=1)[0]
        period = ""  # no longer the period asked for
    scheduling.slot_create(
        relationship=pair,
        by=pair.coach,
        kind=kind,
        weekday=weekday,
        start_time=start_time,
        starts_on=starts_on,
        period=period,
        room=room,
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
            if _busy(session, rebook):
                rebook = None
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
    upcoming = (
        SessionOccurrence.objects.planned()
        .filter(coach=coach, kind="drop_in", starts_at__gte=timezone.now())
        .select_related("relationship__coachee", "coach")
        .order_by("starts_at")[:12]
    )
    for session in upcoming:
        if not _busy(session, session.starts_at, coach=lead):
            scheduling.session_assign_cover(session=session, by=lead, coach=lead)
            return


def _busy(session: SessionOccurrence, starts_at: dt.datetime, coach: User | None = None) -> bool:
    return bool(
        clashes_for_session(
            relationship=session.relationship,
            starts_at=starts_at,
            minutes=session.minutes,
            coach=coach or session.coach,
            exclude=[session.pk],
        )
    )


# Delights: the headline features on show, whatever day the demo is loaded --------------------

DEMO_COACH = "oak-coach2"  # rachel.hughes@oakfield.example, named in the README


def delights(ctx: DemoContext) -> None:
    """The demo coach has a "did it stick?" check due today and a booked next drop-in."""
    coach = ctx.people.get(DEMO_COACH)
    if coach is None:
        return
    pairs = list(
        CoachingRelationship.objects.filter(coach=coach)
        .select_related("school", "coach", "coachee", "academic_year")
        .order_by("pk")
    )
    if pairs:
        _stick_check_due_today(pairs)
        _book_next_drop_in(pairs)


def _after_school(days_ago: int) -> AbstractContextManager[None]:
    """A demo clock after the school day, so the records it makes clash with no session."""
    return demo_clock(timezone.localdate() - dt.timedelta(days=days_ago), 17, 45)


def _stick_check_due_today(pairs: list[CoachingRelationship]) -> None:
    step = (
        ActionStep.objects.filter(
            relationship__in=pairs, state=StepState.SECURED, stuck_at__isnull=True
        )
        .order_by("-secured_at")
        .first()
    )
    if step is None:
        step = _secure_a_step(pairs[0])
    ActionStep.objects.filter(pk=step.pk).update(stick_check_due=timezone.localdate())


def _secure_a_step(pair: CoachingRelationship) -> ActionStep:
    """Early in the year no step is secured yet: agree one and see it, drop-in by drop-in."""
    step = services.active_step(pair)
    if step is None or step.state == StepState.PAUSED:
        entry = LibraryStep.objects.starter().order_by("strand__order", "key").first()
        with _after_school(8):
            step = services.step_propose(
                relationship=pair,
                by=pair.coach,
                draft=services.StepDraft(
                    title=entry.title if entry else "Narrate what pupils do well",
                    criteria=entry.looks_like if entry else "Name two pupils doing it right",
                    library_step=entry,
                ),
            )
            services.step_confirm(step=step, by=pair.coachee)
    for days_ago in (7, 6, 5, 4):
        step.refresh_from_db()
        if step.state == StepState.SECURED:
            break
        with _after_school(days_ago):
            observation = services.observation_start(relationship=pair, by=pair.coach)
            services.observation_submit(
                observation=observation,
                by=pair.coach,
                ratings={s.pk: "seen" for s in services.steps_to_look_for(pair)},
                went_well="Every pupil was working within a minute of the instruction.",
            )
    step.refresh_from_db()
    return step


def _book_next_drop_in(pairs: list[CoachingRelationship]) -> None:
    meeting = (
        FeedbackMeeting.objects.filter(relationship__in=pairs, relationship__ended_on__isnull=True)
        .select_related("relationship__school", "relationship__coach", "relationship__coachee")
        .order_by("-held_at")
        .first()
    )
    if meeting is None:
        meeting = _first_meeting(pairs[0])
    pair = meeting.relationship
    next_drop_in.book(meeting=meeting, by=pair.coach, starts_at=next_drop_in.suggest(pair))


def _first_meeting(pair: CoachingRelationship) -> FeedbackMeeting:
    """The very start of the year has no meeting yet: hold one, after school yesterday."""
    current = services.active_step(pair)
    with _after_school(1):
        return meetings.meeting_record(
            relationship=pair,
            by=pair.coach,
            praise="Your first instruction was short and complete: everyone started at once.",
            decision="continue" if current else "new",
            rounds=[("Ran the opening of tomorrow's lesson", "Shorter: cut the second sentence")],
            new_step=None
            if current
            else services.StepDraft(
                title="Narrate what pupils do well",
                criteria="Names two pupils doing the task well\nWithin the first minute",
            ),
        )
