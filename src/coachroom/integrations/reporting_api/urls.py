"""The API under /api/v1/ (its operations answer to tokens, not to sign-in) and the API tokens
page under /account/."""

from django.contrib.auth.decorators import login_not_required
from django.urls import URLPattern, URLResolver, include, path

from coachroom.integrations.reporting_api import views
from coachroom.integrations.reporting_api.v1 import api

app_name = "api"


def _public(patterns: list[URLPattern | URLResolver]) -> list[URLPattern | URLResolver]:
    """The API's views check its tokens themselves: the sign-in middleware lets them through
    (a request without a valid token gets the API's 401, not the sign-in page)."""
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            login_not_required(pattern.callback)
    return patterns


v1_patterns, _app, _namespace = api.urls

urlpatterns = [
    path("api/v1/", include((_public(v1_patterns), "v1"), namespace="v1")),
    path("account/api-tokens/", views.tokens, name="tokens"),
    path("account/api-tokens/<int:pk>/revoke/", views.token_revoke, name="token-revoke"),
]
