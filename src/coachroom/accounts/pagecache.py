"""Whole-page caching for the busiest pages, keyed on how fresh the school's data is.

A cached page is keyed on the person, their current school membership, the full URL, the
school's `data_version` and a five-minute clock. `data_version` comes with the membership that
every signed-in request loads anyway, so a repeat view costs what a bare page costs: no page
queries, no template rendering.

What bumps `data_version` (`touch_schools`):
- every POST, PUT, PATCH or DELETE by a signed-in person, for each school they belong to (or, for
  a trust administrator, every school in the trust), signing in apart — `FreshnessMiddleware`;
- work done outside a request: imports, retention and erasure and the starter library call
  `touch_schools` or `touch_all_schools`; `coachroom manage touch_schools` does it by hand.
  (A restore goes into an empty database that no running server has cached pages of.)

The cached body never holds a CSRF token: pages render with a placeholder that is replaced by
the request's own token each time the page is served. Requests with flash messages waiting and
htmx requests are rendered afresh and never stored.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.contrib import messages
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string

from coachroom.accounts.access import current_membership, memberships_of
from coachroom.accounts.models import Membership, School

# Long enough for a coach to go back and forth between pages; short enough that labels such as
# "overdue" or "today" are never more than a few minutes behind the clock.
CLOCK_SECONDS = 300
TIMEOUT_SECONDS = CLOCK_SECONDS * 2
# The same length and alphabet as a real masked token, so the page's layout does not change.
CSRF_PLACEHOLDER = "coachroomcsrfplaceholder" + "x" * 40
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Signing in writes only the session and the time of the last sign-in, which no cached page
# shows; a school's morning rush of sign-ins would otherwise expire every page again and again.
CHANGES_NOTHING_SHOWN = frozenset({"login"})


def touch_schools(school_ids: Iterable[int]) -> None:
    """Mark these schools' data as changed, so no cached page of theirs is served again."""
    ids = sorted(set(school_ids))
    if ids:
        School.objects.filter(pk__in=ids).update(data_version=F("data_version") + 1)


def touch_all_schools(using: str = DEFAULT_DB_ALIAS) -> None:
    School.objects.using(using).update(data_version=F("data_version") + 1)


def school_versions(user: Any) -> dict[int, int]:
    """The `data_version` of every school the person belongs to, from their memberships (which
    a signed-in request has loaded already)."""
    return {m.school_id: m.school.data_version for m in memberships_of(user)}


def page_key(request: HttpRequest, membership: Membership, versions: Mapping[int, int]) -> str:
    parts = [
        str(request.user.pk),
        str(membership.pk),
        request.get_full_path(),
        ",".join(f"{school}:{version}" for school, version in sorted(versions.items())),
        str(int(time.time() // CLOCK_SECONDS)),
    ]
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()
    return f"page:{digest}"


def _cacheable(request: HttpRequest) -> bool:
    if request.method != "GET" or getattr(request, "htmx", False):
        return False
    # Counting does not mark the messages as shown; the page that renders them must not be cached.
    return len(messages.get_messages(request)) == 0


def _serve(request: HttpRequest, body: str) -> HttpResponse:
    return HttpResponse(body.replace(CSRF_PLACEHOLDER, get_token(request)))


def cached_render(
    request: HttpRequest,
    template: str,
    build_context: Callable[[], dict[str, Any]],
) -> HttpResponse:
    """Render `template` with `build_context()`, or serve the page this person saw last time.

    The key holds the version of every school the person belongs to, because pages such as home
    mention other schools (the school switcher) as well as the current one.
    """
    membership = current_membership(request)
    if membership is None or not _cacheable(request):
        return HttpResponse(render_to_string(template, build_context(), request))
    key = page_key(request, membership, school_versions(request.user))
    body = cache.get(key)
    if body is None:
        context = build_context()
        context["csrf_token"] = CSRF_PLACEHOLDER
        body = render_to_string(template, context, request)
        cache.set(key, body, TIMEOUT_SECONDS)
    return _serve(request, body)


class FreshnessMiddleware:
    """After any unsafe request by a signed-in person, bump the versions of their schools.

    It runs after the view, so the view's transaction has committed; a page rendered between the
    commit and the bump is stored under the old version and never served again.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        match = getattr(request, "resolver_match", None)
        if (
            request.method in UNSAFE_METHODS
            and user is not None
            and user.is_authenticated
            and (match is None or match.view_name not in CHANGES_NOTHING_SHOWN)
        ):
            touch_schools(_schools_of(user))
        return response


def _schools_of(user: Any) -> set[int]:
    ids = {m.school_id for m in memberships_of(user)}
    # A trust administrator may change any school of the trust.
    ids |= set(School.objects.filter(trust__admins=user).values_list("pk", flat=True))
    return ids
