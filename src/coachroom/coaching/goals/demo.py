"""Demo priorities and goals: two whole-school priorities per school, linked to strands and
steps, and Impact Cycle goals with readings for four pairs.

Runs after the coaching history (`coachroom.coaching.demo.load`), so goals can link the steps
the pairs are already working on. Readings are aggregates for the class, never pupils.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from coachroom.accounts.models import CoachingRelationship, School
from coachroom.coaching.goals import services as goal_services
from coachroom.coaching.goals.models import Goal
from coachroom.coaching.models import ACTIVE_STATES, ActionStep, StepState
from coachroom.core.demo import DemoContext
from coachroom.library.models import LibraryStep, Priority, Problem, Strand


@dataclass(frozen=True)
class PriorityScript:
    title: str
    symptoms: tuple[str, ...]
    problem: str
    strands: tuple[str, ...]
    steps: tuple[str, ...]


PRIORITIES = {
    "oak": [
        PriorityScript(
            "Pupils give up on tricky tasks",
            (
                "Pupils stop after the first hard question and wait for help",
                "Few pupils try the challenge task, even when they could",
                "The working wall and hint cards go unused",
            ),
            "participation",
            ("consolidation-practice", "communication-explanation"),
            ("practise-one-together", "practise-hint-card"),
        ),
        PriorityScript(
            "Not every pupil is thinking when we ask questions",
            (
                "The same few hands go up for every question",
                "Pupils wait for a classmate's answer instead of working it out",
            ),
            "thinking",
            ("thinking-questioning", "feedback-assessment"),
            ("question-everyone-shows", "question-pause-before-name"),
        ),
    ],
    "elm": [
        PriorityScript(
            "Lessons lose their first ten minutes",
            (
                "Pupils arrive in waves and settle slowly",
                "The starter task needs explaining before anyone can begin",
            ),
            "behaviour",
            ("culture-routines",),
            ("entry-ready-to-learn", "instructions-three-part"),
        ),
        PriorityScript(
            "Pupils can't explain their reasoning in extended answers",
            (
                "Answers state a fact but not why it matters",
                "Pupils struggle to use subject vocabulary when they write at length",
            ),
            "curriculum",
            ("communication-explanation",),
            ("explain-two-chunks-check", "question-how-do-you-know"),
        ),
    ],
}


@dataclass(frozen=True)
class GoalScript:
    coach: str
    teacher: str
    written_by: str  # "coach" or "teacher"
    statement: str
    focus: str = Goal.Focus.STUDENT
    phase: str = Goal.Phase.IMPROVE
    priority: tuple[str, int] | None = None  # (school key, index in PRIORITIES)
    measure: str = ""
    unit: str = ""
    baseline: str | None = None
    target: str | None = None
    method: str = ""
    weeks_to_target: int | None = None
    readings: tuple[str, ...] = field(default=())
    notes: dict[int, str] = field(default_factory=dict)


GOALS = [
    GoalScript(
        "oak-lead",
        "oak-t1",
        "coach",
        "By February half-term, 80% of the class answer the hinge question correctly on "
        "mini-whiteboards.",
        priority=("oak", 1),
        measure="Share of pupils answering the hinge question correctly",
        unit=Goal.Unit.PERCENT,
        baseline="45",
        target="80",
        method="Mini-whiteboards up together on one hinge question in the main phonics "
        "lesson; the teacher tallies correct boards before moving on.",
        weeks_to_target=9,
        readings=("45", "52", "50", "61", "68", "72"),
        notes={0: "Baseline, before the new routine", 3: "After the second drop-in"},
    ),
    GoalScript(
        "oak-lead",
        "oak-coach1",
        "teacher",
        "I give every instruction in 20 words or fewer, then name two pupils who have started.",
        focus=Goal.Focus.TEACHER,
        phase=Goal.Phase.LEARN,
    ),
    GoalScript(
        "oak-coach1",
        "oak-t2",
        "teacher",
        "More of the class try the challenge task before asking for help.",
        priority=("oak", 0),
        measure="Pupils who attempt the challenge task in the maths lesson",
        unit=Goal.Unit.COUNT,
        baseline="6",
        target="20",
        method="Count of challenge sheets with an attempt, checked after the lesson.",
        weeks_to_target=6,
        readings=("6", "9", "11", "14"),
    ),
    GoalScript(
        "elm-lead",
        "elm-t1",
        "coach",
        "Every pupil is working within two minutes of the bell in Year 9 science.",
        priority=("elm", 0),
        measure="Minutes from the bell until every pupil is working",
        unit=Goal.Unit.MINUTES,
        baseline="6",
        target="2",
        method="The teacher starts a timer at the bell and stops it when the last pupil starts "
        "the recap.",
        weeks_to_target=5,
        readings=("6", "5", "4.5", "3.5", "3"),
    ),
]


def _recent_wednesdays(school: School, count: int) -> list[dt.date]:
    """The Wednesdays of the last `count` school weeks before today, oldest first."""
    today = timezone.localdate()
    year = school.current_year()
    terms = list(year.terms.order_by("starts_on")) if year else []
    days: list[dt.date] = []
    day = today - dt.timedelta(days=(today.weekday() - 2) % 7 or 7)
    while len(days) < count and day > today - dt.timedelta(days=400):
        if not terms or any(t.starts_on <= day <= t.ends_on for t in terms):
            days.append(day)
        day -= dt.timedelta(days=7)
    return sorted(days)


def load(ctx: DemoContext) -> None:
    priorities: dict[str, list[Priority]] = {}
    problems = {p.slug: p for p in Problem.objects.all()}
    strands = {s.slug: s for s in Strand.objects.all()}
    for key, scripts in PRIORITIES.items():
        school = ctx.schools[key]
        year = school.current_year()
        if year is None:
            continue
        lead = ctx.people[f"{key}-lead"]
        available = LibraryStep.objects.available_to(school)
        priorities[key] = [
            goal_services.priority_create(
                school=school,
                by=lead,
                academic_year=year,
                title=script.title,
                symptoms="\n".join(script.symptoms),
                problem=problems[script.problem],
                strands=[strands[slug] for slug in script.strands],
                library_steps=list(available.filter(key__in=script.steps)),
            )
            for script in scripts
        ]
    for script in GOALS:
        _goal(ctx, script, priorities)


def _goal(ctx: DemoContext, script: GoalScript, priorities: dict[str, list[Priority]]) -> None:
    coach, teacher = ctx.people[script.coach], ctx.people[script.teacher]
    pair = (
        CoachingRelationship.objects.current()
        .filter(coach=coach, coachee=teacher)
        .select_related("school", "coach", "coachee", "academic_year")
        .first()
    )
    if pair is None:
        return
    author = coach if script.written_by == "coach" else teacher
    days = _recent_wednesdays(pair.school, len(script.readings))
    target_date = None
    if script.weeks_to_target is not None:
        target_date = timezone.localdate() + dt.timedelta(weeks=script.weeks_to_target)
    priority = None
    if script.priority is not None:
        school_key, index = script.priority
        options = priorities.get(school_key, [])
        priority = options[index] if index < len(options) else None
    steps = ActionStep.objects.filter(
        relationship=pair, state__in=[*ACTIVE_STATES, StepState.SECURED]
    ).exclude(state=StepState.PROPOSED)
    goal = goal_services.goal_create(
        relationship=pair,
        by=author,
        statement=script.statement,
        focus=script.focus,
        phase=script.phase,
        priority=priority,
        measure=script.measure,
        unit=script.unit,
        baseline=Decimal(script.baseline) if script.baseline else None,
        target=Decimal(script.target) if script.target else None,
        method=script.method,
        target_date=target_date,
        steps=list(steps.order_by("-created_at")[:2]),
    )
    for index, (day, value) in enumerate(zip(days, script.readings, strict=False)):
        goal_services.goal_reading_add(
            goal=goal,
            by=coach if index % 2 == 0 else teacher,
            taken_on=day,
            value=Decimal(value),
            note=script.notes.get(index, ""),
        )
