"""Writes of feedback meetings: recording one (with its step decision, rehearsal rounds and the
next drop-in) and the teacher's reflection. Each is one transaction and audits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from coachroom import audit
from coachroom.accounts.models import CoachingRelationship, User
from coachroom.coaching import booking, signals
from coachroom.coaching.models import (
    ActionStep,
    FeedbackMeeting,
    Observation,
    RehearsalRound,
    StepState,
)
from coachroom.coaching.services import (
    StepDraft,
    active_step,
    require_current,
    start_practising,
    step_propose,
    step_record_teacher_agreement,
    step_refine,
)
from coachroom.core.errors import DomainError


@transaction.atomic
def meeting_record(
    *,
    relationship: CoachingRelationship,
    by: User,
    praise: str,
    decision: str,
    rounds: Iterable[tuple[str, str]],
    step_review: str = "",
    modelling: str = "",
    plan: str = "",
    next_drop_in: dt.date | None = None,
    observations: Iterable[Observation] = (),
    new_step: StepDraft | None = None,
    teacher_proposed: bool = False,
    teacher_agreed_in_meeting: bool = False,
    next_drop_in_time: dt.time | None = None,
    clash_override_reason: str = "",
) -> FeedbackMeeting:
    """Record a meeting. With a day and a time for the next drop-in, it is booked as a session
    (see `coaching.booking`); a clash refuses the whole meeting unless overridden with a reason."""
    require_current(relationship)
    if by.pk != relationship.coach_id:
        raise DomainError("Only this teacher's coach can record their feedback meeting.")
    step = _decided_step(relationship, by, decision, new_step, teacher_proposed)
    if teacher_agreed_in_meeting and step.state == StepState.PROPOSED:
        step = step_record_teacher_agreement(step=step, by=by)
    meeting = FeedbackMeeting.objects.create(
        school=relationship.school,
        relationship=relationship,
        teacher=relationship.coachee,
        coach=by,
        praise=praise,
        step_review=step_review,
        decision=decision,
        step=step,
        modelling=modelling,
        plan=plan,
        next_drop_in=next_drop_in,
        held_at=timezone.now(),
    )
    meeting.observations.set(observations)
    _add_rounds(meeting, step, rounds, by)
    _plan_next_drop_in(meeting, by, next_drop_in_time, clash_override_reason)
    signals.meeting_held.send(sender=FeedbackMeeting, meeting=meeting, by=by)
    audit.record(
        actor=by,
        action="coaching.meeting.held",
        school=relationship.school,
        target=meeting,
        subject=relationship.coachee,
        data={"decision": decision, "step": step.pk, "rounds": meeting.rounds.count()},
    )
    return meeting


def _decided_step(
    relationship: CoachingRelationship,
    by: User,
    decision: str,
    new_step: StepDraft | None,
    teacher_proposed: bool,
) -> ActionStep:
    """The step the meeting settles on: the current one continued, refined, or a new one."""
    current = active_step(relationship)
    if decision == FeedbackMeeting.Decision.CONTINUE:
        if current is None:
            raise DomainError("There is no current step to continue; choose a new step.")
        return current
    if new_step is None:
        raise DomainError("Describe the new step, or choose one from the library.")
    if decision == FeedbackMeeting.Decision.REFINE:
        if current is None:
            raise DomainError("There is no current step to refine; choose a new step.")
        return step_refine(step=current, by=by, draft=new_step, teacher_proposed=teacher_proposed)
    return step_propose(
        relationship=relationship, by=by, draft=new_step, teacher_proposed=teacher_proposed
    )


def _add_rounds(
    meeting: FeedbackMeeting, step: ActionStep, rounds: Iterable[tuple[str, str]], by: User
) -> None:
    """Store the rehearsal rounds; rehearsing an agreed step starts its practice."""
    RehearsalRound.objects.bulk_create(
        RehearsalRound(school=meeting.school, meeting=meeting, number=n, attempt=a, feedback=f)
        for n, (a, f) in enumerate(rounds, start=1)
    )
    step.refresh_from_db()
    if meeting.rounds.exists() and step.state in (StepState.AGREED, StepState.REOPENED):
        start_practising(step, by=by, event="rehearsed")


def _plan_next_drop_in(
    meeting: FeedbackMeeting, by: User, time: dt.time | None, override_reason: str
) -> None:
    """The step is looked for on the next drop-in's day; with a time, the drop-in is booked."""
    day, step = meeting.next_drop_in, meeting.step
    if day and step is not None and step.is_active:
        step.review_due = day
        step.save(update_fields=["review_due", "updated_at"])
    if day and time:
        booking.book(
            meeting=meeting,
            by=by,
            starts_at=timezone.make_aware(dt.datetime.combine(day, time)),
            override_reason=override_reason,
        )


@transaction.atomic
def meeting_reflect(*, meeting: FeedbackMeeting, by: User, reflection: str) -> FeedbackMeeting:
    if by.pk != meeting.teacher_id:
        raise DomainError("Only the teacher adds their reflection.")
    if not reflection.strip():
        raise DomainError("Write a few words of reflection first.")
    meeting.reflection = reflection.strip()
    meeting.reflected_at = timezone.now()
    meeting.save(update_fields=["reflection", "reflected_at"])
    audit.record(
        actor=by,
        action="coaching.meeting.reflected",
        school=meeting.school,
        target=meeting,
        subject=meeting.teacher,
    )
    return meeting


def meeting_mark_reflection_read(meeting: FeedbackMeeting, *, by: User) -> None:
    """The coach has opened the meeting: its reflection leaves their "Needs you" list."""
    if by.pk != meeting.coach_id or meeting.reflected_at is None:
        return
    if meeting.reflection_read_at is None or meeting.reflection_read_at < meeting.reflected_at:
        meeting.reflection_read_at = timezone.now()
        meeting.save(update_fields=["reflection_read_at"])
