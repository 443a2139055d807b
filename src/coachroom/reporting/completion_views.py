"""The completion dashboard: planned against held, as charts, tables and CSV.

Coaches see their own pairs; coaching leads, school admins and senior leaders see the school.
Every figure is an activity count (domain §3): no note, praise or reflection is read here.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any, cast
from urllib.parse import urlencode

from django import forms
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.views.decorators.http import require_GET

from coachroom import audit
from coachroom.accounts.access import member_required
from coachroom.accounts.models import Membership, Role, User
from coachroom.accounts.viewer import MemberRequest
from coachroom.core.charts import ChartPoint, completion_chart, planned_held_chart
from coachroom.core.spreadsheets import safe_cell
from coachroom.core.widgets import QuickSelect
from coachroom.reporting.completion import (
    KIND_CHOICES,
    NAMED_TABLES,
    CoacheeRow,
    CompletionQuery,
    Filters,
    ReasonRow,
    Row,
    default_range,
    tally_cells,
)

VIEWERS = (Role.COACH, Role.COACHING_LEAD, Role.SCHOOL_ADMIN, Role.SENIOR_LEADER)
TABLES = ("summary", "week", "halfterm", "coach", "coachee", "reasons")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CompletionFilterForm(forms.Form):
    from_date = forms.DateField(label="From", required=False, widget=DATE)
    to_date = forms.DateField(label="To", required=False, widget=DATE)
    kind = forms.ChoiceField(
        label="Sessions", choices=KIND_CHOICES, required=False, widget=QuickSelect
    )
    coach = forms.ModelChoiceField(
        label="Coach",
        queryset=User.objects.none(),
        required=False,
        empty_label="All coaches",
        widget=QuickSelect,  # one option a coach, without a template each
    )

    def __init__(
        self,
        *args: Any,
        membership: Membership,
        default: tuple[dt.date, dt.date],
        **kwargs: Any,
    ) -> None:
        """Only those who see the school's figures by person may narrow them to one coach."""
        super().__init__(*args, **kwargs)
        self.membership = membership
        self.default = default
        self.fields["from_date"].initial, self.fields["to_date"].initial = default
        if membership.is_leader and membership.sees_named_figures:
            school = membership.school
            coaches = Membership.objects.active().for_school(school).with_role(Role.COACH)
            field = cast(forms.ModelChoiceField, self.fields["coach"])  # type: ignore[type-arg]
            field.queryset = User.objects.filter(memberships__in=coaches).order_by(
                "last_name", "first_name", "pk"
            )
        else:
            del self.fields["coach"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("from_date"), data.get("to_date")
        if start and end and start > end:
            self.add_error("to_date", "The end date must be on or after the start date.")
        return data

    def filters(self) -> Filters:
        """The filters to show: the form's, or the defaults where it has none (or errors)."""
        start, end = self.default
        if not self.is_bound or not self.is_valid():
            return Filters(start=start, end=end)
        data = self.cleaned_data
        return Filters(
            start=data["from_date"] or start,
            end=data["to_date"] or max(end, data["from_date"] or end),
            kind=data["kind"] or "",
            coach=data.get("coach"),
        )


class CompletionCsvForm(CompletionFilterForm):
    table = forms.ChoiceField(choices=[(name, name) for name in TABLES], required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.membership.sees_named_figures:
            field = cast(forms.ChoiceField, self.fields["table"])
            field.choices = [(name, name) for name in TABLES if name not in NAMED_TABLES]


def _query(request: MemberRequest, filters: Filters) -> CompletionQuery:
    membership = request.membership
    return CompletionQuery(
        school=membership.school,
        viewer_coach=None if membership.is_leader else request.user,
        filters=filters,
        names_visible=membership.sees_named_figures,
    )


def _filter_query(filters: Filters) -> str:
    params = {"from_date": filters.start.isoformat(), "to_date": filters.end.isoformat()}
    if filters.kind:
        params["kind"] = filters.kind
    if filters.coach is not None:
        params["coach"] = str(filters.coach.pk)
    return urlencode(params)


def _points(rows: list[Row], *, weekly: bool) -> list[ChartPoint]:
    return [
        ChartPoint(
            label=f"{row.starts_on.day} {row.starts_on:%b}"
            if weekly and row.starts_on
            else row.label,
            long_label=f"week beginning {row.label}" if weekly else row.label,
            planned=row.tally.planned,
            held=row.tally.held,
        )
        for row in rows
    ]


def charts_for(rows: list[Row], *, prefix: str, period: str) -> list[dict[str, object]]:
    """Planned against held, then completion %, each with the id its scrolling frame cites."""
    points = _points(rows, weekly=period == "week")
    return [
        {
            "id": f"{prefix}-planned-held",
            "svg": planned_held_chart(
                chart_id=f"{prefix}-planned-held",
                title=f"Sessions planned and held each {period}",
                points=points,
                period=period,
            ),
        },
        {
            "id": f"{prefix}-completion",
            "svg": completion_chart(
                chart_id=f"{prefix}-completion",
                title=f"Completion each {period}",
                points=points,
                period=period,
            ),
        },
    ]


@require_GET
@member_required(*VIEWERS)
def completion(request: MemberRequest) -> HttpResponse:
    return render(
        request, "reporting/completion.html", _completion_context(request, request.membership)
    )


COACHEES_PER_PAGE = 50


def _completion_context(request: MemberRequest, membership: Membership) -> dict[str, Any]:
    form = CompletionFilterForm(
        request.GET or None,
        membership=membership,
        default=default_range(membership.school),
    )
    filters = form.filters()
    query = _query(request, filters)
    report = query.report()
    context: dict[str, Any] = {
        "form": form,
        "report": report,
        # The figures (and the unseen count) are over every coachee; the table shows a page.
        "coachee_page": Paginator(report.coachees, COACHEES_PER_PAGE).get_page(
            request.GET.get("page")
        ),
        "filters": filters,
        "kind_label": dict(KIND_CHOICES)[filters.kind],
        "csv_query": _filter_query(filters),
        "has_sessions": not report.is_empty or query.any_sessions(),
        "can_schedule": membership.is_coaching_lead or membership.is_school_admin,
    }
    if report.weeks:
        context["week_charts"] = charts_for(report.weeks, prefix="weeks", period="week")
    if any(row.tally.planned for row in report.half_terms):
        context["term_charts"] = charts_for(report.half_terms, prefix="terms", period="half-term")
    return context


# CSV ----------------------------------------------------------------------------------------

TALLY_HEADER = [
    "Planned",
    "Held",
    "Completion %",
    "Drop-ins planned",
    "Drop-ins held",
    "Meetings planned",
    "Meetings held",
    "Missed",
    "Cancelled",
    "Not recorded",
]


def _iso(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def _summary_csv(query: CompletionQuery) -> tuple[list[str], Iterable[list[object]]]:
    report = query.report()
    t = report.totals
    coach = query.filters.coach
    rows: list[list[object]] = [
        ["From", _iso(query.filters.start)],
        ["To", _iso(query.filters.end)],
        ["Sessions", dict(KIND_CHOICES)[query.filters.kind]],
        ["Coach", coach.full_name if coach else "All coaches" if query.is_leader else "You"],
        *([h, v] for h, v in zip(TALLY_HEADER, tally_cells(t), strict=True)),
        [
            f"Coachees not seen for more than {report.unseen_weeks_alert} weeks",
            report.unseen_count,
        ],
    ]
    return ["Measure", "Value"], rows


def _week_csv(query: CompletionQuery) -> tuple[list[str], Iterable[list[object]]]:
    rows = [[_iso(r.starts_on), *tally_cells(r.tally)] for r in query.by_week()]
    return ["Week beginning", *TALLY_HEADER], rows


def _half_term_csv(query: CompletionQuery) -> tuple[list[str], Iterable[list[object]]]:
    rows = [
        [r.label, _iso(r.starts_on), _iso(r.ends_on), *tally_cells(r.tally)]
        for r in query.by_half_term()
    ]
    return ["Half-term", "Starts", "Ends", *TALLY_HEADER], rows


def _coach_csv(query: CompletionQuery) -> tuple[list[str], Iterable[list[object]]]:
    if not query.is_leader:
        raise Http404("No such table.")
    return ["Coach", *TALLY_HEADER], [[r.label, *tally_cells(r.tally)] for r in query.by_coach()]


def _coachee_row(r: CoacheeRow) -> list[object]:
    return [
        r.coachee,
        r.coach,
        "Yes" if r.is_current else "No",
        *tally_cells(r.tally),
        _iso(r.last_seen),
        r.flag,
    ]


def _coachee_csv(query: CompletionQuery) -> tuple[list[str], Iterable[list[object]]]:
    header = ["Coachee", "Coach", "Current pair", *TALLY_HEADER, "Last drop-in", "Alert"]
    return header, [_coachee_row(r) for r in query.by_coachee()]


def _reason_row(r: ReasonRow) -> list[object]:
    return [r.label, r.missed, r.rebooked, r.cancelled]


def _reasons_csv(query: CompletionQuery) -> tuple[list[str], Iterable[list[object]]]:
    header = ["Reason", "Missed", "Missed and rebooked", "Cancelled"]
    return header, [_reason_row(r) for r in query.reasons()]


CSV_TABLES: dict[str, Callable[[CompletionQuery], tuple[list[str], Iterable[list[object]]]]] = {
    "summary": _summary_csv,
    "week": _week_csv,
    "halfterm": _half_term_csv,
    "coach": _coach_csv,
    "coachee": _coachee_csv,
    "reasons": _reasons_csv,
}


@require_GET
@member_required(*VIEWERS)
def completion_csv(request: MemberRequest) -> HttpResponse:
    membership = request.membership
    form = CompletionCsvForm(
        request.GET,
        membership=membership,
        default=default_range(membership.school),
    )
    if not form.is_valid():
        if "table" in form.errors:
            raise Http404("No such table.")
        return HttpResponseBadRequest("Check the dates and filters, then try again.")
    table = form.cleaned_data["table"] or "summary"
    filters = form.filters()
    header, rows = CSV_TABLES[table](_query(request, filters))
    filename = f"completion-{table}-{filters.start:%Y-%m-%d}-to-{filters.end:%Y-%m-%d}.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    audit.record(
        actor=request.user,
        action="programme.completion.exported",
        school=membership.school,
        data={"table": table, "from": filters.start.isoformat(), "to": filters.end.isoformat()},
    )
    return response
