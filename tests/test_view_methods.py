"""Every view says which HTTP methods it answers (require_GET, require_POST,
require_http_methods, require_safe), so a stray method gets 405 instead of running the view."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

# Django's own views (sign-in, password reset, static files) and class-based views handle
# methods themselves.
EXEMPT_MODULES = ("django.",)


def _patterns(resolver: URLResolver, prefix: str = "") -> Iterator[tuple[str, Callable[..., Any]]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


def _restricts_methods(view: Callable[..., Any]) -> bool:
    func: Any = view
    while func is not None:
        code = getattr(func, "__code__", None)
        if code is not None and code.co_qualname.startswith("require_http_methods."):
            return True
        func = getattr(func, "__wrapped__", None)
    return False


def _project_views() -> list[tuple[str, Callable[..., Any]]]:
    views = []
    for route, callback in _patterns(get_resolver()):
        if hasattr(callback, "view_class"):
            continue
        module = getattr(callback, "__module__", "")
        if module.startswith(EXEMPT_MODULES) or not module.startswith("coachroom"):
            continue
        views.append((route, callback))
    return views


def test_the_walk_finds_the_project_views():
    assert len(_project_views()) > 100


def test_every_view_declares_its_http_methods():
    missing = sorted(
        f"{route} ({view.__module__}.{view.__name__})"
        for route, view in _project_views()
        if not _restricts_methods(view)
    )
    assert not missing, "Views without a method decorator:\n" + "\n".join(missing)
