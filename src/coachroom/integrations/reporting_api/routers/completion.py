"""Completion: sessions planned against held, by school and week, missed reasons, and (for
coaching leads and coaches) by coachee. The completion page's figures, `reporting:read`."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router

from coachroom import audit
from coachroom.integrations.reporting_api import figures
from coachroom.integrations.reporting_api.auth import BearerToken, access_of
from coachroom.integrations.reporting_api.models import Scope
from coachroom.integrations.reporting_api.paging import Paging, page
from coachroom.integrations.reporting_api.routers.common import DateRange, responses
from coachroom.integrations.reporting_api.schemas import CoacheePage, ReasonPage, WeekPage
from coachroom.reporting.completion import Filters

router = Router(tags=["Completion"], auth=BearerToken(Scope.REPORTING))


class CompletionFilters(DateRange):
    kind: Literal["drop_in", "meeting"] | None = Field(
        None, description="Only drop-ins or only feedback meetings; both by default"
    )

    def filters(self) -> Filters:
        start, end = figures.default_range()
        start = self.from_date or start
        return Filters(start=start, end=self.to_date or max(end, start), kind=self.kind or "")


@router.get("/weeks", response=responses(WeekPage), summary="Completion by school and week")
def completion_weeks(
    request: HttpRequest, query: Query[CompletionFilters], paging: Query[Paging]
) -> dict[str, Any]:
    """Drop-ins and feedback meetings planned and held in each school week (Monday to Sunday).

    Trust tokens and school leaders get each school's figures (`figures` is `school`); a coach
    gets their own pairs' (`own_pairs`). Weeks with nothing planned are left out."""
    rows = figures.completion_weeks(access_of(request), urn=query.school, filters=query.filters())
    return page(request, rows, paging)


@router.get("/reasons", response=responses(ReasonPage), summary="Why sessions did not happen")
def completion_reasons(
    request: HttpRequest, query: Query[CompletionFilters], paging: Query[Paging]
) -> dict[str, Any]:
    """Missed (including those booked again) and cancelled sessions by reason, by school."""
    rows = figures.completion_reasons(access_of(request), urn=query.school, filters=query.filters())
    return page(request, rows, paging)


@router.get("/coachees", response=responses(CoacheePage), summary="Completion by coachee")
def completion_coachees(
    request: HttpRequest, query: Query[CompletionFilters], paging: Query[Paging]
) -> dict[str, Any]:
    """Each pair's figures by coachee, with when they were last seen: for coaching leads (the
    school's pairs) and coaches (their own), as on the completion page. Never for senior
    leaders, school admins or trust tokens, who see totals only. Each read is audited."""
    access = access_of(request)
    rows, schools = figures.completion_coachees(access, urn=query.school, filters=query.filters())
    for school in schools:
        audit.record(
            actor=access.token.owner,
            action="api.completion_coachees.exported",
            school=school,
            target=access.token,
        )
    return page(request, rows, paging)
