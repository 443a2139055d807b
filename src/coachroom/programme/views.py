"""The home page: for each role a person holds, what to do next."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import render

from coachroom.accounts.access import current_membership
from coachroom.accounts.models import CoachingRelationship, Membership, School
from coachroom.http import AuthedRequest


def home(request: AuthedRequest) -> HttpResponse:
    membership = current_membership(request)
    context: dict[str, Any] = {"membership": membership}
    if membership is None:
        context["trust_schools"] = _trust_overview(request)
        return render(request, "programme/home.html", context)
    school = membership.school
    pairs = (
        CoachingRelationship.objects.for_school(school)
        .current()
        .select_related("coach", "coachee", "academic_year")
    )
    context["my_coaches"] = [p for p in pairs.filter(coachee=request.user)]
    if membership.is_coach:
        context["my_coachees"] = list(pairs.filter(coach=request.user))
    if membership.is_leader:
        context["school_figures"] = _school_figures(school)
    if membership.is_school_admin:
        context["setup"] = _setup_checklist(school)
    return render(request, "programme/home.html", context)


def _school_figures(school: School) -> dict[str, int]:
    """Activity counts for leaders. Counts only: no names of coachees, no notes."""
    staff = Membership.objects.active().for_school(school)
    figures = staff.aggregate(
        staff=Count("pk"),
        coaches=Count("pk", filter=Q(is_coach=True)),
        ects=Count("pk", filter=Q(is_ect=True)),
    )
    current = CoachingRelationship.objects.for_school(school).current()
    figures["pairs"] = current.count()
    figures["coached_teachers"] = current.values("coachee").distinct().count()
    figures["uncoached_teachers"] = (
        staff.filter(is_teacher=True).exclude(user__in=current.values("coachee")).count()
    )
    return figures


def _setup_checklist(school: School) -> list[dict[str, Any]]:
    has_year = school.academic_years.exists()
    staff = Membership.objects.for_school(school).active()
    return [
        {"label": "Add this year's term dates", "done": has_year, "url": "accounts:year-list"},
        {"label": "Invite your staff", "done": staff.count() > 1, "url": "accounts:staff-list"},
        {
            "label": "Name at least one coach",
            "done": staff.filter(is_coach=True).exists(),
            "url": "accounts:staff-list",
        },
        {
            "label": "Pair coaches with teachers",
            "done": CoachingRelationship.objects.for_school(school).exists(),
            "url": "accounts:pair-list",
        },
    ]


def _trust_overview(request: AuthedRequest) -> list[dict[str, Any]]:
    """Trust admins see each school's counts across the trust, never names or notes."""
    schools = (
        School.objects.filter(trust__admins=request.user)
        .annotate(
            staff=Count("memberships", filter=Q(memberships__is_active=True), distinct=True),
            pairs=Count("relationships", filter=Q(relationships__ended_on=None), distinct=True),
        )
        .order_by("name")
    )
    return [{"school": s, "staff": s.staff, "pairs": s.pairs} for s in schools]
