from __future__ import annotations

import csv
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from coachroom import audit
from coachroom.accounts.access import member_required
from coachroom.accounts.models import Membership, Role, School
from coachroom.accounts.viewer import MemberRequest
from coachroom.coaching.models import REPORTED_STATES
from coachroom.core.charts import ChartPoint, planned_held_chart
from coachroom.core.forms import FormatQuery, read_query
from coachroom.core.http import AuthedRequest
from coachroom.core.spreadsheets import safe_cell
from coachroom.reporting.completion import CompletionQuery, Filters, default_range
from coachroom.reporting.completion_views import charts_for
from coachroom.reporting.dashboard import SchoolSummary, summarise
from coachroom.reporting.tools import tools_for

LEADERS = (Role.COACHING_LEAD, Role.SCHOOL_ADMIN, Role.SENIOR_LEADER)
STATES = list(REPORTED_STATES)  # the same states, in the same words, as the home page
CSV_HEADER = [
    "School",
    "Active staff",
    "Coaching pairs",
    "Sessions planned this year",
    "Sessions held this year",
    "Completion this year %",
    "Completion this half-term %",
    "Steps secured this half-term",
    "Stick rate %",
    *[str(state.label) for state in STATES],
]


def _csv(summaries: list[SchoolSummary], filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(CSV_HEADER)
    for s in summaries:
        writer.writerow(
            safe_cell(v)
            for v in [
                s.school.name,
                s.staff,
                s.pairs,
                s.this_year.planned,
                s.this_year.held,
                s.this_year.percent,
                s.this_term.percent,
                s.secured_this_term,
                s.stick_rate,
                *[s.steps[state] for state in STATES],
            ]
        )
    return response


@member_required(*LEADERS)
@require_GET
def dashboard(request: MemberRequest) -> HttpResponse:
    """One school's programme at a glance, with the leaders' tools."""
    school = request.membership.school
    if read_query(FormatQuery, request.GET)["format"] == "csv":
        audit.record(actor=request.user, action="programme.dashboard.exported", school=school)
        return _csv([summarise([school])[0]], "coachroom-dashboard.csv")
    return render(request, "reporting/dashboard.html", _dashboard_context(request.membership))


def _dashboard_context(membership: Membership) -> dict[str, Any]:
    school = membership.school
    summary = summarise([school])[0]
    start, end = default_range(school)
    query = CompletionQuery(school=school, viewer_coach=None, filters=Filters(start=start, end=end))
    return {
        "summary": summary,
        "states": [(s.label, summary.steps[s]) for s in STATES],
        "charts": charts_for(query.by_half_term(), prefix="dash-terms", period="half-term"),
        "sections": tools_for(membership),
    }


@require_GET
def trust_dashboard(request: AuthedRequest) -> HttpResponse:
    """Trust admins compare their schools' programmes: counts only, schools by name."""
    schools = list(School.objects.filter(trust__admins=request.user).order_by("name"))
    if not schools:
        raise PermissionDenied("Only trust admins can see the trust's dashboard.")
    summaries = summarise(schools)
    if read_query(FormatQuery, request.GET)["format"] == "csv":
        audit.record(actor=request.user, action="programme.trust_dashboard.exported")
        return _csv(summaries, "coachroom-trust.csv")
    chart = planned_held_chart(
        chart_id="trust-schools",
        title="Sessions planned and held this year, by school",
        points=[
            ChartPoint(
                label=s.school.name.split()[0],
                long_label=s.school.name,
                planned=s.this_year.planned,
                held=s.this_year.held,
            )
            for s in summaries
        ],
        period="school",
    )
    return render(
        request,
        "reporting/trust_dashboard.html",
        {
            "rows": [(s, [s.steps[state] for state in STATES]) for s in summaries],
            "trust": schools[0].trust,
            "chart": chart,
            "states": STATES,
        },
    )
