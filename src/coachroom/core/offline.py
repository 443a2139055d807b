"""What a device may keep for offline use (docs/data.md, "On the coach's phone").

The service worker keeps a copy of a page only when its response says so, and files it under
the signed-in person's device key, so a shared phone or computer never shows one person's
pages to another, and signing out deletes that person's copies. Pages marked here hold the
signed-in person's own work only: their home page, their drop-in forms and library steps.
Nobody else's timeline, meetings or notes are ever marked.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, ParamSpec

from django.http import HttpRequest, HttpResponse
from django.utils.crypto import salted_hmac

HEADER = "Coachroom-Offline"
P = ParamSpec("P")


def device_key(user: Any) -> str:
    """An opaque name for a person's offline copies: not their id, and the same on every page."""
    return salted_hmac("coachroom.offline.device-key", str(user.pk)).hexdigest()[:24]


def offline_page(view: Callable[P, HttpResponse]) -> Callable[P, HttpResponse]:
    """Let the service worker keep the signed-in person's copy of this page (GET, 200 only)."""

    @wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        response = view(*args, **kwargs)
        request = args[0]
        user = getattr(request, "user", None)
        if (
            isinstance(request, HttpRequest)
            and request.method == "GET"
            and response.status_code == 200
            and getattr(user, "is_authenticated", False)
        ):
            response[HEADER] = f"keep; user={device_key(user)}"
        return response

    return wrapper


def device(request: HttpRequest) -> dict[str, str]:
    """Template context: the device key the page's scripts file the person's drafts under."""
    user = getattr(request, "user", None)
    return {"offline_user": device_key(user) if getattr(user, "is_authenticated", False) else ""}
