"""Response headers that Django and django-csp do not set themselves."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class PermissionsPolicyMiddleware:
    """Turn off browser features no Coachroom page uses (settings.PERMISSIONS_POLICY)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        policy: dict[str, list[str]] = getattr(settings, "PERMISSIONS_POLICY", {})
        self.header = ", ".join(f"{name}=({' '.join(allow)})" for name, allow in policy.items())

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response


class NoStoreMiddleware:
    """Nothing shown to a signed-in person is kept by the browser or any cache on the way.

    Pages show coaching notes, and staffroom computers are shared: the back button, the
    browser's disk cache or a school proxy must not show the next person what the last one read.
    So every response to a signed-in person says `Cache-Control: no-store, private`, pages and
    downloads alike, unless the view set its own Cache-Control (Django's `never_cache` already
    says no-store; the calendar feed, read by calendar apps with a secret address, allows a
    private copy). A view may opt out only for a response that holds no notes. Static files
    never get here: WhiteNoise answers them earlier, with its own long-lived headers.
    """

    VALUE = "no-store, private"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if "Cache-Control" not in response.headers and getattr(user, "is_authenticated", False):
            response.headers["Cache-Control"] = self.VALUE
        return response
