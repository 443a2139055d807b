"""An induction's dates from what is stored about it: the school's own calendar (its terms and
closures, then default English terms for years it has not set up) and the recorded absences,
handed to the pure rules in `periods`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from coachroom.accounts.calendar import SchoolCalendar
from coachroom.accounts.models import School
from coachroom.induction.models import Induction
from coachroom.induction.periods import InductionPlan, ReviewPoint, leaving, plan_induction


def _plan(induction: Induction, calendar: SchoolCalendar) -> InductionPlan:
    plan = plan_induction(
        starts_on=induction.starts_on,
        fte=induction.fte,
        absences=[(a.first_day, a.last_day) for a in induction.absences.all()],
        calendar=calendar,
    )
    return leaving(plan, induction.left_on) if induction.left_on else plan


def plan_for(induction: Induction) -> InductionPlan:
    """One induction's plan: two queries for the calendar and one for the absences."""
    return _plan(induction, induction.school.calendar(from_date=induction.starts_on))


def plans_for(inductions: Sequence[Induction], school: School) -> dict[int, InductionPlan]:
    """The plans of a school's inductions by id, sharing one calendar; prefetch `absences`."""
    if not inductions:
        return {}
    calendar = school.calendar(from_date=min(i.starts_on for i in inductions))
    return {induction.pk: _plan(induction, calendar) for induction in inductions}


def next_point(plan: InductionPlan, today: dt.date) -> ReviewPoint | None:
    """The first review or assessment due today or later; None once induction is over."""
    return next((point for point in plan.points if point.due_on >= today), None)
