"""The dates of an early-career teacher's (ECT's) statutory induction, worked out from the
school's own calendar. Pure functions: no database, no clock.

How the dates are worked out:

1. Induction is counted in *induction terms*, three a year: autumn runs from 1 August to
   31 December, spring from 1 January to Easter Sunday, summer from Easter Monday to 31 July.
   Easter falls in the spring holiday in English schools, so it is a safe place to split.
   They are named "Autumn 2026", "Spring 2027", "Summer 2027". A term's length is the number
   of school days in it on the school's calendar.
2. Full-time induction is six terms (two school years). Part-time takes longer in proportion:
   at 0.5 FTE it is twelve terms, at 0.8 FTE seven and a half. The term the ECT starts in
   counts only from their first day; every later term counts in full, scaled by their FTE.
   Induction would end on the school day on which this count reaches six terms: for a
   full-time ECT starting in September, the last day of the summer term two years later.
   Part-way through a term, the count goes up evenly by school day.
3. Year 1 ends on the school day on which the count reaches three terms, and the first formal
   assessment is due then. Absence does not move it: an extension adds time to the end of
   induction, not to year 1.
4. Absence: when an ECT has been absent for 30 school days or more in total during their
   induction, it is extended by the total number of school days absent. A school day counts
   once however many absence records cover it; days before the ECT started, or after their
   induction would have ended, do not count. The final formal assessment is due on the
   (possibly extended) last day of induction.
5. Progress reviews: one in every term from the term the ECT starts in to the term induction
   ends in, except the terms in which a formal assessment falls. Each is due on the last
   school day of its term.
6. On a given day an ECT is in year 1 up to and including the day year 1 ends, in year 2 after
   that up to and including the last day of induction, and in neither before they start or
   after they finish.

FTE must be more than 0 and at most 1, and is used exactly (never as a float), so 0.8 FTE
gives exactly seven and a half terms.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from coachroom.accounts.calendar import ONE_DAY, SchoolCalendar, easter_sunday

FULL_TIME_TERMS = Fraction(6)
# Statutory: time off timetable is 10% of the ECT's timetable in year 1 and 5% in year 2.
TIME_OFF = {1: Fraction(1, 10), 2: Fraction(1, 20)}
# Statutory: 30 school days' absence or more extends induction by the days absent.
EXTENSION_THRESHOLD = 30


class PointKind(StrEnum):
    PROGRESS_REVIEW = "progress review"
    FORMAL_ASSESSMENT = "formal assessment"
    INTERIM_ASSESSMENT = "interim assessment"


@dataclass(frozen=True)
class InductionTerm:
    name: str
    starts_on: date
    ends_on: date


@dataclass(frozen=True)
class ReviewPoint:
    kind: PointKind
    due_on: date
    term: str
    label: str


@dataclass(frozen=True)
class InductionPlan:
    starts_on: date
    fte: Fraction
    year_one_ends_on: date
    unextended_end: date
    absence_days: int
    extension_days: int
    ends_on: date
    points: tuple[ReviewPoint, ...]

    def year_on(self, day: date) -> int | None:
        """1 or 2 while the ECT is in that year of induction; None before or after."""
        if day < self.starts_on or day > self.ends_on:
            return None
        return 1 if day <= self.year_one_ends_on else 2


def induction_term(day: date) -> InductionTerm:
    """The induction term `day` falls in (rule 1)."""
    year = day.year
    if day.month >= 8:
        return InductionTerm(f"Autumn {year}", date(year, 8, 1), date(year, 12, 31))
    easter = easter_sunday(year)
    if day <= easter:
        return InductionTerm(f"Spring {year}", date(year, 1, 1), easter)
    return InductionTerm(f"Summer {year}", easter + ONE_DAY, date(year, 7, 31))


def plan_induction(
    *,
    starts_on: date,
    fte: Fraction | Decimal | int,
    absences: Iterable[tuple[date, date]],
    calendar: SchoolCalendar,
) -> InductionPlan:
    """The year-1 point, end of induction, and review points for an ECT starting on
    `starts_on` at `fte`, absent on the (inclusive) date ranges in `absences`."""
    share = _checked_fte(fte)
    ranges = _checked_ranges(absences)
    year_one_ends_on = _reached_on(starts_on, share, FULL_TIME_TERMS / 2, calendar)
    unextended_end = _reached_on(starts_on, share, FULL_TIME_TERMS, calendar)
    absence_days = _absence_days(ranges, starts_on, unextended_end, calendar)
    extension_days = absence_days if absence_days >= EXTENSION_THRESHOLD else 0
    ends_on = calendar.add_school_days(unextended_end, extension_days)
    return InductionPlan(
        starts_on=starts_on,
        fte=share,
        year_one_ends_on=year_one_ends_on,
        unextended_end=unextended_end,
        absence_days=absence_days,
        extension_days=extension_days,
        ends_on=ends_on,
        points=_review_points(starts_on, year_one_ends_on, ends_on, calendar),
    )


def _checked_fte(fte: Fraction | Decimal | int) -> Fraction:
    # Fraction(Decimal("0.8")) is exactly 4/5; a float would not be.
    share = Fraction(fte)
    if not 0 < share <= 1:
        raise ValueError(f"FTE must be more than 0 and at most 1, not {fte}.")
    return share


def _checked_ranges(absences: Iterable[tuple[date, date]]) -> list[tuple[date, date]]:
    ranges = list(absences)
    for first_day, last_day in ranges:
        if first_day > last_day:
            raise ValueError(
                f"An absence cannot end ({last_day:%d %b %Y}) before it starts "
                f"({first_day:%d %b %Y})."
            )
    return ranges


def _school_days_from(first: date, last: date, calendar: SchoolCalendar) -> int:
    """School days from `first` to `last`, both included."""
    return calendar.school_days_between(first - ONE_DAY, last)


def _reached_on(starts_on: date, fte: Fraction, target: Fraction, calendar: SchoolCalendar) -> date:
    """The school day on which the terms served since `starts_on` reach `target` (rule 2)."""
    term, first, total = induction_term(starts_on), starts_on, Fraction(0)
    while True:
        size = _school_days_from(term.starts_on, term.ends_on, calendar)
        served = (
            size if first == term.starts_on else _school_days_from(first, term.ends_on, calendar)
        )
        # A term with no school days (a gap in the school's calendar) counts for nothing.
        gain = fte * Fraction(served, size) if size else Fraction(0)
        if gain and total + gain >= target:
            # Each school day served in this term adds fte / size; at most `served` are needed.
            days = math.ceil((target - total) * size / fte)
            return calendar.add_school_days(first - ONE_DAY, days)
        total += gain
        term = induction_term(term.ends_on + ONE_DAY)
        first = term.starts_on


def _absence_days(
    ranges: list[tuple[date, date]], starts_on: date, ends_on: date, calendar: SchoolCalendar
) -> int:
    """School days absent between the start and the unextended end; overlaps count once.

    Days after the unextended end are left out: induction would already have ended then, and
    clipping keeps a carelessly long range (or one years away) from being walked day by day."""
    absent: set[date] = set()
    for first_day, last_day in ranges:
        day, last = max(first_day, starts_on), min(last_day, ends_on)
        while day <= last:
            if calendar.is_school_day(day):
                absent.add(day)
            day += ONE_DAY
    return len(absent)


def _last_school_day(term: InductionTerm, calendar: SchoolCalendar) -> date | None:
    day = term.ends_on
    while day >= term.starts_on:
        if calendar.is_school_day(day):
            return day
        day -= ONE_DAY
    return None


def _review_points(
    starts_on: date, year_one_ends_on: date, ends_on: date, calendar: SchoolCalendar
) -> tuple[ReviewPoint, ...]:
    """Both formal assessments, and a progress review in every other term served (rule 5)."""
    assessed = {induction_term(year_one_ends_on), induction_term(ends_on)}
    points = [
        ReviewPoint(
            PointKind.FORMAL_ASSESSMENT,
            year_one_ends_on,
            induction_term(year_one_ends_on).name,
            "Formal assessment, end of year 1",
        ),
        ReviewPoint(
            PointKind.FORMAL_ASSESSMENT,
            ends_on,
            induction_term(ends_on).name,
            "Formal assessment, end of induction",
        ),
    ]
    term = induction_term(starts_on)
    while term.starts_on <= ends_on:
        last = _last_school_day(term, calendar)
        # No review in a term the ECT serves no school day of: one starting in the Christmas
        # holiday has nothing to review in the autumn term.
        if term not in assessed and last is not None and last >= starts_on:
            points.append(
                ReviewPoint(
                    PointKind.PROGRESS_REVIEW, last, term.name, f"Progress review, {term.name}"
                )
            )
        term = induction_term(term.ends_on + ONE_DAY)
    return tuple(sorted(points, key=lambda point: point.due_on))


def leaving(plan: InductionPlan, last_day: date) -> InductionPlan:
    """The plan of an ECT who leaves part-way: the reviews and assessments due before their
    last day, then an interim assessment due on it. Nothing changes if they leave on or after
    the last day of induction."""
    if last_day >= plan.ends_on:
        return plan
    kept = tuple(point for point in plan.points if point.due_on < last_day)
    interim = ReviewPoint(
        kind=PointKind.INTERIM_ASSESSMENT,
        due_on=last_day,
        term=induction_term(last_day).name,
        label="Interim assessment, on leaving",
    )
    return replace(plan, points=(*kept, interim))


def time_off_due(
    plan: InductionPlan, *, weekly_hours: Fraction | Decimal, calendar: SchoolCalendar, until: date
) -> Fraction:
    """Hours off timetable due from the start up to `until` (at most the end): 10% of the ECT's
    timetabled hours in year 1 and 5% in year 2, accruing a fifth of a week's on each school
    day, so a short week earns less."""
    daily = Fraction(weekly_hours) / 5
    total, day, last = Fraction(0), plan.starts_on, min(until, plan.ends_on)
    while day <= last:
        if calendar.is_school_day(day):
            total += TIME_OFF[1 if day <= plan.year_one_ends_on else 2] * daily
        day += ONE_DAY
    return total
