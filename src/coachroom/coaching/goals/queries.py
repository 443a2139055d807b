"""Whole-school priorities and Impact Cycle goals: who may reach them, the priority report,
the goal readings chart, and the soft check for text that may name a pupil.

Priorities are school business: every member sees them, coaching leads and school admins
manage them, and leaders (lead, admin, senior leader) see the report, which holds counts only.

Goals are coaching records. `Goal.objects.visible_to()` applies the one privacy rule in
`coaching/policy.py`: the teacher, the coach of the pair (and a current coach the teacher shares
history with), and the coaching lead only when the school lets leads read all records. Everyone
else gets the same 404 as for a goal that does not exist; readers who are not the teacher or the
pair's coach get 403 on writes.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from coachroom.accounts.access import member_required
from coachroom.accounts.models import (
    AcademicYear,
    CoachingRelationship,
    Membership,
    Role,
    School,
    User,
)
from coachroom.accounts.viewer import MemberRequest, coached_pairs
from coachroom.coaching.access import get_teacher_for_timeline
from coachroom.coaching.goals.models import Goal, GoalReading
from coachroom.coaching.models import ActionStep, StepState
from coachroom.core.charts import CHAR_W, LEFT, PLOT_H, PLOT_W, TOP, _fmt, _frame, _nice_step
from coachroom.core.http import AuthedRequest
from coachroom.library.models import Priority, Strand

# Access: priorities ------------------------------------------------------------------------------

MANAGER_ROLES = (Role.COACHING_LEAD, Role.SCHOOL_ADMIN)
REPORT_ROLES = (Role.COACHING_LEAD, Role.SCHOOL_ADMIN, Role.SENIOR_LEADER)

any_member = member_required()
manager_required = member_required(*MANAGER_ROLES)
report_viewer_required = member_required(*REPORT_ROLES)


def can_manage_priorities(membership: Membership) -> bool:
    return any(membership.has_role(role) for role in MANAGER_ROLES)


def get_priority_for_manager(request: MemberRequest, pk: int) -> Priority:
    """A priority of the manager's current school; any other is a 404."""
    qs = Priority.objects.for_school(request.membership.school).select_related(
        "academic_year", "problem"
    )
    return get_object_or_404(qs, pk=pk)


# Access: goals -----------------------------------------------------------------------------------


def is_goal_party(goal: Goal, user: User) -> bool:
    """The teacher, or the coach of the goal's pair: the two people who write the goal."""
    return user.pk in (goal.teacher_id, goal.relationship.coach_id)


def get_goal_for_user(request: AuthedRequest, pk: int) -> Goal:
    qs = Goal.objects.visible_to(request.user).select_related(
        "school", "teacher", "relationship", "relationship__coach", "priority"
    )
    return get_object_or_404(qs, pk=pk)


def get_goal_for_party(request: AuthedRequest, pk: int) -> Goal:
    """A goal the signed-in person may change; other readers get 403."""
    goal = get_goal_for_user(request, pk)
    if not is_goal_party(goal, request.user):
        raise PermissionDenied("Only the teacher and their coach change a goal.")
    return goal


def _party_pairs(viewer: User) -> Q:
    """Pairs the person coaches (while they hold the Coach role there) or is coached in."""
    schools = Membership.objects.active().filter(user=viewer).values("school")
    return Q(pk__in=coached_pairs(viewer).values("pk")) | Q(coachee=viewer, school__in=schools)


def get_pair_for_party(request: AuthedRequest, pk: int) -> CoachingRelationship:
    """A current pair in which the signed-in person is the coach or the teacher."""
    qs = (
        CoachingRelationship.objects.current()
        .filter(_party_pairs(request.user))
        .select_related("school", "coach", "coachee", "academic_year")
    )
    return get_object_or_404(qs, pk=pk)


def pairs_for_new_goal(
    viewer: User, *, teacher: User, school: School
) -> list[CoachingRelationship]:
    """The teacher's current pairs at `school` in which the viewer may start a goal."""
    qs = (
        CoachingRelationship.objects.current()
        .for_school(school)
        .filter(_party_pairs(viewer), coachee=teacher)
        .select_related("coach")
        .order_by("coach__last_name", "coach__first_name", "pk")
    )
    return list(qs)


