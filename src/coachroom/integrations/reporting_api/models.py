"""API tokens: what a program (Power BI, Excel, a script) shows to read Coachroom's JSON API.

Only a SHA-256 hash of each token is stored; the token itself is shown once, when it is made.
A personal token acts as the person who made it, with their roles in their schools as they are
at the moment of each request, so taking a role away (or deactivating the person) narrows or
ends what the token reads at once. A trust token reads the trust's counts and patterns across
its schools, and only while the trust admin who made it is still one.
"""

from __future__ import annotations

from typing import Any, ClassVar, Self

from django.conf import settings
from django.db import models
from django.db.models import Exists, ExpressionWrapper, OuterRef, Q
from django.utils import timezone

from coachroom.accounts.models import Trust, User


class Scope(models.TextChoices):
    """What a token may read. Reporting and induction figures need a role that shows them."""

    REPORTING = "reporting:read", "Counts and patterns: completion, steps and stick rate"
    INDUCTION = "induction:read", "Early-career teachers' induction review status"
    RECORDS = "records:read", "Your own coaching timeline (personal tokens only)"


# A trust token reads counts and patterns, never anyone's coaching record.
TRUST_SCOPES = frozenset({Scope.REPORTING.value, Scope.INDUCTION.value})


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def usable(self) -> Self:
        """Neither revoked nor expired."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())

    def with_standing(self) -> Self:
        """Annotate `maker_is_admin`: for a trust token, whether its maker is still an admin
        of its trust (it works only while they are); true for personal tokens."""
        still_admin = Trust.admins.through.objects.filter(
            trust_id=OuterRef("trust_id"), user_id=OuterRef("owner_id")
        )
        standing = Q(trust__isnull=True) | Q(Exists(still_admin))
        return self.annotate(
            maker_is_admin=ExpressionWrapper(standing, output_field=models.BooleanField())
        )

    def manageable_by(self, user: User) -> Self:
        """The person's own tokens, and every trust token of a trust they administer."""
        admin_of = Trust.objects.filter(admins=user).values("pk")
        return self.filter(Q(owner=user) | Q(trust__in=admin_of))


class ApiToken(models.Model):
    class Kind(models.TextChoices):
        PERSONAL = "personal", "Personal"
        TRUST = "trust", "Trust reporting"

    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.PERSONAL)
    name = models.CharField(max_length=100)
    # A personal token acts as its owner; a trust token was made by its owner, a trust admin.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    trust = models.ForeignKey(
        Trust, null=True, blank=True, on_delete=models.CASCADE, related_name="api_tokens"
    )
    scopes = models.JSONField(default=list)
    prefix = models.CharField(max_length=16, help_text="The token's first characters, to tell it")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The rate limit: requests counted in the current clock minute (reporting_api/tokens.py).
    rate_window = models.DateTimeField(null=True, blank=True)
    rate_count = models.PositiveIntegerField(default=0)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at", "-pk"]
        constraints: ClassVar[list[Any]] = [
            models.CheckConstraint(
                condition=Q(kind="personal", trust__isnull=True)
                | Q(kind="trust", trust__isnull=False),
                name="api_token_trust_for_trust_tokens",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_trust(self) -> bool:
        return self.kind == self.Kind.TRUST

    @property
    def status(self) -> str:
        if self.revoked_at is not None:
            return "Revoked"
        if self.expires_at <= timezone.now():
            return "Expired"
        if not getattr(self, "maker_is_admin", True):
            return "Stopped: its maker is no longer a trust admin"
        return "Active"

    @property
    def is_usable(self) -> bool:
        return self.status == "Active"

    @property
    def can_revoke(self) -> bool:
        """Neither revoked nor expired: a stopped trust token would work again if its maker
        became a trust admin again, so it can still be revoked."""
        return self.revoked_at is None and self.expires_at > timezone.now()

    @property
    def scope_labels(self) -> list[str]:
        return [str(Scope(s).label) for s in self.scopes if s in Scope.values]
