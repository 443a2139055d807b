"""Writes for whole-school priorities and Impact Cycle goals, each one transaction with one audit
entry, and the priority step suggestions the feedback meeting calls.

Audit entries carry ids and field names, never the goal's words or a reading's note.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from decimal import Decimal
from typing import Any, TypedDict, Unpack

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from coachroom import audit
from coachroom.accounts.models import AcademicYear, CoachingRelationship, School, User
from coachroom.coaching.goals.models import Goal, GoalReading
from coachroom.coaching.models import ActionStep
from coachroom.core.errors import DomainError
from coachroom.library.models import MAX_ACTIVE_PRIORITIES, LibraryStep, Priority, Problem, Strand
from coachroom.library.services import phases_for

# Priorities --------------------------------------------------------------------------------------


class PriorityDetails(TypedDict, total=False):
    academic_year: AcademicYear
    title: str
    symptoms: str
    problem: Problem
    strands: Iterable[Strand]
    library_steps: Iterable[LibraryStep]


def _require_room(*, school: School, year: AcademicYear, leaving: Priority | None = None) -> None:
    """At most three active priorities a year. Lock the year so that two leads adding the
    third priority at once can't make four."""
    AcademicYear.objects.select_for_update().filter(pk=year.pk).first()
    others = Priority.objects.for_school(school).for_year(year).active()
    if leaving is not None and leaving.pk:
        others = others.exclude(pk=leaving.pk)
    if others.count() >= MAX_ACTIVE_PRIORITIES:
        raise DomainError(
            f"{school.name} already has {MAX_ACTIVE_PRIORITIES} active priorities for {year}. "
            "A few priorities keep coaching focused: archive one before adding another."
        )


def _check_links(school: School, steps: Collection[LibraryStep]) -> None:
    available = set(
        LibraryStep.objects.available_to(school)
        .filter(pk__in=[s.pk for s in steps])
        .values_list("pk", flat=True)
    )
    if any(s.pk not in available for s in steps):
        raise DomainError("Link only steps from your school's library.")


@transaction.atomic
def priority_create(
    *,
    school: School,
    by: User,
    academic_year: AcademicYear,
    title: str,
    symptoms: str,
    problem: Problem,
    strands: Iterable[Strand] = (),
    library_steps: Iterable[LibraryStep] = (),
) -> Priority:
    if academic_year.school_id != school.pk:
        raise DomainError("Choose one of your school's academic years.")
    steps = list(library_steps)
    _check_links(school, steps)
    _require_room(school=school, year=academic_year)
    priority = Priority.objects.create(
        school=school,
        academic_year=academic_year,
        title=title,
        symptoms=symptoms,
        problem=problem,
        created_by=by,
    )
    priority.strands.set(list(strands))
    priority.library_steps.set(steps)
    audit.record(
        actor=by,
        action="programme.priority.created",
        school=school,
        target=priority,
        data={"year": academic_year.pk, "problem": problem.slug},
    )
    return priority


@transaction.atomic
def priority_update(
    *, priority: Priority, by: User, **changes: Unpack[PriorityDetails]
) -> Priority:
    school = priority.school
    strands = changes.pop("strands", None)
    steps = changes.pop("library_steps", None)
    year = changes.get("academic_year")
    if year is not None and year.school_id != school.pk:
        raise DomainError("Choose one of your school's academic years.")
    if year is not None and year.pk != priority.academic_year_id and not priority.is_archived:
        _require_room(school=school, year=year, leaving=priority)
    changed = [name for name, value in changes.items() if getattr(priority, name) != value]
    for name, value in changes.items():
        setattr(priority, name, value)
    if strands is not None:
        strand_list = list(strands)
        if {s.pk for s in strand_list} != set(priority.strands.values_list("pk", flat=True)):
            changed.append("strands")
        priority.strands.set(strand_list)
    if steps is not None:
        step_list = list(steps)
        before = set(priority.library_steps.values_list("pk", flat=True))
        added = [s for s in step_list if s.pk not in before]
        _check_links(school, added)  # steps linked earlier may since have been archived
        if {s.pk for s in step_list} != before:
            changed.append("library_steps")
        priority.library_steps.set(step_list)
    if not changed:
        return priority
    priority.save()
    audit.record(
        actor=by,
        action="programme.priority.updated",
        school=school,
        target=priority,
        data={"fields": sorted(changed)},
    )
    return priority


