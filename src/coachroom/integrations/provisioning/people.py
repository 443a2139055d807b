"""What a school's directory may do to its people, through the same services as the web pages.

A token speaks for one school (`actor=None` in accounts/identity.py: an automated action on the
school's behalf), so the trust boundary applies as it does to an import:

- New people are added with `staff_invite`, as an admin's invitation adds them, but no email is
  sent: people sign in with Microsoft or Google, or are invited from the Staff page. An email
  that belongs to an account outside the school is refused, never linked: a trust admin adds
  such a person to the school first, and the directory then manages their place here.
- A person's name and email change only when `may_change_identity` allows it: when they belong
  to this school alone. For anyone else the directory's change is left out and the audit log
  says so; their roles and whether they are active here are still the directory's to set.
- Deactivating ends the person's place in the school with `staff_deactivate` (nothing is
  deleted, their pairs end at once); reactivating uses `staff_reactivate`.

Every change is audited by the services it goes through; the views wrap each request in
`audit.acting_as(token.agent)`, so the log names the token.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from coachroom import audit
from coachroom.accounts.identity import OUTSIDE_SCHOOL, may_change_identity
from coachroom.accounts.models import EmailChange, Membership, Role, School, User
from coachroom.accounts.services import (
    staff_deactivate,
    staff_invite,
    staff_reactivate,
    staff_update,
)
from coachroom.accounts.signals import credentials_changed
from coachroom.core.errors import DomainError
from coachroom.integrations.provisioning.models import ScimGroup, ScimPerson


class Conflict(DomainError):
    """The change would clash with someone who already exists (SCIM 409, uniqueness)."""


@dataclass
class PersonChanges:
    """What a request asks to set; None leaves a field as it is."""

    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    job_title: str | None = None
    active: bool | None = None
    external_id: str | None = None


def roles_for_new_people(school: School) -> list[str]:
    """Teacher, as for invites and imports, until the directory links a Teachers group; from
    then on the directory's Teachers group says who teaches."""
    linked = ScimGroup.objects.filter(
        school=school, role=Role.TEACHER.value, linked_at__isnull=False
    ).exists()
    return [] if linked else [Role.TEACHER.value]


@transaction.atomic
def person_create(*, school: School, changes: PersonChanges) -> Membership:
    email = changes.email or ""
    existing = User.objects.filter(email=email).first()
    if existing is not None and Membership.objects.filter(user=existing, school=school).exists():
        raise Conflict(f"{email} is already on the staff list of {school.name}.")
    membership = staff_invite(
        school=school,
        by=None,
        email=email,
        first_name=changes.first_name or "",
        last_name=changes.last_name or "",
        roles=roles_for_new_people(school),
        job_title=changes.job_title or "",
        send_email=False,
    )
    if membership is None:
        raise Conflict(OUTSIDE_SCHOOL.format(school=school.name))
    if changes.external_id:
        ScimPerson.objects.create(
            school=school, membership=membership, external_id=changes.external_id
        )
    if changes.active is False:
        staff_deactivate(membership=membership, by=None)
    return membership


@transaction.atomic
def person_update(*, membership: Membership, changes: PersonChanges) -> Membership:
    """Apply a PUT or PATCH: reactivate first, then details, then deactivate."""
    membership = (
        Membership.objects.select_for_update()
        .select_related("user", "school")
        .get(pk=membership.pk)
    )
    if changes.active is True and not membership.is_active:
        staff_reactivate(membership=membership, by=None)
    identity = _identity_changes(membership, changes)
    if "email" in identity:
        _change_email(membership, identity.pop("email"))
    fields: dict[str, Any] = dict(identity)
    if changes.job_title is not None and changes.job_title != membership.job_title:
        fields["job_title"] = changes.job_title
    if fields:
        staff_update(membership=membership, by=None, **fields)
    if changes.external_id is not None:
        _set_external_id(membership, changes.external_id)
    if changes.active is False and membership.is_active:
        staff_deactivate(membership=membership, by=None)
    return membership


@transaction.atomic
def person_deactivate(*, membership: Membership) -> Membership:
    """DELETE: the person leaves the school's active staff; deleting again changes nothing."""
    if membership.is_active:
        staff_deactivate(membership=membership, by=None)
    return membership


def _identity_changes(membership: Membership, changes: PersonChanges) -> dict[str, str]:
    """The name and email changes asked for, or none where the school may not make them."""
    user = membership.user
    wanted = {
        "email": changes.email,
        "first_name": changes.first_name,
        "last_name": changes.last_name,
    }
    changed = {k: v for k, v in wanted.items() if v is not None and v != getattr(user, k)}
    if changed and not may_change_identity(None, user, school=membership.school):
        audit.record(
            actor=None,
            action="provisioning.person.identity_kept",
            school=membership.school,
            target=membership,
            subject=user,
            data={"fields": sorted(changed)},
        )
        return {}
    return changed


def _change_email(membership: Membership, new_email: str) -> None:
    """The directory is where the school keeps its staff's addresses: the change is made at
    once, signing the person out elsewhere and replacing their calendar address, as a
    confirmed change of email does."""
    user = membership.user
    if User.objects.filter(email=new_email).exclude(pk=user.pk).exists():
        raise Conflict(f"{new_email} is already the email address of another account.")
    old_email = user.email
    user.email = new_email
    user.save(update_fields=["email"])
    EmailChange.objects.filter(user=user, confirmed_at__isnull=True).delete()
    credentials_changed.send(sender=User, user=user, reason="email_changed")
    audit.record(
        actor=None,
        action="provisioning.person.email_changed",
        school=membership.school,
        target=membership,
        subject=user,
        data={"old_email": old_email, "new_email": new_email},
    )


def _set_external_id(membership: Membership, external_id: str) -> None:
    link = ScimPerson.objects.filter(membership=membership).first()
    if link is not None and link.external_id == external_id:
        return
    if link is None:
        link = ScimPerson(school=membership.school, membership=membership)
    link.external_id = external_id
    link.updated_at = timezone.now()
    link.save()
    audit.record(
        actor=None,
        action="provisioning.person.linked",
        school=membership.school,
        target=membership,
        subject=membership.user,
        data={"external_id": external_id[:40]},
    )
