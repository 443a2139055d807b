"""Shared by the API tests: making a token and calling the API with it."""

from __future__ import annotations

from typing import Any

from django.test import Client

from coachroom.accounts.models import Trust, User
from coachroom.integrations.reporting_api import services
from coachroom.integrations.reporting_api.models import Scope

ALL_PERSONAL = [Scope.REPORTING.value, Scope.INDUCTION.value, Scope.RECORDS.value]
ALL_TRUST = [Scope.REPORTING.value, Scope.INDUCTION.value]


def token_for(
    user: User, scopes: list[str] | None = None, *, trust: Trust | None = None, days: int = 90
) -> str:
    """A new token's secret: every scope its kind may have, unless told."""
    chosen = scopes if scopes is not None else (ALL_TRUST if trust else ALL_PERSONAL)
    _token, secret = services.token_create(
        owner=user, name="Reports", scopes=chosen, days=days, trust=trust
    )
    return secret


def api_get(client: Client, path: str, secret: str | None, **params: Any) -> Any:
    """GET /api/v1/<path> with the token (or none)."""
    headers = {"Authorization": f"Bearer {secret}"} if secret else {}
    return client.get(f"/api/v1/{path}", params, headers=headers)