@transaction.atomic
def priority_archive(*, priority: Priority, by: User) -> Priority:
    if priority.is_archived:
        raise DomainError(f"“{priority.title}” is already archived.")
    priority.is_archived = True
    priority.archived_at = timezone.now()
    priority.save(update_fields=["is_archived", "archived_at", "updated_at"])
    audit.record(
        actor=by, action="programme.priority.archived", school=priority.school, target=priority
    )
    return priority


@transaction.atomic
def priority_restore(*, priority: Priority, by: User) -> Priority:
    if not priority.is_archived:
        raise DomainError(f"“{priority.title}” is not archived.")
    _require_room(school=priority.school, year=priority.academic_year, leaving=priority)
    priority.is_archived = False
    priority.archived_at = None
    priority.save(update_fields=["is_archived", "archived_at", "updated_at"])
    audit.record(
        actor=by, action="programme.priority.restored", school=priority.school, target=priority
    )
    return priority


# Goals -------------------------------------------------------------------------------------------


class GoalDetails(TypedDict, total=False):
    focus: str
    phase: str
    priority: Priority | None
    measure: str
    unit: str
    baseline: Decimal | None
    target: Decimal | None
    method: str
    target_date: dt.date | None
    steps: Iterable[ActionStep]


class GoalChanges(GoalDetails, total=False):
    statement: str


GOAL_FIELDS = (
    "focus",
    "phase",
    "statement",
    "priority",
    "measure",
    "unit",
    "baseline",
    "target",
    "method",
    "target_date",
)


def _require_party(relationship: CoachingRelationship, by: User) -> None:
    if by.pk not in (relationship.coach_id, relationship.coachee_id):
        raise DomainError("Only the teacher and their coach write the pair's goals.")


def _check_goal_links(
    relationship: CoachingRelationship,
    *,
    priority: Priority | None,
    steps: Collection[ActionStep],
) -> None:
    if priority is not None and priority.school_id != relationship.school_id:
        raise DomainError("Choose one of your school's priorities.")
    if any(step.relationship_id != relationship.pk for step in steps):
        raise DomainError("A goal links only the action steps of its own coaching pair.")


@transaction.atomic
def goal_create(
    *,
    relationship: CoachingRelationship,
    by: User,
    statement: str,
    **details: Unpack[GoalDetails],
) -> Goal:
    _require_party(relationship, by)
    if not relationship.is_current:
        raise DomainError("This coaching pair has ended, so it can't take a new goal.")
    steps = list(details.pop("steps", ()))
    _check_goal_links(relationship, priority=details.get("priority"), steps=steps)
    goal = Goal(
        school=relationship.school,
        relationship=relationship,
        teacher=relationship.coachee,
        statement=statement,
        created_by=by,
    )
    _apply(goal, dict(details))
    goal.save()
    goal.steps.set(steps)
    audit.record(
        actor=by,
        action="programme.goal.created",
        school=goal.school,
        target=goal,
        subject=goal.teacher,
        data={"focus": goal.focus, "phase": goal.phase, "has_measure": goal.has_measure},
    )
    return goal


