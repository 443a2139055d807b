"""Staff provisioning (SCIM 2.0): the school's tokens, and what its directory calls things.

- `ScimToken`: the bearer token a school's directory (Entra ID, Google, Okta) sends. Only a
  SHA-256 hash is stored; the token is shown once, when it is made (provisioning/tokens.py).
- `ScimPerson`: the directory's own id for a person at one school (SCIM `externalId`), kept on
  the person's place at that school, never on the account, as imports keep their sourcedIds.
- `ScimGroup`: a role's group at one school (provisioning/roles.py) and the directory group
  linked to it, if any.
"""

from __future__ import annotations

from typing import Any, ClassVar, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from coachroom.accounts.models import Membership, School
from coachroom.integrations.provisioning.roles import GROUP_BY_KEY, GROUPS, RoleGroup


class ScimTokenQuerySet(models.QuerySet["ScimToken"]):
    def active(self) -> Self:
        return self.filter(revoked_at__isnull=True)

    def for_school(self, school: School) -> Self:
        return self.filter(school=school)


class ScimToken(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(
        max_length=60, help_text="What the token is for, e.g. “Microsoft Entra ID”"
    )
    prefix = models.CharField(max_length=16, help_text="The token's first characters, to tell it")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScimTokenQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at", "-pk"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                "school",
                Lower("name"),
                condition=Q(revoked_at__isnull=True),
                name="scim_token_one_active_name_per_school",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def agent(self) -> str:
        """How the audit log names changes made with this token."""
        return f"SCIM token “{self.name}”"


class ScimPerson(models.Model):
    """The directory's id (SCIM externalId) for one person at one school."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    membership = models.OneToOneField(Membership, on_delete=models.CASCADE, related_name="scim")
    external_id = models.CharField(max_length=255, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["school", "external_id"], name="scim_person_external_id"),
        ]

    def __str__(self) -> str:
        return f"{self.external_id} at {self.school_id}"


class ScimGroup(models.Model):
    """A role's group at one school, and the directory group linked to it."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=30, choices=[(g.key, g.name) for g in GROUPS])
    # The directory's name for the group, once it has linked one; else the role's group name.
    display_name = models.CharField(max_length=255)
    external_id = models.CharField(max_length=255, blank=True)
    # When the directory linked a group or first changed the members. Until the Teachers group
    # is linked, new people start as teachers (as with invites and imports); after, the
    # directory's Teachers group decides.
    linked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["pk"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["school", "role"], name="scim_group_one_per_role"),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} at {self.school_id}"

    @property
    def group(self) -> RoleGroup:
        return GROUP_BY_KEY[self.role]

    @staticmethod
    def ensure_for(school: School) -> list[ScimGroup]:
        """The school's groups, one for each role, made the first time they are asked for."""
        found = {g.role: g for g in ScimGroup.objects.filter(school=school)}
        missing = [g for g in GROUPS if g.key not in found]
        if missing:
            ScimGroup.objects.bulk_create(
                [ScimGroup(school=school, role=g.key, display_name=g.name) for g in missing],
                ignore_conflicts=True,  # another request made them at the same moment
            )
            found = {g.role: g for g in ScimGroup.objects.filter(school=school)}
        return [found[g.key] for g in GROUPS]
