"""Token secrets, finding the token a request shows, and the per-token rate limit.

A token is `cr1_` and 43 random URL-safe characters (256 bits). Only its SHA-256 hash is
stored: a token that random needs no slow hash, and a lookup by hash is one indexed query.

The rate limit counts each token's requests in the current clock minute on the token's own
row, with conditional UPDATEs: the database decides, so every server process shares the
count and two requests at once can never both take the last place.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import secrets

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from coachroom.integrations.reporting_api.models import ApiToken

PREFIX = "cr1_"
SHOWN = 12  # characters kept in `ApiToken.prefix` to tell tokens apart in lists
MAX_LENGTH = 100  # anything longer is not a token of ours: no hashing, no query


def new_secret() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def token_for(secret: str) -> ApiToken | None:
    """The usable token with this secret, its owner active and, for a trust token, still an
    admin of its trust: one query. None for anything else, alike."""
    if not secret.startswith(PREFIX) or len(secret) > MAX_LENGTH:
        return None
    token = (
        ApiToken.objects.usable()
        .with_standing()
        .filter(token_hash=digest(secret), owner__is_active=True)
        .select_related("owner", "trust")
        .first()
    )
    if token is None or not token.maker_is_admin:  # type: ignore[attr-defined]
        return None
    return token


def requests_per_minute() -> int:
    return int(settings.API_REQUESTS_PER_MINUTE)


def seconds_to_next_window(now: dt.datetime) -> int:
    """Whole seconds until the next clock minute, at least 1 (for `Retry-After`)."""
    return max(1, math.ceil(60 - now.second - now.microsecond / 1_000_000))


def spend(token: ApiToken, *, now: dt.datetime | None = None) -> int | None:
    """Count one request against the token's minute and note when it was last used.

    Returns None when the request may go ahead, or the seconds to wait when the token has
    used up this minute's requests. One UPDATE a request, and one more at the first request
    of a new minute."""
    now = now or timezone.now()
    window = now.replace(second=0, microsecond=0)
    rows = ApiToken.objects.filter(pk=token.pk)
    if token.rate_window != window:
        # Start this minute's count, unless a request in another process just did.
        rows.exclude(rate_window=window).update(rate_window=window, rate_count=0)
    allowed = rows.filter(rate_window=window, rate_count__lt=requests_per_minute()).update(
        rate_count=F("rate_count") + 1, last_used_at=now
    )
    return None if allowed else seconds_to_next_window(now)
