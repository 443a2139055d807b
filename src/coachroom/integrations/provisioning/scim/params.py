"""Query parameters every SCIM read takes: `attributes` / `excludedAttributes` (which
attributes to return) and `startIndex` / `count` (which page of a list)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from coachroom.integrations.provisioning.scim import errors
from coachroom.integrations.provisioning.scim.config import DEFAULT_COUNT, MAX_RESULTS

ALWAYS = frozenset({"schemas", "id"})  # returned whatever is asked for (RFC 7643 §2.4)


def _names(text: str) -> set[str]:
    """Top-level attribute names: "name.givenName" and "urn:…:User:name" both read "name"."""
    found = set()
    for item in text.split(","):
        name = item.strip()
        if name.lower().startswith("urn:"):
            name = name.rsplit(":", 1)[-1]
        name = name.split(".", 1)[0].strip().lower()
        if name:
            found.add(name)
    return found


def wants(request: HttpRequest, attribute: str) -> bool:
    """Whether the response should carry this top-level attribute."""
    attribute = attribute.lower()
    if attributes := _names(request.GET.get("attributes", "")):
        return attribute in attributes or attribute in ALWAYS
    return attribute not in _names(request.GET.get("excludedAttributes", ""))


def project(request: HttpRequest | None, resource: dict[str, Any]) -> dict[str, Any]:
    if request is None:
        return resource
    return {key: value for key, value in resource.items() if wants(request, key)}


def _whole_number(request: HttpRequest, name: str, default: int) -> int:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise errors.invalid_value(f"“{name}” must be a whole number.") from None


def page(request: HttpRequest) -> tuple[int, int]:
    """(startIndex, count) as RFC 7644 §3.4.2.4 reads them: a start below 1 is 1, a negative
    count is 0, and a count above the maximum is the maximum."""
    start = max(1, _whole_number(request, "startIndex", 1))
    count = min(MAX_RESULTS, max(0, _whole_number(request, "count", DEFAULT_COUNT)))
    return start, count
