"""Writes of the coaching cycle: steps and drop-ins (feedback meetings are in `meetings.py`).
Each is one transaction, logs step transitions, and audits."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from coachroom import audit
from coachroom.accounts.models import CoachingRelationship, User
from coachroom.coaching import signals, streak
from coachroom.coaching.models import (
    ActionStep,
    Observation,
    Rating,
    RehearsalRound,
    StepEvidence,
    StepState,
    StepTransition,
)
from coachroom.core.errors import DomainError
from coachroom.library.models import LibraryStep

REVIEW_WITHIN_SCHOOL_DAYS = 7  # an agreed step is looked for within seven school days
SCHOOL_DAYS_PER_WEEK = 5


@dataclass(frozen=True)
class StepDraft:
    title: str
    criteria: str
    library_step: LibraryStep | None = None


# Helpers ---------------------------------------------------------------------------------------


def _log(
    step: ActionStep,
    *,
    left: str,
    event: str,
    by: User | None,
    reason: str = "",
    observation: Observation | None = None,
    recorded_by: User | None = None,
) -> StepTransition:
    """`by` is whose act it was; `recorded_by` whoever entered it for them, if someone else."""
    return StepTransition.objects.create(
        school_id=step.school_id,
        step=step,
        from_state=left,
        to_state=step.state,
        event=event,
        reason=reason,
        by=by,
        recorded_by=recorded_by if recorded_by and by and recorded_by.pk != by.pk else None,
        observation=observation,
        at=timezone.now(),
    )


def _require_teacher(step: ActionStep, by: User) -> None:
    if by.pk != step.teacher_id:
        raise DomainError("Only the teacher whose step this is can do that.")


def _require_party(relationship: CoachingRelationship, by: User) -> None:
    if by.pk not in (relationship.coach_id, relationship.coachee_id):
        raise DomainError("Only the coach and the teacher in this coaching pair can do that.")


def require_current(relationship: CoachingRelationship) -> None:
    if not relationship.is_current:
        raise DomainError("This coaching pair has ended; its record is read-only.")


def _audit_step(step: ActionStep, by: User | None, action: str) -> None:
    audit.record(
        actor=by,
        action=f"coaching.step.{action}",
        school=step.school,
        target=step,
        subject=step.teacher,
        data={"state": step.state},
    )


def active_step(relationship: CoachingRelationship) -> ActionStep | None:
    """The pair's active step, with its library step (the meeting suggests steps like it)."""
    return (
        ActionStep.objects.active()
        .filter(relationship=relationship)
        .select_related("library_step")
        .order_by("-created_at", "-pk")
        .first()
    )


# Action steps ----------------------------------------------------------------------------------


def _create_step(
    *,
    relationship: CoachingRelationship,
    by: User,
    draft: StepDraft,
    proposed_by: User,
    supersedes: ActionStep | None = None,
    event: str = "proposed",
) -> ActionStep:
    step = ActionStep(
        school=relationship.school,
        teacher=relationship.coachee,
        relationship=relationship,
        library_step=draft.library_step,
        title=draft.title.strip(),
        success_criteria=draft.criteria.strip(),
        proposed_by=proposed_by,
        # Agreement is each person's own act: proposing a step on your own account agrees to
        # it, but a coach writing down the teacher's idea does not agree for the teacher.
        teacher_confirmed=by.pk == relationship.coachee_id,
        coach_confirmed=by.pk == relationship.coach_id,
        supersedes=supersedes,
    )
    step.require_active_limit()
    step.save()
    # The history names the proposer, as the step does, and who recorded it if not them.
    _log(step, left="", event=event, by=proposed_by, recorded_by=by)
    if step.teacher_confirmed and step.coach_confirmed:
        _agree(step, by=by)
    return step


