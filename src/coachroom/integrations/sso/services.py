"""Writes: a trust admin's providers, and the audit of every single sign-on.

Audit codes: `sso.provider.created`, `sso.provider.updated` and `sso.provider.removed` (the
fields changed, never a secret), `sso.sign_in.succeeded`, and `sso.sign_in.refused` with the
reason (matching.Reason) and, for troubleshooting, the address the provider sent.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from coachroom import audit
from coachroom.accounts.models import Trust, User
from coachroom.integrations.sso import crypto
from coachroom.integrations.sso.matching import Reason, Refusal, domain_of
from coachroom.integrations.sso.models import IdentityProvider, ProviderKind

log = logging.getLogger(__name__)

CREATED = "sso.provider.created"
UPDATED = "sso.provider.updated"
REMOVED = "sso.provider.removed"
SIGNED_IN = "sso.sign_in.succeeded"
REFUSED = "sso.sign_in.refused"
SIGN_IN_ACTIONS = (SIGNED_IN, REFUSED)

# The settings a trust admin edits; the secret is handled apart.
FIELDS = (
    "school",
    "display_name",
    "client_id",
    "tenant_id",
    "issuer_url",
    "authorization_endpoint",
    "allowed_domains",
    "passwords_allowed",
    "is_enabled",
)
SHORT_KIND: dict[str, str] = {ProviderKind.MICROSOFT: "microsoft", ProviderKind.GOOGLE: "google"}


def next_slug(*, trust: Trust, kind: str) -> str:
    """The name in a new provider's addresses, e.g. `oak-trust-microsoft`: shown to the trust
    admin before saving, so that the redirect address can be registered first."""
    base = f"{slugify(trust.name)[:40].strip('-') or 'trust'}-{SHORT_KIND.get(kind, 'oidc')}"
    taken = set(
        IdentityProvider.objects.filter(slug__startswith=base).values_list("slug", flat=True)
    )
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


def _set_secret(provider: IdentityProvider, *, secret: str, env_var: str) -> bool:
    """Store a newly entered secret (or variable name); True when one was given."""
    if secret:
        provider.secret_encrypted = crypto.encrypt(secret)
        provider.secret_env_var = ""
    elif env_var:
        provider.secret_encrypted = ""
        provider.secret_env_var = env_var
    else:
        return False
    provider.secret_saved_at = timezone.now()
    return True


def _audit_data(provider: IdentityProvider, changed: list[str]) -> dict[str, Any]:
    return {"provider": provider.slug, "kind": provider.kind, "changed": ",".join(changed)}


@transaction.atomic
def provider_create(
    *,
    trust: Trust,
    kind: str,
    by: User,
    values: dict[str, Any],
    secret: str = "",
    env_var: str = "",
) -> IdentityProvider:
    provider = IdentityProvider(trust=trust, kind=kind, slug=next_slug(trust=trust, kind=kind))
    for name in FIELDS:
        if name in values:
            setattr(provider, name, values[name])
    _set_secret(provider, secret=secret, env_var=env_var)
    provider.save()
    audit.record(
        actor=by,
        action=CREATED,
        school=provider.school,
        target=provider,
        data=_audit_data(provider, sorted(n for n in FIELDS if n in values)),
    )
    return provider


@transaction.atomic
def provider_update(
    *,
    provider: IdentityProvider,
    by: User,
    values: dict[str, Any],
    secret: str = "",
    env_var: str = "",
) -> list[str]:
    """Apply the changes; returns the names of the settings that changed."""
    changed = [n for n in FIELDS if n in values and getattr(provider, n) != values[n]]
    for name in changed:
        setattr(provider, name, values[name])
    if _set_secret(provider, secret=secret, env_var=env_var):
        changed.append("client_secret")
    if not changed:
        return []
    provider.updated_at = timezone.now()
    provider.save()
    audit.record(
        actor=by,
        action=UPDATED,
        school=provider.school,
        target=provider,
        data=_audit_data(provider, changed),
    )
    return changed


@transaction.atomic
def provider_remove(*, provider: IdentityProvider, by: User) -> None:
    audit.record(
        actor=by,
        action=REMOVED,
        school=provider.school,
        target=provider,
        data=_audit_data(provider, []),
    )
    provider.delete()


def sign_in_recorded(*, provider: IdentityProvider, user: User) -> None:
    audit.record(
        actor=user,
        action=SIGNED_IN,
        school=provider.school,
        target=provider,
        subject=user,
        data={"provider": provider.slug},
    )
    log.info(
        "Signed in with single sign-on",
        extra={"event": "sso.sign_in", "user_id": user.pk, "provider_id": provider.pk},
    )


def refusal_recorded(*, provider: IdentityProvider, refusal: Refusal, detail: str = "") -> None:
    """Audit a refused sign-in. Against the person when the address is theirs, so it shows in
    their own records; the address itself is kept for the trust admin's troubleshooting."""
    data: dict[str, Any] = {"provider": provider.slug, "reason": str(refusal.reason)}
    if refusal.email:
        data["email"] = refusal.email
        data["domain"] = domain_of(refusal.email)
    if detail:
        data["detail"] = detail[:200]
    audit.record(
        actor=None,
        action=REFUSED,
        school=provider.school,
        target=provider,
        subject=refusal.user,
        data=data,
    )
    level = logging.WARNING if refusal.reason == Reason.FAILED else logging.INFO
    log.log(
        level,
        "Single sign-on refused",
        extra={
            "event": "sso.refused",
            "reason": str(refusal.reason),
            "provider_id": provider.pk,
            "user_id": refusal.user.pk if refusal.user else None,
        },
    )
