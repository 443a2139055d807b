"""The ECT's choice to share their mentoring records with their induction tutor.

The mentor coaches and never assesses; the tutor assesses. So the tutor reads nothing of the
mentoring unless the ECT shares it, and only the ECT can turn that on or off
(`coaching/policy.py`, `_shared_mentoring_q`). A new tutor starts unshared (`setup._apply`)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from coachroom import audit
from coachroom.accounts.models import User
from coachroom.core.errors import DomainError
from coachroom.induction.models import Induction


@transaction.atomic
def mentoring_share(*, induction: Induction, shared: bool, by: User) -> Induction:
    """Share (or stop sharing) the ECT's mentoring records with their tutor; the same choice
    twice changes nothing and records nothing."""
    if by.pk != induction.ect_id:
        raise DomainError("Only the ECT decides whether their tutor reads their mentoring.")
    if shared and induction.tutor_id is None:
        raise DomainError("Your induction tutor has not been chosen yet.")
    if induction.mentor_notes_shared == shared:
        return induction
    induction.mentor_notes_shared = shared
    induction.updated_at = timezone.now()
    induction.save(update_fields=["mentor_notes_shared", "updated_at"])
    audit.record(
        actor=by,
        action="induction.mentoring.shared" if shared else "induction.mentoring.unshared",
        school=induction.school,
        target=induction,
        subject=induction.ect,
        data={"tutor": induction.tutor_id},
    )
    return induction