@transaction.atomic
def step_propose(
    *,
    relationship: CoachingRelationship,
    by: User,
    draft: StepDraft,
    teacher_proposed: bool = False,
) -> ActionStep:
    """Draft a step. It waits for the teacher to agree: the teacher must, even when the coach
    records a step the teacher proposed (`teacher_proposed`)."""
    require_current(relationship)
    _require_party(relationship, by)
    proposer = relationship.coachee if teacher_proposed else by
    step = _create_step(relationship=relationship, by=by, draft=draft, proposed_by=proposer)
    _audit_step(step, by, "proposed")
    return step


@transaction.atomic
def step_counter_propose(*, step: ActionStep, by: User, draft: StepDraft) -> ActionStep:
    """The teacher suggests their own alternative; the coach's proposal is superseded."""
    step = ActionStep.objects.select_for_update().get(pk=step.pk)
    _require_teacher(step, by)
    require_current(step.relationship)
    left = step.move(StepState.SUPERSEDED)
    step.save(update_fields=["state", "updated_at"])
    _log(step, left=left, event="superseded", by=by)
    new = _create_step(
        relationship=step.relationship,
        by=by,
        draft=draft,
        proposed_by=by,
        supersedes=step,
        event="counter_proposed",
    )
    _audit_step(new, by, "counter_proposed")
    return new


def _agree(
    step: ActionStep, *, by: User, recorded_by: User | None = None, reason: str = ""
) -> None:
    left = step.move(StepState.AGREED)
    step.agreed_at = timezone.now()
    step.review_due = step.review_due or step.school.add_school_days(
        timezone.localdate(), REVIEW_WITHIN_SCHOOL_DAYS
    )
    step.save()
    _log(step, left=left, event="agreed", by=by, recorded_by=recorded_by, reason=reason)
    if RehearsalRound.objects.filter(meeting__step=step).exists():
        start_practising(step, by=by, event="rehearsed")


@transaction.atomic
def step_confirm(*, step: ActionStep, by: User) -> ActionStep:
    """Coach or teacher confirms a proposed step; it is agreed once both have."""
    step = ActionStep.objects.select_for_update().select_related("school").get(pk=step.pk)
    _require_party(step.relationship, by)
    require_current(step.relationship)
    if step.state != StepState.PROPOSED:
        raise DomainError("Only a proposed step can be agreed.")
    if by.pk == step.teacher_id:
        step.teacher_confirmed = True
    if by.pk == step.relationship.coach_id:
        step.coach_confirmed = True
    step.save(update_fields=["teacher_confirmed", "coach_confirmed", "updated_at"])
    if step.teacher_confirmed and step.coach_confirmed:
        _agree(step, by=by)
    _audit_step(step, by, "confirmed")
    return step


@transaction.atomic
def step_record_teacher_agreement(*, step: ActionStep, by: User) -> ActionStep:
    """The teacher agrees out loud in the meeting; the coach records it, and the history says so
    (the teacher agreed, "in the meeting, recorded by" the coach)."""
    step = ActionStep.objects.select_for_update().select_related("school").get(pk=step.pk)
    require_current(step.relationship)
    if by.pk != step.relationship.coach_id:
        raise DomainError("Only the teacher's coach can record their agreement in a meeting.")
    if step.state != StepState.PROPOSED:
        raise DomainError("Only a proposed step can be agreed.")
    step.teacher_confirmed = step.coach_confirmed = True
    step.save(update_fields=["teacher_confirmed", "coach_confirmed", "updated_at"])
    _agree(
        step,
        by=step.teacher,
        recorded_by=by,
        reason=f"Agreed by the teacher in the meeting, recorded by {by.full_name}",
    )
    _audit_step(step, by, "agreement_recorded")
    return step


def start_practising(
    step: ActionStep, *, by: User | None, event: str, observation: Observation | None = None
) -> None:
    left = step.move(StepState.PRACTISING)
    if left == StepState.REOPENED:
        step.streak = 0
    step.save(update_fields=["state", "streak", "updated_at"])
    _log(step, left=left, event=event, by=by, observation=observation)


