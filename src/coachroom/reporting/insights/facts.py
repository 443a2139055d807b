"""One row of facts per action step, for Insights and the research export: what the pair was
like, how the step was set up and followed up, and what became of it. Counts and dates only:
no names, no text.

A step counts once it was agreed (a proposal nobody took up says nothing about what works), in
any kind of pair except self-coaching (no coach, so no pair to compare). Every read goes
through `activity_in`, which defers the free-text columns; the number of queries does not grow
with the number of steps (two more for each school's calendar).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, Min
from django.utils import timezone

from coachroom.accounts.calendar import SchoolCalendar
from coachroom.accounts.models import CoachingRelationship, Membership, School
from coachroom.coaching.goals.models import Goal
from coachroom.coaching.models import (
    ActionStep,
    FeedbackMeeting,
    StepEvidence,
    StepState,
    StepTransition,
)
from coachroom.library.models import Priority

SCHOOL_DAYS_A_WEEK = 5
ENDED = (StepState.SUPERSEDED, StepState.WITHDRAWN, StepState.ARCHIVED)
# Meetings held per school week over a pair's time together: at least 0.75 is weekly, at least
# 0.375 fortnightly (a missed week or two either way does not move a pair between bands).
WEEKLY_AT_LEAST, FORTNIGHTLY_AT_LEAST = 0.75, 0.375
MIN_WEEKS_FOR_CADENCE = 2  # a pair together less than two school weeks has no cadence yet


@dataclass
class StepFacts:
    """A step, its pair and its outcome. `None` means "not known", never "no"."""

    step_id: int
    school_id: int
    academic_year_id: int
    relationship_id: int
    teacher_id: int
    coach_id: int
    pair_kind: str
    agreed_on: dt.date
    # outcome
    secured_on: dt.date | None = None
    followed_until: dt.date | None = None  # when we stopped watching (ended or today)
    weeks_to_secure: float | None = None  # school weeks from agreed to first secured
    weeks_followed: float = 0.0  # school weeks watched: to secured, or to followed_until
    stuck: bool | None = None  # the re-check's answer; None: not re-checked yet
    # the pair
    same_subject: bool | None = None
    same_phase: bool | None = None
    line_manager: bool | None = None
    cadence_achieved: str | None = None  # weekly | fortnightly | less
    # the step
    priority_aligned: bool = False
    teacher_proposed: bool = False
    from_library: bool = False
    rehearsal_rounds: int | None = None  # the most rounds in one meeting about the step
    days_drop_in_to_meeting: int | None = None  # for the meeting that set the step
    days_to_reobservation: int | None = None  # agreed → first drop-in that looked for it

    @property
    def secured(self) -> bool:
        return self.secured_on is not None


@dataclass
class _Context:
    today: dt.date
    calendars: dict[int, SchoolCalendar] = field(default_factory=dict)

    def school_weeks(self, school_id: int, start: dt.date, end: dt.date) -> float:
        days = self.calendars[school_id].school_days_between(start, end) if end > start else 0
        return days / SCHOOL_DAYS_A_WEEK


def step_facts(schools: Sequence[School], *, today: dt.date | None = None) -> list[StepFacts]:
    """Every agreed step in these schools, every year, oldest first."""
    ctx = _Context(today=today or timezone.localdate())
    ctx.calendars = {s.pk: s.calendar(from_date=dt.date.min) for s in schools}
    ids = [s.pk for s in schools]
    rows = list(
        ActionStep.objects.activity_in(ids)
        .filter(agreed_at__isnull=False)
        .exclude(relationship__kind=CoachingRelationship.Kind.SELF)
        .order_by("agreed_at", "pk")
        .values(
            "pk",
            "school_id",
            "teacher_id",
            "proposed_by_id",
            "library_step_id",
            "library_step__strand_id",
            "relationship_id",
            "relationship__coach_id",
            "relationship__kind",
            "relationship__academic_year_id",
            "relationship__coach_is_line_manager",
            "agreed_at",
        )
    )
    facts = [_base(row) for row in rows]
    if not facts:
        return []
    _outcomes(ctx, ids, facts)
    _pairs(ctx, ids, facts)
    _priorities(ids, facts, rows)
    _meetings(ids, facts)
    _reobservation(ids, facts)
    return facts


def _base(row: Mapping[str, Any]) -> StepFacts:
    agreed_at: dt.datetime = row["agreed_at"]  # never None: only agreed steps are read
    return StepFacts(
        step_id=row["pk"],
        school_id=row["school_id"],
        academic_year_id=row["relationship__academic_year_id"],
        relationship_id=row["relationship_id"],
        teacher_id=row["teacher_id"],
        coach_id=row["relationship__coach_id"],
        pair_kind=row["relationship__kind"],
        agreed_on=timezone.localdate(agreed_at),
        line_manager=row["relationship__coach_is_line_manager"],
        teacher_proposed=row["proposed_by_id"] == row["teacher_id"],
        from_library=row["library_step_id"] is not None,
    )


def _outcomes(ctx: _Context, ids: list[int], facts: list[StepFacts]) -> None:
    """First secured, the re-check's answer, and when a step left the cycle unsecured."""
    by_step = {f.step_id: f for f in facts}
    moves = (
        StepTransition.objects.activity_in(ids)
        .filter(step__in=list(by_step))
        .filter(to_state__in=[StepState.SECURED, StepState.REOPENED, *ENDED])
        .order_by("at", "pk")
        .values_list("step_id", "event", "from_state", "to_state", "at")
    )
    ended: dict[int, dt.date] = {}
    for step_id, event, from_state, to_state, at in moves:
        f = by_step[step_id]
        day = timezone.localdate(at)
        if event == "secured" and f.secured_on is None:
            f.secured_on = day
        elif event == "stuck" and f.stuck is None:
            f.stuck = True
        elif to_state == StepState.REOPENED and from_state == StepState.SECURED:
            if f.stuck is None:  # the re-check (or the teacher) found it had slipped
                f.stuck = False
        elif to_state in ENDED:
            ended.setdefault(step_id, day)
    for f in facts:
        f.followed_until = f.secured_on or ended.get(f.step_id, ctx.today)
        f.weeks_followed = ctx.school_weeks(f.school_id, f.agreed_on, f.followed_until)
        if f.secured_on is not None:
            f.weeks_to_secure = f.weeks_followed


