"""Writes of self-review: record one (and move the step as the teacher decided, through the
step lifecycle in coaching/services.py), and share or unshare it with the coach."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from coachroom import audit
from coachroom.accounts.models import User
from coachroom.coaching import services as steps
from coachroom.coaching.models import ActionStep, StepState
from coachroom.coaching.selfreview.models import Decision, SelfReview, SelfReviewPoint
from coachroom.coaching.selfreview.queries import owns_ready_clip
from coachroom.coaching.step_actions import SELF_REVIEWABLE
from coachroom.core.errors import DomainError

# The states of "your current step" a teacher may review a lesson against: being practised, or
# secured (checking it is still there before the stick-check).
REVIEWABLE = SELF_REVIEWABLE


@dataclass(frozen=True)
class Point:
    criterion: str
    rating: str
    at_seconds: int | None = None


@dataclass(frozen=True)
class Review:
    """What the teacher entered: the points, the decision and, for refine or next, the step."""

    points: list[Point]
    decision: str
    noticed: str = ""
    taught_on: dt.date | None = None  # the form's default is today
    shared_with_coach: bool = False
    next_step: steps.StepDraft | None = None
    clip_id: int | None = None
    submission: str = ""


def may_self_review(step: ActionStep, user: User) -> bool:
    """The teacher's own current step, in a current pair."""
    return step.teacher_id == user.pk and step.state in REVIEWABLE and step.relationship.is_current


def _audit(review: SelfReview, by: User, action: str, **data: object) -> None:
    audit.record(
        actor=by,
        action=f"coaching.self_review.{action}",
        school=review.school,
        target=review,
        subject=review.teacher,
        data=dict(data),
    )


def _move_step(step: ActionStep, *, by: User, entered: Review) -> ActionStep | None:
    """The step lifecycle's own moves, as the teacher chose: a lesson reviewed is a lesson in
    which they tried it; refine and next supersede it with a new step their coach confirms
    (or, after a secured step, propose the next one). A self-review never moves the streak:
    only drop-ins secure a step."""
    if entered.decision == Decision.CONTINUE:
        if step.state in (StepState.AGREED, StepState.REOPENED):
            steps.start_practising(step, by=by, event="tried")
        return None
    if entered.next_step is None:
        raise DomainError("Say what the refined or next step is.")
    if step.state == StepState.SECURED:
        if entered.decision == Decision.REFINE:
            raise DomainError(
                "This step is secured: keep it going, or choose your next step from the library."
            )
        return steps.step_propose(relationship=step.relationship, by=by, draft=entered.next_step)
    return steps.step_refine(step=step, by=by, draft=entered.next_step)


def _require_reviewable(step: ActionStep, by: User, entered: Review) -> None:
    if not may_self_review(step, by):
        raise DomainError("You can review a lesson against your own current step only.")
    if not entered.points:
        raise DomainError("Mark at least one point of what it looks like.")
    if entered.clip_id is not None and not owns_ready_clip(by, step.school, entered.clip_id):
        raise DomainError("Choose one of your own clips that is ready to watch.")


def _save_points(review: SelfReview, points: list[Point]) -> None:
    SelfReviewPoint.objects.bulk_create(
        SelfReviewPoint(
            school_id=review.school_id,
            review=review,
            number=number,
            criterion=point.criterion[:500],
            rating=point.rating,
            at_seconds=point.at_seconds,
        )
        for number, point in enumerate(points, start=1)
    )


@transaction.atomic
def selfreview_record(*, step: ActionStep, by: User, entered: Review) -> SelfReview:
    """Record the teacher's review of a lesson against `step`. The same form sent twice (its
    `submission` key) is one review, and the step moves once."""
    if entered.submission:
        earlier = SelfReview.objects.filter(teacher=by, submission=entered.submission).first()
        if earlier is not None:
            return earlier
    step = (
        ActionStep.objects.select_for_update()
        .select_related("school", "relationship")
        .get(pk=step.pk)
    )
    _require_reviewable(step, by, entered)
    review = SelfReview(
        school_id=step.school_id,
        teacher_id=step.teacher_id,
        relationship_id=step.relationship_id,
        step=step,
        clip_id=entered.clip_id,
        noticed=entered.noticed.strip(),
        decision=entered.decision,
        shared_with_coach=entered.shared_with_coach,
        shared_at=timezone.now() if entered.shared_with_coach else None,
        submission=entered.submission[:64],
        created_at=timezone.now(),
    )
    if entered.taught_on is not None:
        review.taught_on = entered.taught_on
    try:
        with transaction.atomic():
            review.save()
    except IntegrityError:  # the other tap got there first
        return SelfReview.objects.get(teacher=by, submission=entered.submission)
    _save_points(review, entered.points)
    new = _move_step(step, by=by, entered=entered)
    _audit(
        review,
        by,
        "recorded",
        step=step.pk,
        decision=entered.decision,
        shared=entered.shared_with_coach,
        new_step=new.pk if new else None,
    )
    return review


@transaction.atomic
def selfreview_share(*, review: SelfReview, by: User, shared: bool) -> SelfReview:
    """The teacher shares a review with their coach, or takes it back: access follows at once."""
    review = SelfReview.objects.select_for_update().get(pk=review.pk)
    if by.pk != review.teacher_id:
        raise DomainError("Only the teacher whose review this is can share it.")
    if review.shared_with_coach == shared:
        return review  # a double tap
    review.shared_with_coach = shared
    review.shared_at = timezone.now() if shared else None
    review.save(update_fields=["shared_with_coach", "shared_at"])
    _audit(review, by, "shared" if shared else "unshared")
    return review