def get_teacher_for_goals(request: AuthedRequest, pk: int) -> tuple[User, School]:
    """The teacher and school whose goals the viewer may list (the rule of `visible_to`):
    the teacher, a current coach, or a coaching lead where leads may read every record."""
    return get_teacher_for_timeline(request, pk, leads_need_full_access=True)


# Text that may name a pupil ----------------------------------------------------------------------

_CAPITALISED = re.compile(r"^[A-Z][a-z]+(?:['’-][A-Za-z]+)*$")
_SENTENCE_END = re.compile(r"[.!?…]$")
_BREAK = re.compile(r"[,;:()\[\]/]$")
_WRAPPING = "\"'“”‘’([{"
# Capitalised words that schools write every day and that are not names.
_NOT_NAMES = frozenset(
    """
    Year Years Key Stage Set Group Class Form Term Half Autumn Spring Summer Reception Nursery
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June
    July August September October November December English Maths Mathematics Science Physics
    Chemistry Biology History Geography French Spanish German Latin Art Music Drama Computing
    Religious Education Design Technology Physical Personal Social Health Economic Citizenship
    Phonics Early Years Foundation Stage Lesson Period Do Now Exit Ticket Hinge Question
    """.split()  # noqa: SIM905 - a word list reads better as words
)


def name_like_phrases(text: str) -> list[str]:
    """Runs of two or more capitalised words that don't start a sentence ("with Jane Smith").

    A cheap, deliberately over-eager check for a soft warning (domain §10): it cannot know a
    name, so the writer decides. Words schools capitalise anyway (Year, Maths, Monday) and
    all-capital abbreviations (SEND, EAL) never count.
    """
    found: list[str] = []
    for line in text.splitlines():
        at_start = True
        run: list[str] = []

        def close(run: list[str]) -> None:
            if len(run) >= 2:
                phrase = " ".join(run)
                if phrase not in found:
                    found.append(phrase)

        for token in line.split():
            word = token.lstrip(_WRAPPING).rstrip(_WRAPPING)
            bare = word.rstrip(".,;:!?…()[]/")
            if _CAPITALISED.match(bare) and bare not in _NOT_NAMES and not at_start:
                run.append(bare)
            else:
                close(run)
                run = []
            if _SENTENCE_END.search(word) or _BREAK.search(word):
                close(run)
                run = []
            at_start = bool(_SENTENCE_END.search(word)) or word in ("-", "–", "•", "*")
        close(run)
    return found


# The goal readings chart -------------------------------------------------------------------------

INNER_PAD = 24  # keep the first and last markers off the axes


def _y_scale(goal: Goal, values: Sequence[float]) -> tuple[float, float]:
    """The top of the y axis and the tick step."""
    if goal.unit == Goal.Unit.PERCENT:
        return 100.0, 25.0
    top = max([*values, 1.0])
    step = _nice_step(math.ceil(top))
    return float(step * math.ceil(top / step)), float(step)


def _short_date(day: dt.date) -> str:
    return f"{day.day} {day:%b}"


def _long_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def readings_chart_context(
    goal: Goal, readings: Sequence[GoalReading], *, chart_id: str = "goal-readings"
) -> dict[str, object]:
    """The geometry of the readings chart: markers joined by a line, with the baseline and
    target as labelled dashed lines (dash patterns and words, never colour alone)."""
    values = [float(r.value) for r in readings]
    refs = [float(v) for v in (goal.baseline, goal.target) if v is not None]
    y_max, step = _y_scale(goal, values + refs)

    def y(value: float) -> float:
        return TOP + PLOT_H - PLOT_H * value / y_max

    first = readings[0].taken_on if readings else None
    last = readings[-1].taken_on if readings else None
    span = (last - first).days if first and last else 0

    def x(day: dt.date) -> float:
        if not span or first is None:
            return LEFT + PLOT_W / 2
        return LEFT + INNER_PAD + (PLOT_W - 2 * INNER_PAD) * (day - first).days / span

    markers = _reading_markers(goal, readings, x, y)
    lines = _reference_lines(goal, y)
    ticks = []
    tick = 0.0
    while tick <= y_max + 1e-9:
        shown = _fmt(tick) + ("%" if goal.unit == Goal.Unit.PERCENT else "")
        ticks.append({"y": _fmt(y(tick)), "text": shown})
        tick += step
    return {
        **_frame(chart_id, f"Readings: {goal.measure}", readings_description(goal, readings)),
        "markers": markers,
        "polyline": " ".join(f"{m['x']},{m['y']}" for m in markers) if len(markers) > 1 else "",
        "lines": lines,
        "legend": _legend(lines),
        "ticks": ticks,
        "x_labels": _x_labels(readings, x),
        "show_values": len(markers) <= 12,
        "y_max": y_max,
    }


