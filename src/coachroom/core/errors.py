"""Domain errors, shown to people as a message with HTTP 409 rather than a server error."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


class DomainError(Exception):
    """A rule of the coaching domain refused an action; the message says why, in plain English."""


class ClashError(DomainError):
    """A proposed time overlaps another session of someone involved, so nothing was booked.

    `clashes` read as sentences (who is busy, when, with what); `free` holds the nearest free
    times found, for a "find a free time" helper. Callers may book anyway with a reason.
    """

    def __init__(self, message: str, clashes: Sequence[object], free: Sequence[object] = ()):
        self.clashes = list(clashes)
        self.free = list(free)
        super().__init__(message)


class IllegalTransition(DomainError):
    def __init__(self, thing: object, from_state: str, to_state: str) -> None:
        self.from_state = from_state
        self.to_state = to_state
        super().__init__(f"{thing} cannot move from “{from_state}” to “{to_state}”.")


class DomainErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DomainError):
            return render(request, "errors/conflict.html", {"error": exception}, status=409)
        return None
