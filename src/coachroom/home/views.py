"""The home page: for each role a person holds, what to do next."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, Q
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from coachroom.accounts.access import current_membership
from coachroom.accounts.models import CoachingRelationship, Membership, School, User
from coachroom.accounts.viewer import coached_pairs
from coachroom.coaching import needs_you
from coachroom.coaching.models import (
    ACTIVE_STATES,
    REPORTED_STATES,
    ActionStep,
    FeedbackMeeting,
    Observation,
    StepState,
)
from coachroom.coaching.step_actions import step_actions
from coachroom.core.http import AuthedRequest
from coachroom.scheduling.models import ScheduledSlot, SessionOccurrence
from coachroom.scheduling.services import upcoming_for_coachee

SHOWN_STATES = [*ACTIVE_STATES, StepState.SECURED]


@dataclass
class CoacheeRow:
    pair: CoachingRelationship
    step: ActionStep | None
    last_seen: dt.datetime | None
    draft_id: int | None
    review_overdue: bool
    unseen_too_long: bool
    steps: list[ActionStep]  # every active or secured step of the pair, oldest first


@require_GET
def home(request: AuthedRequest) -> HttpResponse:
    membership = current_membership(request)
    if membership is None:
        context = {"membership": None, "trust_schools": _trust_overview(request)}
        return render(request, "home/home.html", context)
    return render(request, "home/home.html", _home_context(request, membership))


def _home_context(request: AuthedRequest, membership: Membership) -> dict[str, Any]:
    context: dict[str, Any] = {"membership": membership}
    school = membership.school
    if membership.is_coach:
        rows = _coachee_rows(school, request.user)
        context["coachees"] = rows
        overdue = list(
            SessionOccurrence.objects.for_school(school)
            .filter(coach=request.user)
            .overdue()
            .select_related("relationship__coachee")
            .order_by("starts_at")[:5]
        )
        context["needs_you"] = needs_you.for_coach(
            school=school,
            coach=request.user,
            steps=[step for row in rows for step in row.steps],
            pair_ids=[row.pair.pk for row in rows],
            sessions=overdue,
        )
    if membership.is_teacher:
        context.update(_teacher_panel(school, request.user))
    if membership.is_leader:
        context["school_figures"] = _school_figures(school)
    if membership.is_school_admin:
        setup = _setup_checklist(school)
        if not all(item["done"] for item in setup):
            context["setup"] = setup
    return context


def _latest_steps(steps: Any) -> dict[int, ActionStep]:
    """The newest active-or-secured step of each pair."""
    latest: dict[int, ActionStep] = {}
    for step in sorted(steps, key=lambda s: (s.created_at, s.pk)):
        if step.relationship_id not in latest or step.is_active:
            latest[step.relationship_id] = step
    return latest


def _coachee_rows(school: School, coach: User) -> list[CoacheeRow]:
    submitted = Q(observations__status=Observation.Status.SUBMITTED)
    pairs = list(
        coached_pairs(coach)
        .filter(school=school)
        .select_related("coachee")
        .annotate(
            last_seen=Max("observations__observed_at", filter=submitted),
            draft_id=Max("observations__pk", filter=Q(observations__status="draft")),
        )
        .order_by("coachee__last_name", "coachee__first_name")
    )
    pair_by_pk = {p.pk: p for p in pairs}
    by_pair: dict[int, list[ActionStep]] = {p.pk: [] for p in pairs}
    for each in ActionStep.objects.filter(
        relationship__in=list(by_pair), state__in=SHOWN_STATES
    ).order_by("created_at", "pk"):
        each.relationship = pair_by_pk[each.relationship_id]  # its coachee is already loaded
        by_pair[each.relationship_id].append(each)
    steps = _latest_steps(s for pair_steps in by_pair.values() for s in pair_steps)
    today = timezone.localdate()
    unseen_after = dt.timedelta(weeks=school.unseen_weeks_alert)
    rows = []
    for pair in pairs:
        step = steps.get(pair.pk)
        last_seen = pair.last_seen
        since = timezone.localdate(last_seen) if last_seen else pair.started_on
        rows.append(
            CoacheeRow(
                pair=pair,
                step=step,
                last_seen=last_seen,
                draft_id=pair.draft_id,
                review_overdue=bool(
                    step and step.in_practice and step.review_due and step.review_due < today
                ),
                unseen_too_long=today - since > unseen_after,
                steps=by_pair[pair.pk],
            )
        )
    return rows


def _teacher_panel(school: School, teacher: User) -> dict[str, Any]:
    pairs = list(
        CoachingRelationship.objects.for_school(school)
        .current()
        .filter(coachee=teacher)
        .select_related("coach")
    )
    steps = ActionStep.objects.filter(
        school=school, teacher=teacher, state__in=SHOWN_STATES
    ).select_related("relationship__coach")
    awaiting = FeedbackMeeting.objects.filter(
        school=school, teacher=teacher, reflection=""
    ).order_by("-held_at")
    return {
        "my_sessions": upcoming_for_coachee(teacher, school, limit=3),
        "my_coaches": pairs,
        "my_steps": [
            step_actions(step, teacher)
            for step in sorted(
                _latest_steps(steps).values(), key=lambda s: s.created_at, reverse=True
            )
        ],
        "awaiting_reflection": list(awaiting[:3]),
    }


def _school_figures(school: School) -> dict[str, Any]:
    """Activity counts for leaders. Counts only: no names of coachees, no notes."""
    staff = Membership.objects.active().for_school(school)
    figures: dict[str, Any] = staff.aggregate(
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
    by_state = dict(
        ActionStep.objects.for_school(school)
        .values_list("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    # the programme dashboard counts the same states, in the same words
    figures["steps"] = [(state.label, by_state.get(state, 0)) for state in REPORTED_STATES]
    figures["stuck"] = ActionStep.objects.for_school(school).filter(stuck_at__isnull=False).count()
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
        {
            "label": "Timetable drop-in and meeting slots",
            "done": ScheduledSlot.objects.filter(school=school).exists(),
            "url": "scheduling:team-schedule",
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