def _reading_markers(
    goal: Goal,
    readings: Sequence[GoalReading],
    x: Callable[[dt.date], float],
    y: Callable[[float], float],
) -> list[dict[str, str]]:
    """One marker per reading, its value written above it (below, near the top edge)."""
    markers = []
    for reading in readings:
        px, py = x(reading.taken_on), y(float(reading.value))
        shown = goal.format_value(reading.value)
        markers.append(
            {
                "x": _fmt(px),
                "y": _fmt(py),
                "text": shown,
                "text_y": _fmt(py - 10 if py > TOP + 18 else py + 22),
                "tip": f"{_long_date(reading.taken_on)}: {shown}",
            }
        )
    return markers


def _x_labels(
    readings: Sequence[GoalReading], x: Callable[[dt.date], float]
) -> list[dict[str, str]]:
    """Date labels under the readings, leaving out any that would overlap the one before."""
    x_labels: list[dict[str, str]] = []
    next_free = -math.inf
    for reading in readings:
        label = _short_date(reading.taken_on)
        px = x(reading.taken_on)
        half = (len(label) * CHAR_W + 8) / 2
        if px - half >= next_free:
            x_labels.append({"x": _fmt(px), "text": label})
            next_free = px + half
    return x_labels


def _reference_lines(goal: Goal, y: Callable[[float], float]) -> list[dict[str, object]]:
    """The baseline and target lines, with their labels placed so they never overlap."""
    lines: list[dict[str, object]] = []
    for kind, value, dash in (("baseline", goal.baseline, "3 5"), ("target", goal.target, "10 6")):
        if value is not None:
            lines.append(
                {
                    "kind": kind,
                    "y": y(float(value)),
                    "dash": dash,
                    "text": f"{kind.capitalize()}: {goal.format_value(value)}",
                }
            )
    # Labels sit above their line, unless the two lines are close: then the lower one's
    # label goes underneath, so they never overlap.
    lines.sort(key=lambda line: float(str(line["y"])))
    for index, line in enumerate(lines):
        line_y = float(str(line["y"]))
        below = index == 1 and line_y - float(str(lines[0]["y"])) < 20
        line["text_y"] = _fmt(line_y + 17 if below else line_y - 6)
        line["y"] = _fmt(line_y)
    return lines


def _legend(lines: list[dict[str, object]]) -> list[dict[str, object]]:
    legend = []
    for index, line in enumerate(sorted(lines, key=lambda line: str(line["kind"]))):
        start = LEFT + 120 + 120 * index
        legend.append(
            {
                "kind": line["kind"],
                "dash": line["dash"],
                "x1": start,
                "x2": start + 30,
                "text_x": start + 38,
                "text": str(line["kind"]).capitalize(),
            }
        )
    return legend


def readings_description(goal: Goal, readings: Sequence[GoalReading]) -> str:
    refs = []
    if goal.baseline is not None:
        refs.append(f"baseline {goal.format_value(goal.baseline)}")
    if goal.target is not None:
        refs.append(f"target {goal.format_value(goal.target)}")
    against = f" Against a {' and a '.join(refs)}." if refs else ""
    if not readings:
        return f"No readings of {goal.measure} yet.{against}"
    first, last = readings[0], readings[-1]
    if len(readings) == 1:
        trend = f"one reading, {goal.format_value(first.value)} on {_long_date(first.taken_on)}"
    else:
        trend = (
            f"{len(readings)} readings from {_long_date(first.taken_on)} to "
            f"{_long_date(last.taken_on)}, going from {goal.format_value(first.value)} "
            f"to {goal.format_value(last.value)}"
        )
    return f"{goal.measure}: {trend}.{against} The table that follows gives every reading."