@transaction.atomic
def step_mark_tried(*, step: ActionStep, by: User) -> ActionStep:
    step = ActionStep.objects.select_for_update().get(pk=step.pk)
    _require_teacher(step, by)
    if step.state not in (StepState.AGREED, StepState.REOPENED):
        raise DomainError("You can mark a step as tried once it is agreed.")
    start_practising(step, by=by, event="tried")
    _audit_step(step, by, "tried")
    return step


def _apply_evidence(
    step: ActionStep, *, rating: str, observation: Observation, by: User
) -> StepEvidence:
    """Advance the lifecycle from one drop-in. Only observations move the streak."""
    if step.stick_check_is_due:
        return _apply_stick_check(step, rating=rating, observation=observation, by=by)
    if step.state in (StepState.AGREED, StepState.REOPENED):
        start_practising(step, by=by, event="tried", observation=observation)
    if step.state != StepState.PRACTISING:
        raise DomainError(
            f"“{step.title}” is {step.get_state_display().lower()}; it can't be observed."
        )
    not_counted = streak.why_not_counted(step, observation) if rating == Rating.SEEN else ""
    if rating == Rating.SEEN and not not_counted:
        step.streak += 1
    elif rating in (Rating.PARTLY, Rating.NOT_YET):
        step.streak = 0
    label = str(Rating(rating).label)
    if not_counted:
        left = step.move(StepState.PRACTISING)
        event, label = "seen_not_counted", not_counted
    elif step.streak >= step.school.sightings_to_secure:
        left = step.move(StepState.SECURED)
        step.secured_at = timezone.now()
        step.stick_check_due = step.school.add_school_days(
            timezone.localdate(), step.school.stick_check_weeks * SCHOOL_DAYS_PER_WEEK
        )
        event = "secured"
    else:
        left = step.move(StepState.PRACTISING)
        event = "observed"
    step.review_due = None
    step.save()
    _log(step, left=left, event=event, by=by, reason=label, observation=observation)
    return StepEvidence.objects.create(
        school_id=step.school_id,
        observation=observation,
        step=step,
        rating=rating,
        counted=not not_counted,
        not_counted_reason=not_counted,
    )


def _apply_stick_check(
    step: ActionStep, *, rating: str, observation: Observation, by: User
) -> StepEvidence:
    label = str(Rating(rating).label)
    if rating == Rating.SEEN:
        left = step.move(StepState.SECURED)
        step.stuck_at = timezone.now()
        step.save()
        _log(step, left=left, event="stuck", by=by, reason=label, observation=observation)
    elif rating in (Rating.PARTLY, Rating.NOT_YET):
        left = step.move(StepState.REOPENED)
        step.streak = 0
        step.stick_check_due = None
        step.save()
        _log(
            step,
            left=left,
            event="reopened",
            by=by,
            reason=f"Stick-check: {label.lower()}",
            observation=observation,
        )
    return StepEvidence.objects.create(
        school_id=step.school_id,
        observation=observation,
        step=step,
        rating=rating,
        is_stick_check=True,
    )


@transaction.atomic
def step_refine(
    *, step: ActionStep, by: User, draft: StepDraft, teacher_proposed: bool = False
) -> ActionStep:
    step = ActionStep.objects.select_for_update().get(pk=step.pk)
    _require_party(step.relationship, by)
    if step.state not in (StepState.AGREED, StepState.PRACTISING, StepState.REOPENED):
        raise DomainError("Only an agreed or practising step can be refined.")
    left = step.move(StepState.SUPERSEDED)
    step.save(update_fields=["state", "updated_at"])
    _log(step, left=left, event="refined", by=by)
    proposer = step.relationship.coachee if teacher_proposed else by
    new = _create_step(
        relationship=step.relationship, by=by, draft=draft, proposed_by=proposer, supersedes=step
    )
    _audit_step(new, by, "refined")
    return new


