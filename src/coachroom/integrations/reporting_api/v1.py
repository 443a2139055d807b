"""Version 1 of the JSON API: `/api/v1/`, its OpenAPI schema (`/api/v1/openapi.json`) and
interactive docs (`/api/v1/docs`). Read-only; docs/integrations.md explains it for a school's
IT technician and a trust's data person."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError

from coachroom.integrations.reporting_api.auth import RateLimited
from coachroom.integrations.reporting_api.routers import completion, induction, me, steps

DESCRIPTION = """Coachroom's figures for your own reporting: completion, action steps, the stick
rate and early-career teachers' induction reviews, as tables for Power BI, Excel or a script.

Send a token from **Your account → API tokens** as `Authorization: Bearer <token>`. A personal
token acts as you, with your roles in each of your schools: leaders get their school's figures,
coaches their own pairs'. A trust token (made by a trust admin) reads counts and patterns across
the trust's schools. Nothing here shows a coaching note, except your own timeline to your own
personal token with `records:read`.

Each token may make a limited number of requests a minute (429 with `Retry-After` beyond it).
Lists come a page at a time: `limit` (up to 500) and `offset`, with the total `count` and the
address of the `next` page."""

NO_STORE = "no-store, private"


class CoachroomApi(NinjaAPI):
    def create_response(
        self,
        request: HttpRequest,
        data: Any,
        *,
        status: int | None = None,
        temporal_response: HttpResponse | None = None,
    ) -> HttpResponse:
        """Every answer is for one token only: no browser or proxy keeps a copy."""
        response = super().create_response(
            request, data, status=status, temporal_response=temporal_response
        )
        response["Cache-Control"] = NO_STORE
        return response


api = CoachroomApi(
    title="Coachroom API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api:v1",
)
api.add_router("/", me.router)
api.add_router("/completion", completion.router)
api.add_router("/steps", steps.router)
api.add_router("/induction", induction.router)


def _unauthorised(request: HttpRequest, exc: Any) -> HttpResponse:
    response = api.create_response(
        request, {"detail": "Send a valid API token: Authorization: Bearer <token>."}, status=401
    )
    response["WWW-Authenticate"] = 'Bearer realm="coachroom"'
    return response


def _rate_limited(request: HttpRequest, exc: Any) -> HttpResponse:
    response = api.create_response(request, {"detail": exc.message}, status=429)
    response["Retry-After"] = str(exc.wait)
    return response


api.add_exception_handler(AuthenticationError, _unauthorised)
api.add_exception_handler(RateLimited, _rate_limited)