def readings_chart(
    goal: Goal, readings: Sequence[GoalReading], *, chart_id: str = "goal-readings"
) -> SafeString:
    context = readings_chart_context(goal, readings, chart_id=chart_id)
    return render_to_string("components/chart_readings.html", context)


# The priority report -----------------------------------------------------------------------------

# Steps being worked on; proposals count once agreed, superseded and withdrawn steps never.
CURRENT_STATES = (StepState.AGREED, StepState.PRACTISING, StepState.REOPENED, StepState.PAUSED)


@dataclass
class CountRow:
    label: str
    current: int = 0
    secured: int = 0
    priority: Priority | None = None
    is_outside: bool = False

    @property
    def total(self) -> int:
        return self.current + self.secured

    def add(self, state: str, n: int) -> None:
        if state == StepState.SECURED:
            self.secured += n
        else:
            self.current += n


@dataclass
class PriorityReport:
    year: AcademicYear | None
    priorities: list[CountRow] = field(default_factory=list)
    outside: CountRow = field(
        default_factory=lambda: CountRow("Outside the priorities", is_outside=True)
    )
    strands: list[CountRow] = field(default_factory=list)
    totals: CountRow = field(default_factory=lambda: CountRow("All steps"))

    @property
    def priority_rows(self) -> list[CountRow]:
        return [*self.priorities, self.outside]

    @property
    def overlapping(self) -> bool:
        """True when some step counts under more than one priority."""
        inside = sum(row.total for row in self.priorities)
        return inside + self.outside.total > self.totals.total


def priority_report(*, school: School, year: AcademicYear | None) -> PriorityReport:
    """Current and secured action steps this year, by priority and by strand. Counts only.

    A step serves a priority when its library step is linked to the priority, or sits in one
    of the priority's strands; it may serve two. Steps serving none, and steps the pair wrote
    themselves, are "outside the priorities": teachers choose their own focus too.
    Five queries, whatever the number of steps.
    """
    if year is None:
        return PriorityReport(year=None)
    return priority_reports({school: year})[school.pk]


