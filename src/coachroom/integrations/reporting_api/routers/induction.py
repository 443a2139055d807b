"""Early-career teachers' induction reviews and assessments: statuses, never what a review
says. `induction:read`."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from coachroom import audit
from coachroom.integrations.reporting_api import induction
from coachroom.integrations.reporting_api.auth import BearerToken, access_of
from coachroom.integrations.reporting_api.models import Scope
from coachroom.integrations.reporting_api.paging import Paging, page
from coachroom.integrations.reporting_api.routers.common import SchoolFilter, responses
from coachroom.integrations.reporting_api.schemas import InductionReviewPage, InductionSummaryPage

router = Router(tags=["Induction"], auth=BearerToken(Scope.INDUCTION))


@router.get("/reviews", response=responses(InductionReviewPage), summary="Reviews by ECT")
def induction_reviews(
    request: HttpRequest, query: Query[SchoolFilter], paging: Query[Paging]
) -> dict[str, Any]:
    """Every ECT's progress reviews and formal assessments by date, with how far each has got,
    its outcome once written, and mentor meetings and time off timetable so far: the cohort
    CSV's columns. For the school's induction tutors and senior leaders (personal tokens);
    never the mentor. Each read is audited, as the CSV's download is."""
    access = access_of(request)
    rows, schools = induction.induction_reviews(access, urn=query.school)
    for school in schools:
        audit.record(
            actor=access.token.owner,
            action="api.induction_reviews.exported",
            school=school,
            target=access.token,
        )
    return page(request, rows, paging)


@router.get("/summary", response=responses(InductionSummaryPage), summary="Review counts")
def induction_summary(
    request: HttpRequest, query: Query[SchoolFilter], paging: Query[Paging]
) -> dict[str, Any]:
    """By school and kind of review: how many ECTs, how many reviews are due by today and how
    far those have got, and how many are still to come. Counts only: for trust tokens, and for
    the school's induction tutors and senior leaders."""
    return page(request, induction.induction_summary(access_of(request), urn=query.school), paging)
