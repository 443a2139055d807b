"""Which account a single sign-on matches, if any, and who may no longer use a password.

The rules (docs/integrations.md, "Who can sign in"):

1. The provider must vouch for the email address (`verified_address`): Google and other
   providers by `email_verified: true`; Google also by `hd`, the Workspace domain, so that a
   personal Google account made for a school address is refused; Microsoft by the user
   principal name, whose domain Entra ID only allows if the tenant has verified it.
2. The address must be at one of the provider's allowed domains.
3. It must belong to an active account with an active membership in a school the provider
   covers (the trust's schools, or its one school).
4. The account must be within the trust's authority: no active membership in another trust's
   school, no trust to administer but this one, no Django staff or superuser powers. Anyone
   else signs in with their password.

A match never creates an account or a membership, and never changes one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from coachroom.accounts.models import Membership, Trust, User
from coachroom.integrations.sso.models import IdentityProvider, ProviderKind

EMAIL = re.compile(r"^[^@\s]+@([a-z0-9-]+\.)+[a-z0-9-]+$")
TRUE = {True, "true", "True", "1"}


class Reason(StrEnum):
    UNVERIFIED = "unverified"
    WRONG_DOMAIN = "wrong_domain"
    UNKNOWN = "unknown"
    INACTIVE = "inactive"
    NOT_ELIGIBLE = "not_eligible"
    FAILED = "failed"
    CANCELLED = "cancelled"
    UNAVAILABLE = "unavailable"


REASON_LABELS = {
    Reason.UNVERIFIED: "the provider did not confirm the email address",
    Reason.WRONG_DOMAIN: "an address outside the allowed domains",
    Reason.UNKNOWN: "no Coachroom account with that address",
    Reason.INACTIVE: "the account is not active in these schools",
    Reason.NOT_ELIGIBLE: "the account reaches beyond this trust: it signs in with a password",
    Reason.FAILED: "the sign-in did not complete",
    Reason.CANCELLED: "cancelled at the provider",
    Reason.UNAVAILABLE: "the provider's settings need attention",
}


@dataclass(frozen=True)
class Refusal:
    reason: Reason
    email: str = ""
    user: User | None = None


def domain_of(email: str) -> str:
    return email.rpartition("@")[2].lower()


def _address(value: Any) -> str:
    text = str(value or "").strip().lower()
    return text if EMAIL.match(text) else ""


def _candidates(provider: IdentityProvider, claims: dict[str, Any]) -> list[tuple[str, bool]]:
    """The addresses the claims offer, each with whether the provider vouches for it."""
    if provider.kind == ProviderKind.MICROSOFT:
        # Entra ID sends no email_verified. The user principal name (preferred_username) is
        # set by the tenant's admins and its domain must be verified in the tenant; a guest's
        # is marked #EXT#. The email claim is editable and unverified unless the optional
        # claim xms_edov ("email domain owner verified") says otherwise.
        found: list[tuple[str, bool]] = []
        upn = str(claims.get("preferred_username") or "")
        if "#ext#" not in upn.lower() and _address(upn):
            found.append((_address(upn), True))
        email = _address(claims.get("email"))
        if email and email not in [a for a, _ in found]:
            found.append((email, claims.get("xms_edov") in TRUE))
        return found
    email = _address(claims.get("email"))
    if not email:
        return []
    verified = claims.get("email_verified") in TRUE
    if provider.kind == ProviderKind.GOOGLE:
        # A personal Google account can be made for any address: only a Workspace account
        # (with `hd`, its domain) at an allowed domain is the school's.
        verified = verified and str(claims.get("hd") or "").lower() in provider.allowed_domains
    return [(email, verified)]


def verified_address(provider: IdentityProvider, claims: dict[str, Any]) -> str | Refusal:
    """The address the provider vouches for, at an allowed domain; or why there is none."""
    candidates = _candidates(provider, claims)
    in_domain = [(a, v) for a, v in candidates if provider.covers_domain(domain_of(a))]
    for address, verified in in_domain:
        if verified:
            return address
    if in_domain:
        return Refusal(Reason.UNVERIFIED, email=in_domain[0][0])
    if candidates:
        return Refusal(Reason.WRONG_DOMAIN, email=candidates[0][0])
    return Refusal(Reason.UNVERIFIED)


def eligibility(user: User, provider: IdentityProvider) -> Reason | None:
    """None when the provider may sign this account in; otherwise why not."""
    if not user.is_active:
        return Reason.INACTIVE
    if user.is_staff or user.is_superuser:
        return Reason.NOT_ELIGIBLE
    if Trust.objects.filter(admins=user).exclude(pk=provider.trust_id).exists():
        return Reason.NOT_ELIGIBLE
    active = Membership.objects.active().filter(user=user)
    if active.exclude(school__trust_id=provider.trust_id).exists():
        return Reason.NOT_ELIGIBLE
    if active.filter(school_id__in=provider.school_ids()).exists():
        return None
    trust_admin = Trust.objects.filter(pk=provider.trust_id, admins=user).exists()
    if provider.school_id is None and trust_admin:
        return None  # the trust's own admin, who may belong to no school
    return Reason.INACTIVE


def match(provider: IdentityProvider, claims: dict[str, Any]) -> User | Refusal:
    address = verified_address(provider, claims)
    if isinstance(address, Refusal):
        return address
    user = User.objects.filter(email__iexact=address).first()
    if user is None:
        return Refusal(Reason.UNKNOWN, email=address)
    reason = eligibility(user, provider)
    if reason is not None:
        return Refusal(reason, email=address, user=user)
    return user


# Passwords ------------------------------------------------------------------------------------


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def password_rule(email: str) -> str | None:
    """Registered with accounts.signin_policy: why this address may not use a password.

    Passwords are off for an address at a domain of a provider that turned them off, when the
    account is one that provider signs in (or when there is no account, so that the answer
    says nothing about which accounts exist). Trust admins always keep their password, so a
    mistake in these settings cannot lock out the people who would put it right.
    """
    domain = domain_of(email)
    providers = [
        p
        for p in IdentityProvider.objects.passwords_off().select_related("trust", "school")
        if p.covers_domain(domain)
    ]
    if not providers:
        return None
    user = User.objects.filter(email__iexact=email).first()
    if user is not None:
        if Trust.objects.filter(admins=user).exists():
            return None
        providers = [p for p in providers if eligibility(user, p) is None]
        if not providers:
            return None
    brands = _join(sorted({p.brand for p in providers}))
    places = _join(sorted({p.scope_name for p in providers}))
    buttons = _join([f"“{label}”" for label in sorted({p.button_label for p in providers})])
    return (
        f"Staff at {places} sign in with {brands}, not a Coachroom password: use the "
        f"{buttons} button on the sign-in page."
    )
