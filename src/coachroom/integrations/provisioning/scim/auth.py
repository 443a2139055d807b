"""Who is calling: the school's SCIM token, from `Authorization: Bearer …`.

A session never counts: a signed-in member of staff without the token gets 401 like anyone
else, and the endpoint neither reads nor sets cookies, so it needs no CSRF token.
"""

from __future__ import annotations

from typing import Any, cast

from django.http import HttpRequest, HttpResponse
from django_scim.middleware import SCIMAuthCheckMiddleware

from coachroom.accounts.models import School
from coachroom.integrations.provisioning.models import ScimToken
from coachroom.integrations.provisioning.scim.errors import unauthorized
from coachroom.integrations.provisioning.tokens import bearer_secret, note_use, token_for

MISSING = (
    "Send the school's SCIM token as “Authorization: Bearer <token>”. A school admin makes "
    "one on the Staff provisioning page."
)
REFUSED = "This SCIM token is not valid, or has been revoked. Ask a school admin for a new one."


class ScimRequest(HttpRequest):
    scim_token: ScimToken


def authenticate(request: HttpRequest) -> tuple[ScimToken | None, HttpResponse | None]:
    """The request's token (noting its use), or the 401 to send."""
    secret = bearer_secret(request.headers.get("Authorization", ""))
    if not secret:
        return None, unauthorized(MISSING, token_shown=False)
    token = token_for(secret)
    if token is None:
        return None, unauthorized(REFUSED, token_shown=True)
    note_use(token)
    cast(ScimRequest, request).scim_token = token
    return token, None


def school_of(request: Any) -> School:
    return cast(ScimRequest, request).scim_token.school


class BearerTokenAuth(SCIMAuthCheckMiddleware):
    """AUTH_CHECK_MIDDLEWARE, for django-scim2's own views: a token, never a session. (The
    endpoint's views authenticate in `ScimEndpoint.dispatch` with the same function.)"""

    def should_log_request(self, request: HttpRequest) -> bool:
        return False  # request bodies hold people's names and email addresses

    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        return authenticate(request)[1]