@transaction.atomic
def goal_update(*, goal: Goal, by: User, **changes: Unpack[GoalChanges]) -> Goal:
    relationship = goal.relationship
    _require_party(relationship, by)
    steps = changes.pop("steps", None)
    values: dict[str, Any] = dict(changes)
    step_list = list(steps) if steps is not None else None
    _check_goal_links(
        relationship, priority=values.get("priority", goal.priority), steps=step_list or []
    )
    changed = [name for name, value in values.items() if getattr(goal, name) != value]
    _apply(goal, values)
    if step_list is not None:
        if {s.pk for s in step_list} != set(goal.steps.values_list("pk", flat=True)):
            changed.append("steps")
        goal.steps.set(step_list)
    if not changed:
        return goal
    goal.save()
    audit.record(
        actor=by,
        action="programme.goal.updated",
        school=goal.school,
        target=goal,
        subject=goal.teacher,
        data={"fields": sorted(changed)},
    )
    return goal


def _apply(goal: Goal, values: dict[str, Any]) -> None:
    for name, value in values.items():
        if name not in GOAL_FIELDS:
            raise TypeError(f"{name} is not a goal field that can be changed")
        setattr(goal, name, value)


@transaction.atomic
def goal_reading_add(
    *, goal: Goal, by: User, taken_on: dt.date, value: Decimal, note: str = ""
) -> GoalReading:
    """One aggregate reading of the goal's measure (a share, count or time for the group)."""
    _require_party(goal.relationship, by)
    if not goal.has_measure:
        raise DomainError("Say what the goal measures, and in what unit, before adding readings.")
    reading = GoalReading.objects.create(
        school=goal.school, goal=goal, taken_on=taken_on, value=value, note=note, created_by=by
    )
    audit.record(
        actor=by,
        action="programme.goal.reading_added",
        school=goal.school,
        target=goal,
        subject=goal.teacher,
        data={"reading": reading.pk, "taken_on": taken_on.isoformat()},
    )
    return reading


# Reads for other apps ----------------------------------------------------------------------------


def library_order(step: LibraryStep) -> tuple[Any, ...]:
    """Strand, then sub-strand (steps without one last), then title: the library's order.
    The step must come with its strand and sub-strand."""
    sub = step.substrand.order if step.substrand is not None else None
    return (step.strand.order, sub is None, sub or 0, step.title.lower(), step.pk)


def priority_suggestions(
    *,
    school: School,
    limit: int = 5,
    exclude_ids: Collection[int] = (),
    like_strand: int | None = None,
    like_limit: int = 0,
) -> list[LibraryStep]:
    """Library steps for this year's active priorities: the steps leads linked first, then
    other steps in the priorities' strands that suit the school's phase. Steps the school
    can't use (archived, hidden) never appear. With `like_strand`, up to `like_limit` more
    steps of that strand that suit the phase follow, in library order, read in the same query
    (the meeting's "steps like the current one"). At most three small queries: the year, what
    the priorities link to, then the steps (ordered here: they are a few dozen at most).

    Teachers keep their autonomy: callers offer these first, never instead of the library.
    """
    year = school.current_year()
    links = (
        Priority.objects.for_school(school)
        .for_year(year)
        .active()
        .order_by()
        .values_list("library_steps", "strands")
        if year is not None
        else []
    )
    direct = {step for step, _ in links if step is not None}
    strands = {strand for _, strand in links if strand is not None}
    phases = phases_for(school)
    wanted = Q(pk__in=direct) | Q(strand__in=strands, phase__in=phases)
    if like_strand is not None and like_limit:
        wanted |= Q(strand=like_strand, phase__in=phases)
    elif not direct and not strands:
        return []
    steps = list(
        LibraryStep.objects.available_to(school)
        .filter(wanted)
        .exclude(pk__in=list(exclude_ids))
        .select_related("strand", "substrand")
        .order_by()
    )

    def serves_priority(step: LibraryStep) -> bool:
        return step.pk in direct or (step.strand_id in strands and step.phase in phases)

    picks = sorted(
        (s for s in steps if serves_priority(s)),
        key=lambda step: (step.pk not in direct, *library_order(step)),
    )[:limit]
    for step in picks:
        step.serves_priority = True  # type: ignore[attr-defined]
    alike = sorted(
        (s for s in steps if s not in picks and s.strand_id == like_strand and s.phase in phases),
        key=library_order,
    )
    return [*picks, *alike[:like_limit]]
