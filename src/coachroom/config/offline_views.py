"""The installable, offline-capable site: the web app manifest, the service worker (served from
the root, so its scope is the whole site) and the page shown offline when nothing is kept.

None of these name a person: anyone may fetch them, and the worker files people's copies of
pages under their device key (core/offline.py)."""

from __future__ import annotations

import hashlib

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_safe

# What the worker keeps for everyone: the shell of every page. People's pages are kept only as
# they open them (and their coachees' blank drop-in forms, from their home page).
SHELL_FILES = (
    "coachroom/coachroom.css",
    "coachroom/coachroom.js",
    "coachroom/favicon.svg",
    "coachroom/offline/outbox.js",
    "coachroom/offline/device.js",
    "coachroom/icons/icon-192.png",
    "django_htmx/htmx-2.min.js",
)


@login_not_required
@require_safe
def manifest(request: HttpRequest) -> JsonResponse:
    icon = "image/png"
    return JsonResponse(
        {
            "name": "Coachroom",
            "short_name": "Coachroom",
            "description": "Instructional coaching: drop-ins, feedback meetings and action steps.",
            "lang": "en-GB",
            "start_url": reverse("home"),
            "scope": "/",
            "display": "standalone",
            "background_color": "#f6f7f5",
            "theme_color": "#0b5561",
            "icons": [
                {"src": static("coachroom/icons/icon-192.png"), "sizes": "192x192", "type": icon},
                {"src": static("coachroom/icons/icon-512.png"), "sizes": "512x512", "type": icon},
                {
                    "src": static("coachroom/icons/icon-maskable-512.png"),
                    "sizes": "512x512",
                    "type": icon,
                    "purpose": "maskable",
                },
            ],
        },
        content_type="application/manifest+json",
    )


@login_not_required
@require_safe
def service_worker(request: HttpRequest) -> HttpResponse:
    """The worker, with the shell's (hashed, in production) file names; its cache name changes
    whenever one of them does, so a new release replaces the old shell."""
    shell = [static(name) for name in SHELL_FILES] + [reverse("offline")]
    version = hashlib.sha256("\n".join(shell).encode()).hexdigest()[:12]
    script = render_to_string(
        "offline/sw.js", {"shell": shell, "version": version, "offline_url": reverse("offline")}
    )
    response = HttpResponse(script, content_type="text/javascript; charset=utf-8")
    # Browsers check for a new worker at most daily anyway; never keep an old one longer.
    response["Cache-Control"] = "no-cache"
    return response


@login_not_required
@require_safe
def offline(request: HttpRequest) -> HttpResponse:
    """Shown for a page the device has no copy of, with no network. It names no one."""
    response = render(request, "offline/offline.html")
    response["Cache-Control"] = "no-cache"
    return response
