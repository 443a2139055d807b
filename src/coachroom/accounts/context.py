from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from coachroom.accounts.access import current_membership, memberships_of


def current_school(request: HttpRequest) -> dict[str, Any]:
    if not request.user.is_authenticated:
        return {}
    return {
        "membership": current_membership(request),
        "my_memberships": memberships_of(request.user),
    }
