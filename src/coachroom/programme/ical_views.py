"""Calendar subscriptions: a person's page with their secret address, and the feed itself."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_safe

from coachroom.http import AuthedRequest
from coachroom.programme.ical import build_calendar, calendar_feed_regenerate
from coachroom.programme.models import CalendarFeed

FEED_CACHE_SECONDS = 300


def _feed_urls(request: HttpRequest, feed: CalendarFeed) -> dict[str, str]:
    https_url = request.build_absolute_uri(reverse("programme:calendar-feed", args=[feed.token]))
    _, _, rest = https_url.partition("://")
    return {"feed_url": https_url, "webcal_url": f"webcal://{rest}"}


@require_GET
def calendar(request: AuthedRequest) -> HttpResponse:
    """The person's own subscription address, made on their first visit."""
    feed, _ = CalendarFeed.objects.get_or_create(user=request.user)
    return render(request, "programme/calendar.html", _feed_urls(request, feed))


@require_http_methods(["GET", "POST"])
def calendar_regenerate(request: AuthedRequest) -> HttpResponse:
    """GET asks first; POST replaces the address, so anyone holding the old one is cut off."""
    if request.method == "POST":
        calendar_feed_regenerate(user=request.user)
        messages.success(
            request,
            "Your calendar has a new address and the old one has stopped working. "
            "Subscribe again with the address below.",
        )
        return redirect("programme:calendar")
    return render(request, "programme/calendar_regenerate.html")


@login_not_required  # the secret token in the address is the credential
@require_safe
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    feed = get_object_or_404(
        CalendarFeed.objects.select_related("user"), token=token, user__is_active=True
    )
    response = HttpResponse(build_calendar(feed.user), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = f"private, max-age={FEED_CACHE_SECONDS}"
    response["Content-Disposition"] = 'inline; filename="coachroom.ics"'
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
