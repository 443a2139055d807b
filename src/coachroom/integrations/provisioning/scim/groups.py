"""The SCIM Group resource: one of the school's roles (django-scim2's GROUP_ADAPTER).

Groups always exist, one per role (provisioning/roles.py), with the role's key as their id
(`coach`). A directory that creates a group (POST) links its group to the role the name says
("Coachroom Coaches" → Coaches); one that deletes it (DELETE) unlinks it, and nobody's role
changes. Members are the school's people (SCIM User ids): adding one gives them the role at
this school, removing one takes it away.
"""

from __future__ import annotations

import re
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django_scim import constants
from django_scim.adapters import SCIMMixin

from coachroom.accounts.models import Membership
from coachroom.integrations.provisioning.groups import (
    NotThisRole,
    group_change_members,
    group_link,
    group_unlink,
    group_update_link,
)
from coachroom.integrations.provisioning.models import ScimGroup
from coachroom.integrations.provisioning.roles import group_named, names_for_help
from coachroom.integrations.provisioning.scim import errors
from coachroom.integrations.provisioning.scim.auth import school_of
from coachroom.integrations.provisioning.scim.config import location, resource_type
from coachroom.integrations.provisioning.scim.filters import GROUP_FIELDS, AttrMap
from coachroom.integrations.provisioning.scim.params import project, wants
from coachroom.integrations.provisioning.scim.people import domain_errors
from coachroom.integrations.provisioning.scim.values import (
    GROUP_URN,
    Operation,
    Path,
    as_text,
    pathless_items,
    require_schema,
)

ONE_MEMBER = re.compile(r'^members\s*\[\s*value\s+eq\s+"([^"]*)"\s*\]$', re.IGNORECASE)
NAME_MAX = 255


