"""The home page: for each role a person holds, what to do next.

The coach's and teacher's panels read coaching records only through the privacy gate
(`visible_to(viewer)`, coaching/policy.py), with the request's `Viewer` so the rule costs no
subqueries, and filter by pair so the database searches the pair's rows, not the school's.
Every list is bounded: its first few rows, then how many more (or that there are more) with a
link to where the rest are; the coach's coachees are their caseload, all shown. Queries do not
grow with the data (tests/home/test_home.py): for a coach who also teaches, the viewer's
pairs, the pairs on the page, one query for every step shown, drop-in dates, overdue sessions,
unread reflections, upcoming sessions and meetings awaiting a reflection. At trust scale the
Python (building the ORM's queries and rows, then the template) costs far more than the SQL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Max, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from coachroom.accounts.access import current_membership
from coachroom.accounts.models import CoachingRelationship, Membership, School
from coachroom.accounts.viewer import Viewer, viewer_of
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
from coachroom.core.offline import offline_page
from coachroom.reporting.models import StepCount
from coachroom.scheduling.models import ScheduledSlot, SessionOccurrence
from coachroom.scheduling.tapering.panel import needing_attention

SHOWN_STATES = [*ACTIVE_STATES, StepState.SECURED]
SESSIONS_SHOWN = 5  # overdue sessions in "Needs you"; the rest are on the week page
MY_SESSIONS_SHOWN = 3  # a teacher's next sessions; the rest are on "Your sessions"
MY_STEPS_SHOWN = 3  # a teacher's newest steps, one per pair; the rest are on their timeline
AWAITING_SHOWN = 3  # meetings awaiting the teacher's reflection; the rest on their timeline
# What the home page shows of a step: no success criteria, no reasons.
STEP_FIELDS = (
    "school_id",
    "teacher_id",
    "relationship_id",
    "title",
    "state",
    "proposed_by_id",
    "teacher_confirmed",
    "coach_confirmed",
    "review_due",
    "stick_check_due",
    "stuck_at",
    "created_at",
)


# What the page shows of a pair and its people: names, not passwords or sign-in dates.
PEOPLE = ("first_name", "last_name", "email")
PAIR_FIELDS = (
    "school_id",
    "coach_id",
    "coachee_id",
    "kind",
    "cadence",
    "history_shared",
    "started_on",
    "ended_on",
    *(f"coachee__{f}" for f in PEOPLE),
    *(f"coach__{f}" for f in PEOPLE),
)


@dataclass
class CoacheeRow:
    pair: CoachingRelationship
    step: ActionStep | None
    last_seen: dt.datetime | None
    draft_id: int | None
    review_overdue: bool
    unseen_too_long: bool
    steps: list[ActionStep]  # the pair's steps the page needs, oldest first
    urls: RowUrls


@dataclass(frozen=True)
class RowUrls:
    timeline: str
    drop_in: str
    meeting: str
    step: str | None


def _url_for(name: str) -> Callable[[int], str]:
    """A URL with one integer argument, reversed once for a list of rows: each row fills in
    its own pk (reversing per row was a fifth of the coach's home page's rendering)."""
    marker = 2_147_483_647
    head, tail = reverse(name, args=[marker]).split(str(marker))
    return lambda pk: f"{head}{pk}{tail}"


@offline_page  # the coach's home is where the installed app starts, online or not
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
    viewer = viewer_of(request)
    if membership.is_coach or membership.is_teacher:
        context.update(_coaching_panels(viewer, membership))
    if membership.is_leader:
        context["school_figures"] = _school_figures(school)
    if membership.is_school_admin:
        setup = _setup_checklist(school)
        if not all(item["done"] for item in setup):
            context["setup"] = setup
    return context


def _coaching_panels(viewer: Viewer, membership: Membership) -> dict[str, Any]:
    """The coach's coachees and "Needs you", and the teacher's own coaching: one query for the
    pairs and one for the steps of both panels."""
    school, me = membership.school, viewer.user
    coached = (
        sorted(p.pk for p in viewer.coached_pair_rows if p.school_id == school.pk)
        if membership.is_coach
        else []
    )
    # the teacher's pairs, ended ones too: their steps name the coach (few: one a year)
    mine = Q(coachee=me) if membership.is_teacher else Q(pk__in=[])
    pairs = list(
        CoachingRelationship.objects.for_school(school)
        .filter(Q(pk__in=coached) | mine)
        .select_related("coachee", "coach")
        .only(*PAIR_FIELDS)
        .order_by("coachee__last_name", "coachee__first_name", "pk")
    )
    steps = _steps_shown(viewer, school, coached, mine=membership.is_teacher)
    context: dict[str, Any] = {}
    if membership.is_coach:
        coached_set = set(coached)
        coachee_pairs = [p for p in pairs if p.pk in coached_set]
        context.update(_coach_panel(viewer, school, coachee_pairs, steps))
    if membership.is_teacher:
        my_pairs = [p for p in pairs if p.coachee_id == me.pk]
        context.update(_teacher_panel(viewer, school, my_pairs, steps))
    return context


def _steps_shown(
    viewer: Viewer, school: School, coached: list[int], *, mine: bool
) -> list[ActionStep]:
    """The steps both panels need, through the gate, oldest first: each pair's active steps
    (the school caps how many), its newest secured step, and secured steps whose stick-check
    falls due by the end of the week. Steps secured long ago stay on the timelines."""
    if not coached and not mine:
        return []
    newest = Window(
        RowNumber(),
        partition_by=[F("relationship_id"), F("state")],
        order_by=[F("created_at").desc(), F("pk").desc()],
    )
    week_end = needs_you.end_of_week(timezone.localdate())
    # the pairs are in this school already; the teacher's own steps are narrowed to it
    whose = Q(relationship__in=coached) | (
        Q(teacher=viewer.user, school=school) if mine else Q(pk__in=[])
    )
    return list(
        ActionStep.objects.visible_to(viewer)
        .filter(whose, state__in=SHOWN_STATES)
        .only(*STEP_FIELDS)
        .annotate(newest=newest)
        .filter(
            Q(state__in=ACTIVE_STATES)
            | Q(newest=1)
            | Q(stuck_at__isnull=True, stick_check_due__lte=week_end)
        )
        .order_by("created_at", "pk")
    )


def _latest_steps(steps: Any) -> dict[int, ActionStep]:
    """The newest active-or-secured step of each pair (an active one first)."""
    latest: dict[int, ActionStep] = {}
    for step in sorted(steps, key=lambda s: (s.created_at, s.pk)):
        if step.relationship_id not in latest or step.is_active:
            latest[step.relationship_id] = step
    return latest


def _coach_panel(
    viewer: Viewer, school: School, pairs: list[CoachingRelationship], steps: list[ActionStep]
) -> dict[str, Any]:
    pair_by_pk = {p.pk: p for p in pairs}
    by_pair: dict[int, list[ActionStep]] = {p.pk: [] for p in pairs}
    for step in steps:
        if step.relationship_id in by_pair:
            step.relationship = pair_by_pk[step.relationship_id]  # coachee already loaded
            by_pair[step.relationship_id].append(step)
    overdue = list(
        SessionOccurrence.objects.for_school(school)
        .filter(coach=viewer.user)
        .overdue()
        .select_related("relationship__coachee")
        .only(
            "kind",
            "starts_at",
            "relationship__coachee_id",
            *(f"relationship__coachee__{f}" for f in PEOPLE),
        )
        .order_by("starts_at", "pk")[: SESSIONS_SHOWN + 1]  # one more tells there are more
    )
    rows = _coachee_rows(viewer, school, pairs, by_pair)
    return {
        "coachees": rows,
        "needs_you": needs_you.for_coach(
            coach=viewer,
            steps=[step for row in rows for step in row.steps],
            pair_ids=list(pair_by_pk),
            sessions=overdue[:SESSIONS_SHOWN],
            more_sessions=len(overdue) > SESSIONS_SHOWN,
            rhythm=needing_attention(viewer.user.pk, pairs, school),
        ),
    }


def _coachee_rows(
    viewer: Viewer,
    school: School,
    pairs: list[CoachingRelationship],
    by_pair: dict[int, list[ActionStep]],
) -> list[CoacheeRow]:
    seen = {
        row["relationship"]: row
        for row in Observation.objects.visible_to(viewer)
        .filter(relationship__in=list(by_pair))  # pairs in this school: their index, not its
        .values("relationship")
        .annotate(
            last_seen=Max("observed_at", filter=Q(status=Observation.Status.SUBMITTED)),
            draft_id=Max("pk", filter=Q(status=Observation.Status.DRAFT)),
        )
        .order_by()
    }
    steps = _latest_steps(s for pair_steps in by_pair.values() for s in pair_steps)
    today = timezone.localdate()
    unseen_after = dt.timedelta(weeks=school.unseen_weeks_alert)
    timeline, drop_in = _url_for("coaching:timeline"), _url_for("coaching:drop-in-start")
    meeting, step_url = _url_for("coaching:meeting-new"), _url_for("coaching:step-detail")
    rows = []
    for pair in pairs:
        step = steps.get(pair.pk)
        last_seen = seen.get(pair.pk, {}).get("last_seen")
        since = timezone.localdate(last_seen) if last_seen else pair.started_on
        rows.append(
            CoacheeRow(
                pair=pair,
                step=step,
                last_seen=last_seen,
                draft_id=seen.get(pair.pk, {}).get("draft_id"),
                review_overdue=bool(
                    step and step.in_practice and step.review_due and step.review_due < today
                ),
                unseen_too_long=today - since > unseen_after,
                steps=by_pair[pair.pk],
                urls=RowUrls(
                    timeline=timeline(pair.coachee_id),
                    drop_in=drop_in(pair.pk),
                    meeting=meeting(pair.pk),
                    step=step_url(step.pk) if step else None,
                ),
            )
        )
    return rows


def _teacher_panel(
    viewer: Viewer, school: School, pairs: list[CoachingRelationship], steps: list[ActionStep]
) -> dict[str, Any]:
    """The teacher's own coaching: their newest steps (one per pair, ended pairs too), next
    sessions and meetings awaiting their reflection, each bounded, with links to the full
    lists. `pairs` are all the teacher's pairs in the school, their coaches loaded."""
    me = viewer.user
    pair_by_pk = {p.pk: p for p in pairs}
    own = [s for s in steps if s.teacher_id == me.pk and s.relationship_id in pair_by_pk]
    newest = sorted(_latest_steps(own).values(), key=lambda s: (s.created_at, s.pk), reverse=True)
    for step in newest:
        step.relationship = pair_by_pk[step.relationship_id]  # its coach is already loaded
    awaiting = list(_awaiting_reflection(viewer, school)[: AWAITING_SHOWN + 1])
    return {
        "my_sessions": list(
            SessionOccurrence.objects.for_school(school)
            .filter(relationship__coachee=me, starts_at__gte=timezone.now())
            .planned()
            .only("kind", "starts_at")
            .order_by("starts_at", "pk")[:MY_SESSIONS_SHOWN]
        ),
        "my_coaches": [p for p in pairs if p.is_current],
        "my_steps": [step_actions(step, me) for step in newest[:MY_STEPS_SHOWN]],
        "more_my_steps": max(len(newest) - MY_STEPS_SHOWN, 0),
        "awaiting_reflection": awaiting[:AWAITING_SHOWN],
        "more_awaiting_reflection": len(awaiting) > AWAITING_SHOWN,
        "my_rhythm": needing_attention(me.pk, pairs, school),
    }


