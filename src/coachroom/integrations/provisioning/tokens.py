"""SCIM token secrets, and finding the token a request shows.

A token is `crscim_` and 43 random URL-safe characters (256 bits). Only its SHA-256 hash is
stored: a token that random needs no slow hash, and a lookup by hash is one indexed query.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.db.models import Q
from django.utils import timezone

from coachroom.integrations.provisioning.models import ScimToken

PREFIX = "crscim_"
SHOWN = 12  # characters kept in `ScimToken.prefix` to tell tokens apart in lists
MAX_LENGTH = 100  # anything longer is not a token of ours: no hashing, no query
# "Last used" is kept to the minute: a directory sends many requests in a burst, and one write
# a minute is enough to show that the connection works.
LAST_USED_STEP = dt.timedelta(minutes=1)


def new_secret() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def token_for(secret: str) -> ScimToken | None:
    """The unrevoked token with this secret, with its school: one query. None otherwise."""
    if not secret.startswith(PREFIX) or len(secret) > MAX_LENGTH:
        return None
    return (
        ScimToken.objects.active()
        .filter(token_hash=digest(secret))
        .select_related("school", "school__trust")
        .first()
    )


def bearer_secret(authorization: str) -> str:
    """The token in an `Authorization: Bearer …` header, or "" for anything else."""
    scheme, _, secret = authorization.strip().partition(" ")
    return secret.strip() if scheme.lower() == "bearer" else ""


def note_use(token: ScimToken, *, now: dt.datetime | None = None) -> None:
    """Record that the token was just used: at most one UPDATE a minute per token."""
    now = now or timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_STEP:
        return
    ScimToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_STEP)
    ).update(last_used_at=now)
    token.last_used_at = now