def _subjects(text: str) -> set[str]:
    return {s.strip().lower() for s in text.split(",") if s.strip()}


def _pairs(ctx: _Context, ids: list[int], facts: list[StepFacts]) -> None:
    """Same subject / phase (from each person's membership in the school), cadence achieved."""
    taught: dict[tuple[int, int], tuple[set[str], str]] = {
        (user_id, school_id): (_subjects(subjects), phase)
        for user_id, school_id, subjects, phase in Membership.objects.filter(
            school__in=ids
        ).values_list("user_id", "school_id", "subjects", "phase")
    }
    for f in facts:
        coach = taught.get((f.coach_id, f.school_id), (set(), ""))
        teacher = taught.get((f.teacher_id, f.school_id), (set(), ""))
        if coach[0] and teacher[0]:
            f.same_subject = bool(coach[0] & teacher[0])
        if coach[1] and teacher[1]:
            f.same_phase = coach[1] == teacher[1]
    cadence = _cadence_by_pair(ctx, {f.relationship_id for f in facts})
    for f in facts:
        f.cadence_achieved = cadence.get(f.relationship_id)


def _cadence_by_pair(ctx: _Context, pair_ids: Iterable[int]) -> dict[int, str]:
    pairs = CoachingRelationship.objects.filter(pk__in=list(pair_ids)).values_list(
        "pk", "school_id", "started_on", "ended_on", "academic_year__ends_on"
    )
    held = dict(
        FeedbackMeeting.objects.activity_in(list({p[1] for p in pairs}))
        .filter(relationship__in=[p[0] for p in pairs])
        .values_list("relationship_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    bands: dict[int, str] = {}
    for pk, school_id, started, ended, year_end in pairs:
        until = min(d for d in (ended, year_end, ctx.today) if d is not None)
        weeks = ctx.school_weeks(school_id, started - dt.timedelta(days=1), until)
        if weeks < MIN_WEEKS_FOR_CADENCE:
            continue
        per_week = held.get(pk, 0) / weeks
        bands[pk] = (
            "weekly"
            if per_week >= WEEKLY_AT_LEAST
            else "fortnightly"
            if per_week >= FORTNIGHTLY_AT_LEAST
            else "less"
        )
    return bands


def _priorities(ids: list[int], facts: list[StepFacts], rows: Sequence[Mapping[str, Any]]) -> None:
    """A step serves a whole-school priority when its library step is linked to one of its
    year's priorities or sits in one of their strands (as on the priority report), or when a
    goal it serves names a priority. Anything else is the teacher's own focus."""
    priorities = Priority.objects.filter(school__in=ids).values_list("pk", "academic_year_id")
    year_of = dict(priorities)
    linked: dict[int, set[tuple[str, int]]] = defaultdict(set)  # year → {("step"|"strand", id)}
    for priority_id, step_id in Priority.library_steps.through.objects.filter(
        priority_id__in=list(year_of)
    ).values_list("priority_id", "librarystep_id"):
        linked[year_of[priority_id]].add(("step", step_id))
    for priority_id, strand_id in Priority.strands.through.objects.filter(
        priority_id__in=list(year_of)
    ).values_list("priority_id", "strand_id"):
        linked[year_of[priority_id]].add(("strand", strand_id))
    via_goal = set(
        Goal.steps.through.objects.filter(
            goal__school__in=ids, goal__priority__isnull=False
        ).values_list("actionstep_id", flat=True)
    )
    for f, row in zip(facts, rows, strict=True):
        year = linked.get(f.academic_year_id, set())
        f.priority_aligned = (
            f.step_id in via_goal
            or ("step", row["library_step_id"]) in year
            or ("strand", row["library_step__strand_id"]) in year
        )


def _meetings(ids: list[int], facts: list[StepFacts]) -> None:
    """Rehearsal rounds (the most in any one meeting about the step) and, for the first
    meeting about it, the days since the drop-in it followed."""
    by_step = {f.step_id: f for f in facts}
    meetings = (
        FeedbackMeeting.objects.activity_in(ids)
        .filter(step__in=list(by_step))
        .annotate(
            n_rounds=Count("rounds", distinct=True), last_drop_in=Max("observations__observed_at")
        )
        .order_by("held_at", "pk")
        .values_list("step_id", "held_at", "n_rounds", "last_drop_in")
    )
    for step_id, held_at, n_rounds, last_drop_in in meetings:
        f = by_step[step_id]
        first = f.rehearsal_rounds is None
        f.rehearsal_rounds = max(f.rehearsal_rounds or 0, n_rounds)
        if first and last_drop_in is not None:
            gap = timezone.localdate(held_at) - timezone.localdate(last_drop_in)
            f.days_drop_in_to_meeting = max(gap.days, 0)


def _reobservation(ids: list[int], facts: list[StepFacts]) -> None:
    by_step = {f.step_id: f for f in facts}
    first_look = (
        StepEvidence.objects.filter(school__in=ids, step__in=list(by_step))
        .values_list("step_id")
        .annotate(first=Min("observation__observed_at"))
        .order_by()
    )
    for step_id, first in first_look:
        f = by_step[step_id]
        f.days_to_reobservation = max((timezone.localdate(first) - f.agreed_on).days, 0)
