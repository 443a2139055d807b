"""Writes for API tokens: making one, revoking one, and revoking a person's tokens when their
password or email changes. Each is one transaction with one audit entry per token."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from coachroom import audit
from coachroom.accounts.models import Trust, User
from coachroom.core.errors import DomainError
from coachroom.integrations.reporting_api.models import TRUST_SCOPES, ApiToken, Scope
from coachroom.integrations.reporting_api.tokens import SHOWN, digest, new_secret

MAX_ACTIVE = 10  # usable tokens one person may hold (personal and trust tokens they made)
EXPIRY_DAYS = (30, 90, 180, 365)


def active_count(owner: User) -> int:
    return ApiToken.objects.usable().filter(owner=owner).count()


@transaction.atomic
def token_create(
    *,
    owner: User,
    name: str,
    scopes: list[str],
    days: int,
    trust: Trust | None = None,
) -> tuple[ApiToken, str]:
    """A new token and its secret, which is never stored and cannot be shown again."""
    chosen = sorted(set(scopes))
    if not chosen or not set(chosen) <= set(Scope.values):
        raise DomainError("Choose what the token may read.")
    if days not in EXPIRY_DAYS:
        raise DomainError("Choose when the token expires.")
    if trust is not None:
        if not trust.admins.filter(pk=owner.pk).exists():
            raise DomainError("Only the trust's admins make tokens for its reporting.")
        if not set(chosen) <= TRUST_SCOPES:
            raise DomainError("A trust token reads counts and patterns, never a coaching record.")
    if active_count(owner) >= MAX_ACTIVE:
        raise DomainError(f"You already have {MAX_ACTIVE} tokens. Revoke one you no longer use.")
    secret = new_secret()
    now = timezone.now()
    token = ApiToken.objects.create(
        kind=ApiToken.Kind.TRUST if trust is not None else ApiToken.Kind.PERSONAL,
        name=name.strip(),
        owner=owner,
        trust=trust,
        scopes=chosen,
        prefix=secret[:SHOWN],
        token_hash=digest(secret),
        created_at=now,
        expires_at=now + dt.timedelta(days=days),
    )
    audit.record(
        actor=owner,
        action="api.token.created",
        target=token,
        data={"kind": token.kind, "scopes": chosen, "days": days},
    )
    return token, secret


@transaction.atomic
def token_revoke(*, token: ApiToken, by: User, reason: str = "revoked") -> ApiToken:
    """Stop the token working at once; revoking twice changes nothing."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.revoked_by = by
    token.save(update_fields=["revoked_at", "revoked_by"])
    audit.record(
        actor=by,
        action="api.token.revoked",
        target=token,
        subject=token.owner if token.owner_id != by.pk else None,
        data={"kind": token.kind, "reason": reason},
    )
    return token


def tokens_revoke_for(*, user: User, reason: str) -> int:
    """Revoke every usable token the person made (their secrets were reset): how many."""
    revoked = 0
    for token in ApiToken.objects.usable().filter(owner=user):
        token_revoke(token=token, by=user, reason=reason)
        revoked += 1
    return revoked