def _awaiting_reflection(viewer: Viewer, school: School) -> QuerySet[FeedbackMeeting]:
    """The teacher's held meetings with no reflection yet, newest first: dates, not notes."""
    return (
        FeedbackMeeting.objects.visible_to(viewer)
        .filter(school=school, teacher=viewer.user, reflection="")
        .only("pk", "held_at")
        .order_by("-held_at", "-pk")
    )


def _school_figures(school: School) -> dict[str, Any]:
    """Activity counts for leaders. Counts only: no names of coachees, no notes."""
    current = CoachingRelationship.objects.for_school(school).current()
    coached = Q(user__in=current.values("coachee"))
    figures: dict[str, Any] = (
        Membership.objects.active()
        .for_school(school)
        .aggregate(
            staff=Count("pk"),
            coaches=Count("pk", filter=Q(is_coach=True)),
            ects=Count("pk", filter=Q(is_ect=True)),
            uncoached_teachers=Count("pk", filter=Q(is_teacher=True) & ~coached),
        )
    )
    figures |= current.aggregate(
        pairs=Count("pk"), coached_teachers=Count("coachee", distinct=True)
    )
    # counters kept by the writes (reporting/models.py): no step is read here
    by_state: dict[str, int] = {}
    figures["stuck"] = 0
    for state, n, stuck in StepCount.objects.filter(school=school).values_list(
        "state", "steps", "stuck"
    ):
        by_state[state] = n
        figures["stuck"] += stuck
    # the programme dashboard counts the same states, in the same words
    figures["steps"] = [(state.label, by_state.get(state, 0)) for state in REPORTED_STATES]
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
