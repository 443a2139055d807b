"""Writes for the induction tutor's progress reviews and formal assessments.

A review is started from a date in the induction's plan (starting it twice opens the same one),
written by an induction tutor, then signed: the tutor first (what the tutor wrote is then
final), then the ECT, who may add comments, and a senior leader (the headteacher). Each write
records one audit event.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from coachroom import audit
from coachroom.accounts.models import Membership, User
from coachroom.coaching.policy import Who
from coachroom.core.errors import DomainError
from coachroom.induction.models import Induction, InductionReview, ReviewOutcome, SupportPlan
from coachroom.induction.periods import ReviewPoint

ALREADY_SIGNED = "The tutor has signed this review, so what it says is final."


def _audit(review: InductionReview, by: User, action: str) -> None:
    audit.record(
        actor=by,
        action=f"induction.review.{action}",
        school=review.school,
        target=review,
        subject=review.induction.ect,
        data={"kind": review.kind, "period": review.period},
    )


def may_assess(user: User, school_id: int, *, tutor_only: bool = False) -> bool:
    """An active induction tutor (or, unless `tutor_only`, senior leader) of the school."""
    role = (
        Q(is_induction_tutor=True)
        if tutor_only
        else Q(is_induction_tutor=True) | Q(is_senior_leader=True)
    )
    return Membership.objects.active().filter(role, user=user, school_id=school_id).exists()


@transaction.atomic
def review_start(*, induction: Induction, point: ReviewPoint, by: User) -> InductionReview:
    """The review for this date of the plan, made the first time it is asked for."""
    review, created = InductionReview.objects.get_or_create(
        induction=induction,
        kind=str(point.kind),
        period=period_of(point),
        defaults={"school": induction.school, "due_on": point.due_on},
    )
    if created:
        _audit(review, by, "started")
    return review


@transaction.atomic
def review_write(
    *,
    review: InductionReview,
    by: User,
    outcome: str,
    standards_of_concern: list[int],
    evidence: str,
    targets: str,
) -> InductionReview:
    if not may_assess(by, review.school_id, tutor_only=True):
        raise DomainError("Only an induction tutor writes a review.")
    if review.tutor_signed_at is not None:
        raise DomainError(ALREADY_SIGNED)
    review.outcome = outcome
    review.standards_of_concern = (
        sorted(set(standards_of_concern)) if outcome == ReviewOutcome.NOT_ON_TRACK else []
    )
    review.evidence, review.targets = evidence, targets
    review.save()
    _audit(review, by, "written")
    return review


@transaction.atomic
def review_sign_as_tutor(*, review: InductionReview, by: User) -> InductionReview:
    if not may_assess(by, review.school_id, tutor_only=True):
        raise DomainError("Only an induction tutor signs as the tutor.")
    if review.tutor_signed_at is not None:
        return review  # a double tap signs once
    if not review.outcome or not review.evidence.strip():
        raise DomainError("Record the outcome and the evidence summary before signing.")
    review.tutor_signed_by, review.tutor_signed_at = by, timezone.now()
    review.save(update_fields=["tutor_signed_by", "tutor_signed_at"])
    _audit(review, by, "signed_by_tutor")
    return review


@transaction.atomic
def review_sign_as_head(*, review: InductionReview, by: User) -> InductionReview:
    if (
        not Membership.objects.active()
        .filter(user=by, school=review.school, is_senior_leader=True)
        .exists()
    ):
        raise DomainError("Only a senior leader signs for the headteacher.")
    if review.tutor_signed_at is None:
        raise DomainError("The induction tutor signs first.")
    if review.head_signed_at is None:
        review.head_signed_by, review.head_signed_at = by, timezone.now()
        review.save(update_fields=["head_signed_by", "head_signed_at"])
        _audit(review, by, "signed_by_head")
    return review


@transaction.atomic
def review_sign_as_ect(*, review: InductionReview, by: User, comments: str) -> InductionReview:
    if by.pk != review.induction.ect_id:
        raise DomainError("Only the ECT signs as the ECT.")
    if review.tutor_signed_at is None:
        raise DomainError("You sign once your induction tutor has signed.")
    if review.ect_signed_at is None:
        review.ect_comments, review.ect_signed_at = comments, timezone.now()
        review.save(update_fields=["ect_comments", "ect_signed_at"])
        _audit(review, by, "signed_by_ect")
    return review


def period_of(point: ReviewPoint) -> str:
    """ "Autumn 2026", "end of year 1": how a review names the date it is for."""
    return point.label.split(", ", 1)[1] if ", " in point.label else point.term


def reviews_by_point(
    induction: Induction, points: tuple[ReviewPoint, ...], viewer: Who
) -> list[tuple[int, ReviewPoint, InductionReview | None]]:
    """Each date of the plan with its review, if one has been started and the viewer may read
    it; one query."""
    held = {
        (r.kind, r.period): r
        for r in InductionReview.objects.visible_to(viewer).filter(induction=induction)
    }
    return [
        (index, point, held.get((str(point.kind), period_of(point))))
        for index, point in enumerate(points)
    ]


def with_latest_outcome(
    inductions: QuerySet[Induction], viewer: Who, *, at_risk_only: bool = False
) -> QuerySet[Induction]:
    """Each induction with `latest_outcome`, the outcome of its latest review the tutor has
    signed ("" when there is none), and `on_support_plan`, both read through the privacy gate.
    At risk: that outcome is not on track, or a support plan is open."""
    signed = (
        InductionReview.objects.visible_to(viewer)
        .filter(induction=OuterRef("pk"), tutor_signed_at__isnull=False)
        .order_by("-due_on", "-pk")
        .values("outcome")[:1]
    )
    supported = SupportPlan.objects.visible_to(viewer).filter(
        induction=OuterRef("pk"), closed_at__isnull=True
    )
    annotated = inductions.annotate(
        latest_outcome=Subquery(signed), on_support_plan=Exists(supported)
    )
    if at_risk_only:
        return annotated.filter(
            Q(latest_outcome=ReviewOutcome.NOT_ON_TRACK) | Q(on_support_plan=True)
        )
    return annotated


def open_support_plan(induction: Induction, viewer: Who) -> SupportPlan | None:
    return (
        SupportPlan.objects.visible_to(viewer)
        .filter(induction=induction, closed_at__isnull=True)
        .first()
    )