@transaction.atomic
def step_pause(*, step: ActionStep, by: User, reason: str) -> ActionStep:
    """Leave, long absence, exams: timers stop until the step is resumed."""
    step = ActionStep.objects.select_for_update().get(pk=step.pk)
    _require_party(step.relationship, by)
    if not reason.strip():
        raise DomainError("Say why the step is paused, for example “exam season”.")
    left = step.move(StepState.PAUSED)
    step.paused_from = left
    step.save(update_fields=["state", "paused_from", "updated_at"])
    _log(step, left=left, event="paused", by=by, reason=reason.strip())
    _audit_step(step, by, "paused")
    return step


@transaction.atomic
def step_resume(*, step: ActionStep, by: User) -> ActionStep:
    step = ActionStep.objects.select_for_update().get(pk=step.pk)
    _require_party(step.relationship, by)
    if step.state != StepState.PAUSED:
        raise DomainError("Only a paused step can be resumed.")
    left = step.move(step.paused_from or StepState.AGREED)
    step.paused_from = ""
    step.save(update_fields=["state", "paused_from", "updated_at"])
    _log(step, left=left, event="resumed", by=by)
    _audit_step(step, by, "resumed")
    return step


@transaction.atomic
def step_withdraw(*, step: ActionStep, by: User, reason: str) -> ActionStep:
    """The step was the wrong one. No blame: the reason is about the step."""
    step = ActionStep.objects.select_for_update().get(pk=step.pk)
    _require_party(step.relationship, by)
    if not reason.strip():
        raise DomainError("Give a reason for withdrawing the step.")
    left = step.move(StepState.WITHDRAWN)
    step.save(update_fields=["state", "updated_at"])
    _log(step, left=left, event="withdrawn", by=by, reason=reason.strip())
    _audit_step(step, by, "withdrawn")
    return step


@transaction.atomic
def step_reopen(*, step: ActionStep, by: User, reason: str = "") -> ActionStep:
    """A secured step comes back into practice (the teacher asks, or a check fails)."""
    step = ActionStep.objects.select_for_update().get(pk=step.pk)
    _require_party(step.relationship, by)
    step.require_active_limit()
    left = step.move(StepState.REOPENED)
    step.streak = 0
    step.stick_check_due = None
    step.save()
    _log(step, left=left, event="reopened", by=by, reason=reason.strip())
    _audit_step(step, by, "reopened")
    return step


@transaction.atomic
def steps_archive_for_relationship(*, relationship: CoachingRelationship, by: User | None) -> int:
    """When a pair ends or the year closes, its open steps become read-only."""
    count = 0
    for step in ActionStep.objects.filter(relationship=relationship).exclude(
        state__in=(StepState.SUPERSEDED, StepState.WITHDRAWN, StepState.ARCHIVED)
    ):
        left = step.move(StepState.ARCHIVED)
        step.save(update_fields=["state", "updated_at"])
        _log(step, left=left, event="archived", by=by)
        count += 1
    return count


# Drop-ins --------------------------------------------------------------------------------------


@transaction.atomic
def observation_start(
    *, relationship: CoachingRelationship, by: User, client_id: uuid.UUID | None = None
) -> Observation:
    """A new draft drop-in. `client_id` is the id a device gave a drop-in started offline; the
    caller finds an existing one first (coaching/offline.py)."""
    require_current(relationship)
    if by.pk != relationship.coach_id:
        raise DomainError("Only this teacher's coach can start a drop-in for them.")
    observation = Observation.objects.create(
        school=relationship.school,
        relationship=relationship,
        teacher=relationship.coachee,
        observer=by,
        observed_at=timezone.now(),
        client_id=client_id or uuid.uuid4(),
    )
    audit.record(
        actor=by,
        action="coaching.observation.started",
        school=relationship.school,
        target=observation,
        subject=relationship.coachee,
    )
    return observation


WRITTEN = ("went_well", "notes", "suggested_focus")  # what the coach wrote about the lesson
EMPTY_DROP_IN = (
    "Write what you saw, in “What went well” or “Notes”: a drop-in with no step evidence and "
    "no notes can't be saved."
)
DRAFT_FIELDS = (
    "observed_at",
    "year_group",
    "subject",
    "class_set",
    "went_well",
    "notes",
    "suggested_focus",
    "video_url",
)