def priority_reports(years: Mapping[School, AcademicYear]) -> dict[int, PriorityReport]:
    """`priority_report` for several schools, each in its own year, by school id: the same
    five queries, whatever the number of schools or steps."""
    if not years:
        return {}
    by_school = {school.pk: year for school, year in years.items()}
    priorities = list(
        Priority.objects.filter(
            reduce(or_, (Q(school=pk, academic_year=year) for pk, year in by_school.items()))
        ).active()
    )
    ids = [p.pk for p in priorities]
    linked_steps: dict[int, set[int]] = {pk: set() for pk in ids}
    linked_strands: dict[int, set[int]] = {pk: set() for pk in ids}
    for priority_id, step_id in Priority.library_steps.through.objects.filter(
        priority_id__in=ids
    ).values_list("priority_id", "librarystep_id"):
        linked_steps[priority_id].add(step_id)
    for priority_id, strand_id in Priority.strands.through.objects.filter(
        priority_id__in=ids
    ).values_list("priority_id", "strand_id"):
        linked_strands[priority_id].add(strand_id)
    strands = list(Strand.objects.order_by("order", "name"))
    reports = {
        pk: _SchoolCounts(
            PriorityReport(year=year),
            [p for p in priorities if p.school_id == pk],
            {s.pk: CountRow(s.name) for s in strands},
        )
        for pk, year in by_school.items()
    }
    counts = (
        ActionStep.objects.activity_in(list(by_school))
        .filter(
            reduce(
                or_, (Q(school=pk, relationship__academic_year=y) for pk, y in by_school.items())
            ),
            state__in=[*CURRENT_STATES, StepState.SECURED],
        )
        .values_list("school", "state", "library_step_id", "library_step__strand_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for school_id, state, step_id, strand_id, n in counts:
        served = [
            p.pk
            for p in reports[school_id].priorities
            if step_id is not None
            and (step_id in linked_steps[p.pk] or strand_id in linked_strands[p.pk])
        ]
        reports[school_id].add(state, n, served=served, strand_id=strand_id)
    return {pk: school.finish() for pk, school in reports.items()}


@dataclass
class _SchoolCounts:
    """One school's report while `priority_reports` counts it."""

    report: PriorityReport
    priorities: list[Priority]
    strands: dict[int, CountRow]
    own: CountRow = field(
        default_factory=lambda: CountRow("Written by the pair (not from the library)")
    )
    rows: dict[int, CountRow] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.rows = {p.pk: CountRow(p.title, priority=p) for p in self.priorities}

    def add(self, state: str, n: int, *, served: list[int], strand_id: int | None) -> None:
        self.report.totals.add(state, n)
        for pk in served:
            self.rows[pk].add(state, n)
        if not served:
            self.report.outside.add(state, n)
        (self.strands.get(strand_id, self.own) if strand_id is not None else self.own).add(state, n)

    def finish(self) -> PriorityReport:
        self.report.priorities = [self.rows[p.pk] for p in self.priorities]
        self.report.strands = [*self.strands.values(), self.own]
        return self.report


def report_chart(report: PriorityReport, *, chart_id: str = "priority-steps") -> SafeString:
    """Current (hatched) and secured (solid) steps per priority, drawn by chart_bars.html.

    That template names its two bar kinds "planned" (hatched) and "held" (solid); here they
    stand for current and secured steps, and the legend says so in words.
    """
    rows = report.priority_rows
    top = max([r.current for r in rows] + [r.secured for r in rows] + [1])
    step = _nice_step(top)
    y_max = step * math.ceil(top / step)
    band = PLOT_W / max(len(rows), 1)
    bar_w = min(band * 0.3, 36.0)

    def y(value: int) -> float:
        return TOP + PLOT_H - PLOT_H * value / y_max

    groups = []
    x_labels = []
    fits = max(int((band - 8) / CHAR_W), 4)
    for i, row in enumerate(rows):
        centre = LEFT + band * (i + 0.5)
        bars = []
        for offset, value, kind in ((-bar_w - 1, row.current, "planned"), (1, row.secured, "held")):
            bars.append(
                {
                    "kind": kind,
                    "x": _fmt(centre + offset),
                    "y": _fmt(y(value)),
                    "w": _fmt(bar_w),
                    "h": _fmt(TOP + PLOT_H - y(value)),
                    "value": value,
                    "text_x": _fmt(centre + offset + bar_w / 2),
                    "text_y": _fmt(y(value) - 5),
                }
            )
        groups.append(
            {"tip": f"{row.label}: {row.current} current, {row.secured} secured", "bars": bars}
        )
        label = row.label if len(row.label) <= fits else f"{row.label[: fits - 1].rstrip()}…"
        x_labels.append({"x": _fmt(centre), "text": label})
    parts = "; ".join(f"{r.label}: {r.current} current and {r.secured} secured" for r in rows)
    desc = (
        f"Action steps by whole-school priority. {parts}. Hatched bars show current steps, "
        "solid bars secured steps. The table that follows gives every figure."
    )
    context = {
        **_frame(chart_id, "Current and secured steps by priority", desc),
        "groups": groups,
        "ticks": [{"y": _fmt(y(v)), "text": str(v)} for v in range(0, y_max + 1, step)],
        "x_labels": x_labels,
        "show_values": True,
        "legend": [
            {"kind": "planned", "x": LEFT, "text": "Current steps"},
            {"kind": "held", "x": LEFT + 170, "text": "Secured steps"},
        ],
    }
    return render_to_string("components/chart_bars.html", context)


# Gentle PEERS notes ------------------------------------------------------------------------------


def goal_notes(goal: Goal) -> list[str]:
    """Suggestions that make a goal stronger. Never rules: the pair decides."""
    notes = []
    if not goal.is_student_focused:
        notes.append(
            "This goal is about what the teacher does. When you're ready, ask what pupils would "
            "do differently if it worked: a student-focused goal shows whether the change in "
            "teaching made a difference."
        )
    if not goal.has_measure:
        notes.append(
            "There's no measure yet. A simple one, taken the same way each time (a hinge "
            "question, minutes until everyone is working), lets you both see progress."
        )
    elif goal.target is None:
        notes.append("Add a target, so you both know when the goal is met.")
    if goal.target_date is None:
        notes.append("A target date a few weeks away keeps the goal reachable.")
    return notes
