"""Anyone may call `audit.record()` (and `audit.audit_read()` for reads of coaching notes);
they record and never act."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable

    from django.db.models import Model

    from coachroom.accounts.models import School, User
    from coachroom.audit.models import AuditEvent

# Keys whose values never reach the audit log: secrets and free text about people.
_MASKED = {"password", "token", "secret", "notes", "text", "praise", "reflection"}

# What `acting_as` adds to every event recorded inside it.
_agent: ContextVar[dict[str, Any] | None] = ContextVar("coachroom_audit_agent", default=None)
AGENT = "agent"  # the data key naming the automated agent; the log shows it as "Who"


@contextmanager
def acting_as(agent: str, **data: Any) -> Iterator[None]:
    """Every event recorded inside is an automated change made on a school's behalf by
    `agent` (for example a SCIM token: 'SCIM token "Microsoft Entra ID"'), which the log shows
    where it would show a person; `data` adds ids (the token's). Events keep `actor=None`."""
    reset = _agent.set({AGENT: agent, **data})
    try:
        yield
    finally:
        _agent.reset(reset)


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


def audit_read(
    *,
    reader: User,
    about: User | None,
    school: School,
    target: Model | None = None,
    action: str = "",
    parties: Iterable[int] = (),
) -> AuditEvent | None:
    """Record a read of coaching notes about `about`, so they can see who read them.

    A person reading their own record is not recorded, nor is anyone in `parties` (the people
    the record belongs to, such as a session's coach). With no `about` (a walk read as a whole)
    every read is recorded. The code defaults to `coaching.<target's model>.viewed`."""
    if about is not None and reader.pk in {about.pk, *parties}:
        return None
    if not action:
        if target is None:
            raise ValueError("audit_read needs an action or a target to name the read.")
        action = f"coaching.{target._meta.model_name}.viewed"
    return record(actor=reader, action=action, school=school, target=target, subject=about)


def _clean(data: dict[str, Any] | None) -> dict[str, Any]:
    merged = {**(_agent.get() or {}), **(data or {})}
    return {k: ("***" if k in _MASKED else v) for k, v in merged.items()}
