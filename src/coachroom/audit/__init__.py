"""Anyone may call `audit.record()`; it records and never acts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable

    from django.db.models import Model

    from coachroom.accounts.models import School, User
    from coachroom.audit.models import AuditEvent

# Keys whose values never reach the audit log: secrets and free text about people.
_MASKED = {"password", "token", "secret", "notes", "text", "praise", "reflection"}


def record(
    *,
    actor: User | None,
    action: str,
    school: School | None = None,
    target: Model | None = None,
    subject: User | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    from coachroom.audit.models import AuditEvent

    return AuditEvent.objects.create(
        actor=actor,
        action=action,
        school=school,
        subject=subject,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        data=_clean(data),
    )


def record_for_each(
    *,
    actor: User | None,
    action: str,
    subject_ids: Iterable[int],
    school: School | None = None,
    data: dict[str, Any] | None = None,
) -> int:
    """The same event once for each person, in bulk: for one act (an export) that covers many
    people, each of whom must see it in their own history. Returns how many were recorded."""
    from coachroom.audit.models import AuditEvent

    clean = _clean(data)
    events = [
        AuditEvent(actor=actor, action=action, school=school, subject_id=pk, data=dict(clean))
        for pk in subject_ids
    ]
    AuditEvent.objects.bulk_create(events, batch_size=500)
    return len(events)


def _clean(data: dict[str, Any] | None) -> dict[str, Any]:
    return {k: ("***" if k in _MASKED else v) for k, v in (data or {}).items()}
