"""Anyone may call `audit.record()`; it records and never acts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

    clean = {k: ("***" if k in _MASKED else v) for k, v in (data or {}).items()}
    return AuditEvent.objects.create(
        actor=actor,
        action=action,
        school=school,
        subject=subject,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        data=clean,
    )
