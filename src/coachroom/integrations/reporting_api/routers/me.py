"""Who the token is, the schools it reads, and the owner's own timeline."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router

from coachroom.accounts.models import School
from coachroom.integrations.reporting_api.access import DATASETS, Access
from coachroom.integrations.reporting_api.auth import BearerToken, access_of
from coachroom.integrations.reporting_api.models import Scope
from coachroom.integrations.reporting_api.paging import Paging, page
from coachroom.integrations.reporting_api.routers.common import SchoolFilter, responses
from coachroom.integrations.reporting_api.schemas import Me, SchoolPage, TimelinePage
from coachroom.integrations.reporting_api.timeline import own_timeline
from coachroom.integrations.reporting_api.tokens import requests_per_minute

router = Router(tags=["This token"], auth=BearerToken())


@router.get("/me", response=responses(Me), summary="This token")
def me(request: HttpRequest) -> dict[str, Any]:
    """What the token is: personal or the trust's, its scopes, when it expires, and its rate
    limit. Any scope will do."""
    token = access_of(request).token
    person = None if token.is_trust else token.owner
    return {
        "kind": token.kind,
        "name": token.name,
        "scopes": token.scopes,
        "expires_at": timezone.localtime(token.expires_at),
        "person_name": person.full_name if person else None,
        "person_email": person.email if person else None,
        "trust_name": token.trust.name if token.trust else None,
        "requests_per_minute": requests_per_minute(),
    }


def _datasets(access: Access, school: School) -> list[str]:
    return [
        endpoint
        for dataset in DATASETS
        if dataset.scope.value in access.token.scopes and access.reach(school, dataset)
        for endpoint in dataset.endpoints
    ]


@router.get("/schools", response=responses(SchoolPage), summary="The token's schools")
def schools(request: HttpRequest, paging: Query[Paging]) -> dict[str, Any]:
    """Every school the token reads: a personal token's are its owner's schools, with their
    roles there; a trust token's are the trust's. `datasets` lists the endpoints that return
    the school's figures to this token."""
    access = access_of(request)
    rows = [
        {
            "urn": school.urn,
            "name": school.name,
            "phase": school.get_phase_display(),
            "trust_name": school.trust.name,
            "roles": [str(role.label) for role in access.memberships[school.pk].roles]
            if school.pk in access.memberships
            else [],
            "datasets": _datasets(access, school),
        }
        for school in access.schools
    ]
    return page(request, rows, paging)


class TimelineQuery(SchoolFilter):
    year: int | None = Field(
        None,
        ge=2000,
        le=2100,
        description="The academic year by the calendar year it starts in (2026 for 2026–27); "
        "by default the current one",
    )


@router.get(
    "/me/timeline",
    response=responses(TimelinePage),
    auth=BearerToken(Scope.RECORDS),
    summary="Your own coaching timeline",
)
def timeline(
    request: HttpRequest, query: Query[TimelineQuery], paging: Query[Paging]
) -> dict[str, Any]:
    """Your drop-ins, feedback meetings and step changes in one school and academic year,
    newest first, as your timeline page shows them, and the steps you are working on. Only
    a personal token with `records:read`, and only your own record; every read is audited.
    `count` is null: follow `next` for earlier entries (up to 1,000)."""
    access = access_of(request)
    return own_timeline(request, access, urn=query.school, year=query.year, paging=paging)
