"""`Authorization: Bearer …` for the API: the token, its rate limit, then its scope.

All three are checked before anything else about the request, in that order: an unknown,
revoked or expired token is a 401; a token over its requests for the minute a 429 with
`Retry-After`; a token without the scope an operation needs a 403.
"""

from __future__ import annotations

from typing import cast

from django.http import HttpRequest
from ninja.errors import AuthorizationError, HttpError
from ninja.security import HttpBearer

from coachroom.integrations.reporting_api.access import Access, access_for
from coachroom.integrations.reporting_api.models import Scope
from coachroom.integrations.reporting_api.tokens import spend, token_for


class RateLimited(HttpError):
    def __init__(self, wait: int) -> None:
        self.wait = wait
        super().__init__(429, f"Too many requests: try again in {wait} seconds.")


class BearerToken(HttpBearer):
    """A Coachroom API token; `scope`, when given, is one the token must carry."""

    def __init__(self, scope: Scope | None = None) -> None:
        super().__init__()
        self.scope = scope

    def authenticate(self, request: HttpRequest, token: str) -> Access | None:
        found = token_for(token.strip())
        if found is None:
            return None
        wait = spend(found)
        if wait is not None:
            raise RateLimited(wait)
        if self.scope is not None and self.scope.value not in found.scopes:
            raise AuthorizationError(403, f"This token does not have the {self.scope} scope.")
        return access_for(found)


def access_of(request: HttpRequest) -> Access:
    """The request's `Access`, set by `BearerToken` before any operation runs."""
    return cast(Access, request.auth)  # type: ignore[attr-defined]
