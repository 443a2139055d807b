"""Writes for support plans: opening one (a second "open" finds the first), changing it, and
closing it with a note. Each write records one audit event; only induction tutors and senior
leaders of the school make them."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from coachroom import audit
from coachroom.accounts.models import User
from coachroom.core.errors import DomainError
from coachroom.induction.models import Induction, SupportPlan
from coachroom.induction.reviews import may_assess


def _audit(plan: SupportPlan, by: User, action: str) -> None:
    audit.record(
        actor=by,
        action=f"induction.support_plan.{action}",
        school=plan.school,
        target=plan.induction,
        subject=plan.induction.ect,
    )


def _check(induction: Induction, by: User) -> None:
    if not may_assess(by, induction.school_id):
        raise DomainError("Support plans are made by induction tutors and senior leaders.")


@transaction.atomic
def support_plan_open(
    *, induction: Induction, by: User, concerns: str, support: str, review_on: dt.date
) -> SupportPlan:
    _check(induction, by)
    current = SupportPlan.objects.filter(induction=induction, closed_at__isnull=True).first()
    if current is not None:
        return current
    try:
        with transaction.atomic():
            plan = SupportPlan.objects.create(
                school=induction.school,
                induction=induction,
                concerns=concerns,
                support=support,
                review_on=review_on,
                created_by=by,
            )
    except IntegrityError:  # opened at the same moment by another request
        return SupportPlan.objects.get(induction=induction, closed_at__isnull=True)
    _audit(plan, by, "opened")
    return plan


@transaction.atomic
def support_plan_update(
    *, plan: SupportPlan, by: User, concerns: str, support: str, review_on: dt.date
) -> SupportPlan:
    _check(plan.induction, by)
    if plan.closed_at is not None:
        raise DomainError("This support plan has been closed.")
    plan.concerns, plan.support, plan.review_on = concerns, support, review_on
    plan.save(update_fields=["concerns", "support", "review_on"])
    _audit(plan, by, "updated")
    return plan


@transaction.atomic
def support_plan_close(*, plan: SupportPlan, by: User, note: str) -> SupportPlan:
    _check(plan.induction, by)
    if plan.closed_at is None:
        plan.closed_at, plan.closing_note = timezone.now(), note
        plan.save(update_fields=["closed_at", "closing_note"])
        _audit(plan, by, "closed")
    return plan
