"""Calendar subscriptions: a person's page with their secret address, and the feed itself."""

from __future__ import annotations

import datetime as dt

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_safe

from coachroom.core.http import AuthedRequest
from coachroom.scheduling.ical import calendar_feed_regenerate, feed_version, render_feed
from coachroom.scheduling.models import CalendarFeed

FEED_CACHE_SECONDS = 300
QR_LABEL = "QR code of your calendar address"


def _feed_urls(request: HttpRequest, feed: CalendarFeed) -> dict[str, str]:
    https_url = request.build_absolute_uri(reverse("scheduling:calendar-feed", args=[feed.token]))
    _, _, rest = https_url.partition("://")
    return {"feed_url": https_url, "webcal_url": f"webcal://{rest}"}


def address_qr(url: str) -> SafeString:
    """The address as a QR code in inline SVG: drawn on the server, so it needs no script."""
    svg = segno.make(url, error="m").svg_inline(
        scale=4, svgclass="qr-code", lineclass=None, title=QR_LABEL
    )
    # segno's own markup, holding only the address it encoded (escaped): safe to inline.
    return mark_safe(svg.replace("<svg ", f'<svg role="img" aria-label="{QR_LABEL}" ', 1))  # noqa: S308


@require_GET
def calendar(request: AuthedRequest) -> HttpResponse:
    """The person's own subscription address, made on their first visit."""
    feed, _ = CalendarFeed.objects.get_or_create(user=request.user)
    urls = _feed_urls(request, feed)
    return render(
        request, "scheduling/calendar.html", {**urls, "qr_svg": address_qr(urls["feed_url"])}
    )


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
        return redirect("scheduling:calendar")
    return render(request, "scheduling/calendar_regenerate.html")


def _seconds(moment: dt.datetime | None) -> int | None:
    return int(moment.timestamp()) if moment else None


@login_not_required  # the secret token in the address is the credential
@require_safe
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    feed = get_object_or_404(
        CalendarFeed.objects.select_related("user"), token=token, user__is_active=True
    )
    # A calendar app's poll costs one small query, and gets 304 if its copy is current; a
    # plain GET has nothing to compare, so it builds the feed, whose rows give the version too.
    conditional = "if-none-match" in request.headers or "if-modified-since" in request.headers
    built = None if conditional else render_feed(feed.user)
    etag, last_modified = (
        feed_version(feed.user) if built is None else (built.etag, built.last_modified)
    )
    response = get_conditional_response(
        request, etag=f'"{etag}"', last_modified=_seconds(last_modified)
    )
    if response is None:
        built = built or render_feed(feed.user)
        # the version of what is sent, should a session have changed since the first query
        etag, last_modified = built.etag, built.last_modified
        response = HttpResponse(built.body, content_type="text/calendar; charset=utf-8")
    response["ETag"] = f'"{etag}"'
    if last_modified:
        response["Last-Modified"] = http_date(_seconds(last_modified))
    response["Cache-Control"] = f"private, max-age={FEED_CACHE_SECONDS}"
    response["Content-Disposition"] = 'inline; filename="coachroom.ics"'
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