class GroupAdapter(SCIMMixin):
    url_name = "scim:groups"
    resource_type = "Group"
    id_field = "role"
    fields: AttrMap = GROUP_FIELDS
    label = "A group"

    def __init__(self, obj: ScimGroup, request: HttpRequest | None = None) -> None:
        super().__init__(obj, request=request)
        self.obj: ScimGroup = obj
        self.display_name = ""
        self.external_id: str | None = None
        self.members: list[Membership] | None = None

    @classmethod
    def rows(cls, request: HttpRequest) -> QuerySet[ScimGroup]:
        school = school_of(request)
        ScimGroup.ensure_for(school)
        return ScimGroup.objects.filter(school=school).select_related("school").order_by("pk")

    @classmethod
    def find(cls, request: HttpRequest, uuid: str) -> ScimGroup:
        found = cls.rows(request).filter(role=uuid).first()
        if found is None:
            raise errors.not_found(
                f"There is no group “{uuid[:40]}”. Coachroom's groups are its roles: "
                f"{names_for_help()}."
            )
        return found

    @classmethod
    def resource_type_dict(cls, request: HttpRequest | None = None) -> dict[str, Any]:
        return resource_type(request, "Group")

    def to_dict(self) -> dict[str, Any]:
        group = self.obj
        resource: dict[str, Any] = {
            "schemas": [constants.SchemaURI.GROUP],
            "id": group.role,
            "displayName": group.display_name,
            "meta": {"resourceType": "Group", "location": self.location},
        }
        if group.external_id:
            resource["externalId"] = group.external_id
        if wants(self.request, "members"):
            holders = (
                Membership.objects.for_school(group.school)
                .filter(**{group.group.field: True})
                .select_related("user")
                .order_by("pk")
            )
            resource["members"] = [
                {
                    "value": str(m.pk),
                    "display": m.user.full_name,
                    "$ref": location(self.request, "scim:users", uuid=str(m.pk)),
                    "type": "User",
                }
                for m in holders
            ]
        return project(self.request, resource)

    # Writes ----------------------------------------------------------------------------------

    def validate_dict(self, d: dict[str, Any]) -> None:
        """`from_dict` reads and checks every attribute."""

    def from_dict(self, d: dict[str, Any]) -> None:
        require_schema(d, GROUP_URN)
        name = d.get("displayName")
        if not isinstance(name, str) or not name.strip():
            raise errors.invalid_value("“displayName” is required: the group's name.")
        self.display_name = as_text(name, "displayName", max_length=NAME_MAX)
        if "externalId" in d:
            self.external_id = as_text(d["externalId"], "externalId", max_length=NAME_MAX)
        if d.get("members") is not None:
            self.members = self._people(d["members"])

    def save(self) -> None:
        with domain_errors():
            if self.obj.pk is None:
                self._link()
            else:
                self._rename(self.display_name, self.external_id)
                if self.members is not None:
                    group_change_members(group=self.obj, replace=self.members)
        self.obj = self.find(self.request, self.obj.role)

    def _link(self) -> None:
        role = group_named(self.display_name)
        if role is None:
            raise errors.invalid_value(
                f"“{self.display_name[:100]}” does not name a Coachroom role. Coachroom's "
                f"groups are its roles: {names_for_help()}. Name the directory group after "
                "one of them, for example “Coachroom Coaches”."
            )
        group = self.find(self.request, role.key)
        self.obj = group_link(
            group=group, display_name=self.display_name, external_id=self.external_id or ""
        )
        if self.members:
            group_change_members(group=self.obj, add=self.members)

    def _rename(self, display_name: str | None, external_id: str | None) -> None:
        try:
            self.obj = group_update_link(
                group=self.obj, display_name=display_name, external_id=external_id
            )
        except NotThisRole as error:
            raise errors.mutability(str(error)) from None

    def delete(self) -> None:
        with domain_errors():
            group_unlink(group=self.obj)

    def handle_operations(self, operations: list[Operation]) -> None:
        with domain_errors():
            for operation in operations:
                if operation.path is None:
                    for path, value in pathless_items(operation.value):
                        self._apply(operation.op, path, value)
                else:
                    self._apply(operation.op, operation.path, operation.value)
        self.obj = self.find(self.request, self.obj.role)

    def _apply(self, op: str, path: Path, value: Any) -> None:
        match path.attr:
            case "members":
                self._change_members(op, path, value)
            case "displayname":
                if op == "remove":
                    raise errors.mutability("A group's displayName cannot be removed.")
                self._rename(as_text(value, "displayName", max_length=NAME_MAX), None)
            case "externalid":
                external_id = "" if op == "remove" else as_text(value, "externalId", max_length=255)
                self._rename(None, external_id)
            case "id" | "meta":
                raise errors.mutability(f"“{path.raw}” is read-only.")
            case _:
                return  # nothing else is kept

    def _change_members(self, op: str, path: Path, value: Any) -> None:
        if "[" in path.raw:
            match = ONE_MEMBER.match(path.raw)
            if match is None or op != "remove":
                raise errors.invalid_path(
                    'Coachroom can remove one member by path, as members[value eq "id"], '
                    "or add and remove members listed in the value."
                )
            group_change_members(group=self.obj, remove=self._people([{"value": match[1]}]))
        elif op == "add":
            group_change_members(group=self.obj, add=self._people(value))
        elif op == "replace":
            group_change_members(group=self.obj, replace=self._people(value))
        elif value is None:
            group_change_members(group=self.obj, replace=[])  # remove every member
        else:
            group_change_members(group=self.obj, remove=self._people(value))

    def _people(self, value: Any) -> list[Membership]:
        """The school's people a members list names; anyone else is an error."""
        items = value if isinstance(value, list) else [value]
        ids: list[str] = []
        for item in items:
            member = item.get("value") if isinstance(item, dict) else None
            if isinstance(member, int) and not isinstance(member, bool):
                member = str(member)
            if not isinstance(member, str) or not member.strip():
                raise errors.invalid_value('Each member must be an object like {"value": "id"}.')
            ids.append(member.strip())
        wanted = {i for i in ids if i.isascii() and i.isdigit() and len(i) <= 18}
        found = {
            str(m.pk): m
            for m in Membership.objects.for_school(self.obj.school)
            .filter(pk__in=[int(i) for i in wanted])
            .select_related("user", "school")
        }
        missing = [i for i in ids if i not in found]
        if missing:
            raise errors.invalid_value(
                f"No one with the id “{missing[0][:40]}” is on this school's staff, so they "
                "cannot be a member. Provision the person (POST /Users) first."
            )
        return [found[i] for i in dict.fromkeys(ids)]
