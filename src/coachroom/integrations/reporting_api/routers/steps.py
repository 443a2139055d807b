"""Action steps: by strand and by whole-school priority this academic year, and the stick
rate. The programme dashboard's and the priority report's counts, `reporting:read`; for
coaching leads, senior leaders, school admins and trust tokens."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from coachroom.integrations.reporting_api import figures
from coachroom.integrations.reporting_api.auth import BearerToken, access_of
from coachroom.integrations.reporting_api.models import Scope
from coachroom.integrations.reporting_api.paging import Paging, page
from coachroom.integrations.reporting_api.routers.common import SchoolFilter, responses
from coachroom.integrations.reporting_api.schemas import PriorityPage, StickRatePage, StrandPage

router = Router(tags=["Steps"], auth=BearerToken(Scope.REPORTING))


@router.get("/strands", response=responses(StrandPage), summary="Steps by strand")
def steps_by_strand(
    request: HttpRequest, query: Query[SchoolFilter], paging: Query[Paging]
) -> dict[str, Any]:
    """Steps being worked on (agreed, practising, reopened, paused) and secured in each school's
    current academic year, by strand of the step library; steps a pair wrote themselves have a
    row of their own."""
    return page(request, figures.steps_by_strand(access_of(request), urn=query.school), paging)


@router.get("/priorities", response=responses(PriorityPage), summary="Steps by priority")
def steps_by_priority(
    request: HttpRequest, query: Query[SchoolFilter], paging: Query[Paging]
) -> dict[str, Any]:
    """The same steps by whole-school priority: a step serves a priority when its library step
    is linked to it or sits in one of its strands, so a step may count under two. Steps serving
    none are `outside_the_priorities`."""
    return page(request, figures.steps_by_priority(access_of(request), urn=query.school), paging)


@router.get("/stick-rate", response=responses(StickRatePage), summary="Steps and the stick rate")
def stick_rate(
    request: HttpRequest, query: Query[SchoolFilter], paging: Query[Paging]
) -> dict[str, Any]:
    """Steps in each state, steps secured this half-term, and of the secured steps checked
    weeks later, how many were still seen (stuck) or not (slipped)."""
    return page(request, figures.stick_rates(access_of(request), urn=query.school), paging)
