"""The SCIM User resource: a person's place at the token's school (django-scim2's USER_ADAPTER).

- `id` is the place's own id (Membership), so a token finds only its own school's people, and
  a person at two schools is two Users to two directories, one for each school.
- `userName` is the email address they sign in with; `name`, `displayName` and `emails` come
  from their account; `title` (job title), `active` and `externalId` belong to this school.
- `groups` lists the roles they hold here (provisioning/roles.py); it is read-only: a
  directory changes a role by changing the group's members.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import IntegrityError
from django.db.models import QuerySet
from django.http import HttpRequest
from django_scim import constants
from django_scim.adapters import SCIMMixin

from coachroom.accounts.models import Membership
from coachroom.core.errors import DomainError
from coachroom.integrations.provisioning.models import ScimGroup
from coachroom.integrations.provisioning.people import (
    Conflict,
    PersonChanges,
    person_create,
    person_deactivate,
    person_update,
)
from coachroom.integrations.provisioning.roles import GROUPS
from coachroom.integrations.provisioning.scim import errors
from coachroom.integrations.provisioning.scim.auth import school_of
from coachroom.integrations.provisioning.scim.config import location, resource_type
from coachroom.integrations.provisioning.scim.filters import PERSON_FIELDS, AttrMap
from coachroom.integrations.provisioning.scim.params import project
from coachroom.integrations.provisioning.scim.person_input import parse_person, parse_person_patch
from coachroom.integrations.provisioning.scim.values import Operation


@contextmanager
def domain_errors() -> Iterator[None]:
    """A refusal from the services, as the SCIM error a directory understands."""
    try:
        yield
    except Conflict as error:
        raise errors.uniqueness(str(error)) from None
    except DomainError as error:
        raise errors.invalid_value(str(error)) from None
    except IntegrityError:  # a request just like this one arrived at the same moment
        raise errors.uniqueness(
            "Someone with these details was added at the same moment."
        ) from None


def group_names(request: HttpRequest) -> dict[str, str]:
    """Each role group's name at the token's school, read once per request."""
    names: dict[str, str] | None = getattr(request, "_scim_group_names", None)
    if names is None:
        rows = ScimGroup.objects.filter(school=school_of(request))
        names = {g.key: g.name for g in GROUPS} | dict(rows.values_list("role", "display_name"))
        request._scim_group_names = names  # type: ignore[attr-defined]
    return names


class PersonAdapter(SCIMMixin):
    url_name = "scim:users"
    resource_type = "User"
    id_field = "pk"
    fields: AttrMap = PERSON_FIELDS
    label = "A person"

    def __init__(self, obj: Membership, request: HttpRequest | None = None) -> None:
        super().__init__(obj, request=request)
        self.obj: Membership = obj
        self.changes = PersonChanges()

    @classmethod
    def rows(cls, request: HttpRequest) -> QuerySet[Membership]:
        return (
            Membership.objects.for_school(school_of(request))
            .select_related("user", "scim")
            .order_by("pk")
        )

    @classmethod
    def find(cls, request: HttpRequest, uuid: str) -> Membership:
        valid = uuid.isascii() and uuid.isdigit() and len(uuid) <= 18
        found = cls.rows(request).filter(pk=int(uuid)).first() if valid else None
        if found is None:
            raise errors.not_found(f"No one with the id “{uuid[:40]}” is on this school's staff.")
        return found

    @classmethod
    def resource_type_dict(cls, request: HttpRequest | None = None) -> dict[str, Any]:
        return resource_type(request, "User")

    def to_dict(self) -> dict[str, Any]:
        membership, user = self.obj, self.obj.user
        names = group_names(self.request)
        resource: dict[str, Any] = {
            "schemas": [constants.SchemaURI.USER],
            "id": str(membership.pk),
            "userName": user.email,
            "name": {
                "givenName": user.first_name,
                "familyName": user.last_name,
                "formatted": user.full_name,
            },
            "displayName": user.full_name,
            "emails": [{"value": user.email, "type": "work", "primary": True}],
            "active": membership.is_active,
            "groups": [
                {
                    "value": g.key,
                    "display": names[g.key],
                    "$ref": location(self.request, "scim:groups", uuid=g.key),
                    "type": "direct",
                }
                for g in GROUPS
                if getattr(membership, g.field)
            ],
            "meta": {"resourceType": "User", "location": self.location},
        }
        if membership.job_title:
            resource["title"] = membership.job_title
        link = getattr(membership, "scim", None)
        if link is not None and link.external_id:
            resource["externalId"] = link.external_id
        return project(self.request, resource)

    def validate_dict(self, d: dict[str, Any]) -> None:
        """`from_dict` reads and checks every attribute Coachroom keeps."""

    def from_dict(self, d: dict[str, Any]) -> None:
        self.changes = parse_person(d)

    def save(self) -> None:
        with domain_errors():
            if self.obj.pk is None:
                created = person_create(school=school_of(self.request), changes=self.changes)
                self.obj = self.find(self.request, str(created.pk))
            else:
                person_update(membership=self.obj, changes=self.changes)
                self.obj = self.find(self.request, str(self.obj.pk))

    def delete(self) -> None:
        with domain_errors():
            person_deactivate(membership=self.obj)

    def handle_operations(self, operations: list[Operation]) -> None:
        self.changes = parse_person_patch(operations)
        self.save()
