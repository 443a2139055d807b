"""What a school's directory may do with its groups: link them to roles, and change who holds
a role by changing the group's members (provisioning/roles.py).

Roles belong to a person's place at one school, not to their account, so a directory may
change them for anyone on the school's staff list, including people who also work elsewhere.
Each change goes through `staff_update`, which audits it; taking the Coach role away ends the
person's current pairs as coach at once, as on the staff page (access follows the role).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from coachroom import audit
from coachroom.accounts.models import Membership
from coachroom.accounts.services import staff_update
from coachroom.core.errors import DomainError
from coachroom.integrations.provisioning.models import ScimGroup
from coachroom.integrations.provisioning.people import Conflict
from coachroom.integrations.provisioning.roles import ECT, RoleGroup, group_named


class NotThisRole(DomainError):
    """A directory group's name that does not name this group's role."""


def _set_role(membership: Membership, group: RoleGroup, *, on: bool) -> None:
    if bool(getattr(membership, group.field)) == on:
        return
    if group.key == ECT:
        staff_update(membership=membership, by=None, is_ect=on)
        return
    roles = {role.value for role in membership.roles}
    if on:
        roles.add(group.key)
    else:
        roles.discard(group.key)
    staff_update(membership=membership, by=None, roles=sorted(roles), end_coach_pairs=True)


def _mark_linked(group: ScimGroup) -> None:
    if group.linked_at is None:
        group.linked_at = timezone.now()
        group.save(update_fields=["linked_at"])


@transaction.atomic
def group_change_members(
    *,
    group: ScimGroup,
    add: Iterable[Membership] = (),
    remove: Iterable[Membership] = (),
    replace: Iterable[Membership] | None = None,
) -> None:
    """Give the group's role to `add`, take it from `remove`; with `replace`, the role is
    held by exactly those people afterwards."""
    role = group.group
    adding = list(add)
    removing = list(remove)
    if replace is not None:
        keep = {m.pk for m in replace}
        adding += list(replace)
        holders = Membership.objects.for_school(group.school).filter(**{role.field: True})
        removing += [m for m in holders.select_related("user") if m.pk not in keep]
    for membership in removing:
        _set_role(membership, role, on=False)
    for membership in adding:
        _set_role(membership, role, on=True)
    _mark_linked(group)


@transaction.atomic
def group_link(*, group: ScimGroup, display_name: str, external_id: str) -> ScimGroup:
    """A directory creates a group (SCIM POST): it links to the role its name stands for.
    A role's group links to one directory group; linking it again is a conflict."""
    group = ScimGroup.objects.select_for_update().get(pk=group.pk)
    if group.linked_at is not None:
        raise Conflict(
            f"The {group.group.name} group already exists (id “{group.role}”) and is linked to "
            f"the directory group “{group.display_name}”."
        )
    group.display_name = display_name
    group.external_id = external_id
    group.linked_at = timezone.now()
    group.save(update_fields=["display_name", "external_id", "linked_at"])
    _audit_link(group, "provisioning.group.linked")
    return group


@transaction.atomic
def group_update_link(
    *, group: ScimGroup, display_name: str | None = None, external_id: str | None = None
) -> ScimGroup:
    """A directory renames its group, or tells us its id. A new name must still name the same
    role: a group cannot turn coaches into school admins by being renamed."""
    changed: list[str] = []
    if display_name is not None and display_name != group.display_name:
        if group_named(display_name) != group.group:
            raise NotThisRole(
                f"“{display_name}” does not name the {group.group.name} role, so this group "
                "cannot be renamed to it."
            )
        group.display_name = display_name
        changed.append("display_name")
    if external_id is not None and external_id != group.external_id:
        group.external_id = external_id
        changed.append("external_id")
    if changed:
        if group.linked_at is None:
            group.linked_at = timezone.now()
            changed.append("linked_at")
        group.save(update_fields=changed)
        _audit_link(group, "provisioning.group.linked")
    return group


@transaction.atomic
def group_unlink(*, group: ScimGroup) -> ScimGroup:
    """A directory deletes its group (SCIM DELETE). The role cannot be deleted: the group goes
    back to its own name and nobody's role changes; the Staff page changes roles from here."""
    if group.linked_at is None and not group.external_id:
        return group
    group.display_name = group.group.name
    group.external_id = ""
    group.linked_at = None
    group.save(update_fields=["display_name", "external_id", "linked_at"])
    _audit_link(group, "provisioning.group.unlinked")
    return group


def _audit_link(group: ScimGroup, action: str) -> None:
    audit.record(
        actor=None,
        action=action,
        school=group.school,
        target=group,
        data={"role": group.role, "external_id": group.external_id[:40]},
    )
