"""Insights: what works here? Coaching leads see their school's; trust admins any of their
schools', or all of them pooled. Counts and patterns only, never a named teacher or coach."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from coachroom.accounts.access import member_required
from coachroom.accounts.models import Role, School
from coachroom.accounts.viewer import MemberRequest
from coachroom.core.http import AuthedRequest
from coachroom.reporting.insights.charts import comparison_chart, weeks
from coachroom.reporting.insights.comparisons import (
    MIN_COACHES,
    MIN_PEOPLE,
    Comparison,
    Outcomes,
    compare_all,
    outcomes,
)
from coachroom.reporting.insights.facts import step_facts
from coachroom.reporting.insights.stats import percent

ALL = "all"


@member_required(Role.COACHING_LEAD)
@require_GET
def insights(request: MemberRequest) -> HttpResponse:
    school = request.membership.school
    return render(request, "reporting/insights/page.html", insights_context([school], label=None))


class TrustScope(forms.Form):
    school = forms.ChoiceField(label="Schools", required=False, initial=ALL)

    def __init__(self, *args: Any, schools: Sequence[School], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(ALL, "All the trust's schools, together"), *((s.urn, s.name) for s in schools)]
        cast(forms.ChoiceField, self.fields["school"]).choices = choices


@require_GET
def trust_insights(request: AuthedRequest) -> HttpResponse:
    """The same page for a trust admin: one school of the trust, or all of them pooled."""
    schools = list(School.objects.filter(trust__admins=request.user).order_by("name"))
    if not schools:
        raise PermissionDenied("Only trust admins can see the trust's insights.")
    form = TrustScope(request.GET or None, schools=schools)
    choice = form.cleaned_data["school"] if form.is_valid() else ALL
    chosen = [s for s in schools if s.urn == choice] or schools
    label = None if len(chosen) == 1 else schools[0].trust.name
    context = insights_context(chosen, label=label)
    context["scope_form"] = TrustScope(initial={"school": choice}, schools=schools)
    return render(request, "reporting/insights/page.html", context)


def insights_context(schools: Sequence[School], *, label: str | None) -> dict[str, Any]:
    facts = step_facts(schools)
    # pooled schools use the strictest of their minimums
    min_steps = max(s.insights_min_steps for s in schools)
    overall = outcomes(facts, min_steps=min_steps) if facts else None
    overall_shown = (
        overall is not None
        and overall.steps >= min_steps
        and overall.teachers >= MIN_PEOPLE
        and overall.coaches >= MIN_COACHES
    )
    comparisons = compare_all(facts, min_steps=min_steps)
    return {
        "where": label or schools[0].name,
        "one_school": len(schools) == 1,
        "min_steps": min_steps,
        "min_people": MIN_PEOPLE,
        "min_coaches": MIN_COACHES,
        "overall": figures(overall) if overall is not None and overall_shown else None,
        "step_count": len(facts),
        "comparisons": [_comparison_view(c) for c in comparisons],
        "shown": sum(c.is_shown for c in comparisons),
    }


def _interval(low: float | None, high: float | None, unit: str = "") -> str:
    return f"{weeks(low)}{unit} to {weeks(high)}{unit}"


def figures(o: Outcomes) -> dict[str, str | int]:
    """One group's figures as the table prints them (the chart draws the same numbers)."""
    secured, time, stuck = o.secured, o.time, o.stuck
    return {
        "steps": o.steps,
        "teachers": o.teachers,
        "secured": f"{percent(secured.rate)}%",
        "secured_interval": f"{percent(secured.low)}% to {percent(secured.high)}%",
        "secured_count": f"{secured.hits} of {secured.n}",
        "time": weeks(time.value),
        "time_interval": _interval(time.low, time.high) if time.value is not None else "–",
        "stuck": f"{percent(stuck.rate)}%" if stuck else "–",
        "stuck_interval": f"{percent(stuck.low)}% to {percent(stuck.high)}%" if stuck else "",
        "stuck_count": f"{stuck.hits} of {stuck.n} re-checked" if stuck else "too few re-checks",
    }


def _comparison_view(c: Comparison) -> dict[str, Any]:
    return {
        "c": c,
        "chart": comparison_chart(c) if c.is_shown else "",
        "rows": [(g.label, figures(g.shown) if g.shown else None, g.withheld) for g in c.groups],
    }
