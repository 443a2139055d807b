"""The layout's links, reversed once per URL configuration rather than on every page."""

from __future__ import annotations

import functools
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import get_script_prefix, get_urlconf, reverse

# Every link base.html and components/nav_items.html show, by the name the templates use.
LAYOUT_VIEWS = {
    "home": "home",
    "my_timeline": "coaching:my-timeline",
    "week": "scheduling:week",
    "library": "library:step-list",
    "programme": "reporting:dashboard",
    "my_induction": "induction:mine",
    "inductions": "induction:cohort",
    "profile": "accounts:profile",
    "logout": "logout",
    "switch_school": "accounts:switch-school",
}


@functools.cache
def _links(urlconf: str, prefix: str) -> dict[str, str]:
    return {name: reverse(view, urlconf=urlconf) for name, view in LAYOUT_VIEWS.items()}


def layout(request: HttpRequest) -> dict[str, Any]:
    """`layout_links.home`, `layout_links.week`, …: a `{% url %}` tag for each of the nine
    cost more than the rest of the layout, and the answers only change with the URL
    configuration and the script prefix."""
    return {
        "layout_links": _links(str(get_urlconf() or settings.ROOT_URLCONF), get_script_prefix())
    }
