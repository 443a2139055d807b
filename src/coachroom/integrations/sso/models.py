"""A trust's (or one school's) way of signing its staff in: Microsoft, Google or another OpenID
Connect provider, configured by a trust admin in the web UI (docs/integrations.md).

Each row becomes one of django-allauth's apps (`adapter.SocialAccountAdapter.list_apps`), so
no SocialApp rows are ever made by hand. The client secret is stored encrypted (`crypto.py`),
or named as an environment variable; it is never shown again once saved.
"""

from __future__ import annotations

from typing import Any, ClassVar, Self

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from coachroom.accounts.models import School, Trust


class ProviderKind(models.TextChoices):
    MICROSOFT = "microsoft", "Microsoft (Entra ID)"
    GOOGLE = "google", "Google Workspace"
    OIDC = "openid_connect", "Another OpenID Connect provider"


# What the button says after "Sign in with".
BRAND = {ProviderKind.MICROSOFT: "Microsoft", ProviderKind.GOOGLE: "Google"}


class IdentityProviderQuerySet(models.QuerySet["IdentityProvider"]):
    def enabled(self) -> Self:
        return self.filter(is_enabled=True)

    def for_trusts_of(self, admin: Any) -> Self:
        """The providers of the trusts this person administers."""
        return self.filter(trust__admins=admin)

    def passwords_off(self) -> Self:
        return self.enabled().filter(passwords_allowed=False)


class IdentityProvider(models.Model):
    trust = models.ForeignKey(Trust, on_delete=models.CASCADE, related_name="identity_providers")
    # Empty: every school of the trust. Set: that school's staff only.
    school = models.ForeignKey(
        School,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="identity_providers",
    )
    kind = models.CharField("Provider", max_length=20, choices=ProviderKind.choices)
    # In the sign-in and redirect addresses; fixed when the provider is added.
    slug = models.SlugField(max_length=60, unique=True)
    display_name = models.CharField(max_length=60, blank=True)
    client_id = models.CharField("Client ID", max_length=255)
    secret_encrypted = models.TextField(blank=True)
    secret_env_var = models.CharField(max_length=100, blank=True)
    secret_saved_at = models.DateTimeField(null=True, blank=True)
    tenant_id = models.CharField("Directory (tenant) ID", max_length=36, blank=True)
    issuer_url = models.URLField("Issuer URL", max_length=300, blank=True)
    # OpenID Connect: where the browser is sent to sign in, from the issuer's discovery
    # document when the provider was saved. The sign-in page's Content-Security-Policy lets
    # its button's form lead there (endpoints.form_origin).
    authorization_endpoint = models.URLField(max_length=500, blank=True)
    allowed_domains = models.JSONField(default=list)
    passwords_allowed = models.BooleanField(default=True)
    is_enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = IdentityProviderQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["trust__name", "kind", "pk"]
        constraints: ClassVar[list[Any]] = [
            models.CheckConstraint(
                condition=~Q(kind="microsoft") | ~Q(tenant_id=""),
                name="sso_microsoft_needs_tenant",
            ),
            models.CheckConstraint(
                condition=~Q(kind="openid_connect") | ~Q(issuer_url=""),
                name="sso_oidc_needs_issuer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.button_label} ({self.scope_name})"

    def get_absolute_url(self) -> str:
        return reverse("sso:edit", args=[self.pk])

    @property
    def brand(self) -> str:
        """Microsoft, Google, or the name the trust gave its OpenID Connect provider."""
        return self.display_name or BRAND.get(ProviderKind(self.kind), "single sign-on")

    @property
    def button_label(self) -> str:
        return f"Sign in with {self.brand}"

    @property
    def scope_name(self) -> str:
        """Whose staff this signs in: one school, or the whole trust."""
        return self.school.name if self.school_id and self.school else self.trust.name

    @property
    def has_secret(self) -> bool:
        return bool(self.secret_encrypted or self.secret_env_var)

    def school_ids(self) -> models.QuerySet[School, int]:
        """The schools whose staff this provider signs in."""
        if self.school_id:
            return School.objects.filter(pk=self.school_id).values_list("pk", flat=True)
        return School.objects.filter(trust_id=self.trust_id).values_list("pk", flat=True)

    def covers_domain(self, domain: str) -> bool:
        return domain.lower() in self.allowed_domains