def observation_autosave(
    *,
    observation: Observation,
    by: User,
    ratings: dict[int, str] | None = None,
    base_version: int | None = None,
    save_key: str = "",
    **fields: object,
) -> bool:
    """Keep what has been typed, step ratings included; False if the drop-in was submitted
    meanwhile, or (given `base_version`) changed since that version. Not audited per keystroke:
    the submit is the audited write.

    An autosave can still be on its way when the coach presses Save, so this is one conditional
    UPDATE of the typed fields alone, on a row that is still its author's draft: a late autosave
    finds no row to change and can never turn a submitted drop-in back into a draft. Each save
    raises the version, so a copy saved from an older page shows up as older."""
    if by.pk != observation.observer_id:
        raise DomainError("Only the coach's own draft can be saved.")
    typed: dict[str, object] = {
        name: value for name, value in fields.items() if name in DRAFT_FIELDS
    }
    if ratings is not None:
        chosen = {str(pk): rating for pk, rating in ratings.items() if rating}
        typed["draft_ratings"] = {**observation.draft_ratings, **chosen}
    now = timezone.now()
    rows = Observation.objects.filter(
        pk=observation.pk, observer=by, status=Observation.Status.DRAFT
    )
    if base_version is not None:
        rows = rows.filter(version=base_version)
    saved = rows.update(
        **typed, version=F("version") + 1, last_save_key=save_key[:64], updated_at=now
    )
    if saved:
        for name, value in typed.items():
            setattr(observation, name, value)
        observation.refresh_from_db(fields=["version"])
        observation.last_save_key = save_key[:64]
        observation.updated_at = now
    return bool(saved)


def steps_to_look_for(relationship: CoachingRelationship) -> list[ActionStep]:
    """The pair's current step, plus any secured step whose stick-check is due."""
    today = timezone.localdate()
    due = Q(
        state=StepState.SECURED,
        stuck_at__isnull=True,
        stick_check_due__lte=today,
    )
    looking = Q(state__in=(StepState.AGREED, StepState.PRACTISING, StepState.REOPENED))
    steps = ActionStep.objects.filter(looking | due, relationship=relationship)
    return list(steps.order_by("created_at", "pk"))


@transaction.atomic
def observation_submit(
    *, observation: Observation, by: User, ratings: dict[int, str], **fields: object
) -> Observation:
    observation = Observation.objects.select_for_update().get(pk=observation.pk)
    if by.pk != observation.observer_id:
        raise DomainError("Only the coach's own draft can be saved.")
    if not observation.is_draft:
        raise DomainError("This drop-in was already submitted.")
    for name, value in fields.items():
        if name in DRAFT_FIELDS:
            setattr(observation, name, value)
    if not ratings and not any(str(getattr(observation, f) or "").strip() for f in WRITTEN):
        # Words are then the drop-in's only record: without them it would count as held with
        # nothing in it.
        raise DomainError(EMPTY_DROP_IN)
    allowed = {s.pk: s for s in steps_to_look_for(observation.relationship)}
    for step_id, rating in ratings.items():
        if step_id not in allowed:
            raise DomainError("That step is not one this drop-in can look for.")
        _apply_evidence(allowed[step_id], rating=rating, observation=observation, by=by)
    observation.status = Observation.Status.SUBMITTED
    observation.submitted_at = timezone.now()
    observation.version += 1
    observation.save(
        update_fields=[*DRAFT_FIELDS, "status", "submitted_at", "version", "updated_at"]
    )
    signals.observation_submitted.send(sender=Observation, observation=observation, by=by)
    audit.record(
        actor=by,
        action="coaching.observation.submitted",
        school=observation.school,
        target=observation,
        subject=observation.teacher,
        data={"steps_rated": len(ratings)},
    )
    return observation
