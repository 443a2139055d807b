"""The leaders' dashboards: one school's programme at a glance, and the trust's schools side by
side. Counts and patterns only — never notes, never a ranking of people."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone

from coachroom.accounts.models import CoachingRelationship, Membership, School, Term
from coachroom.coaching.models import StepState
from coachroom.reporting.models import SchoolSessionCount, SecuredCount, StepCount
from coachroom.scheduling.models import SessionOccurrence

Status = SessionOccurrence.Status


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=timezone.get_current_timezone())


def percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


@dataclass
class Completion:
    planned: int
    held: int

    @property
    def percent(self) -> int | None:
        return percent(self.held, self.planned)


@dataclass
class SchoolSummary:
    school: School
    staff: int
    pairs: int
    this_term: Completion
    this_year: Completion
    steps: dict[str, int]
    secured_this_term: int
    stuck: int
    slipped: int

    @property
    def stick_rate(self) -> int | None:
        """Of the steps checked weeks after being secured, the share still seen."""
        return percent(self.stuck, self.stuck + self.slipped)


def _completion(rows: dict[Any, dict[str, int]], key: Any) -> Completion:
    row = rows.get(key, {})
    return Completion(planned=row.get("planned", 0), held=row.get("held", 0))


def _today_due(ids: list[int], today: dt.date) -> dict[int, dict[str, int]]:
    """Today's sessions already held, missed (and not rebooked) or cancelled, by school: the
    counters hold the days before today."""
    rows: dict[int, dict[str, int]] = {}
    for school_id, status in (
        SessionOccurrence.objects.filter(
            school__in=ids, starts_at__gte=_midnight(today), starts_at__lt=timezone.now()
        )
        .filter(
            Q(status__in=[Status.DONE, Status.CANCELLED])
            | Q(status=Status.MISSED, rescheduled_to__isnull=True)
        )
        .order_by()
        .values_list("school", "status")
    ):
        row = rows.setdefault(school_id, {"planned": 0, "held": 0})
        row["planned"] += 1
        row["held"] += status == Status.DONE
    return rows


def _grouped_completion(
    schools: list[School], since: dict[int, dt.date], today: dict[int, dict[str, int]]
) -> dict[int, Any]:
    """Planned and held sessions per school since each school's date, in one query."""
    window = Q()
    for school in schools:
        window |= Q(school=school, day__gte=since[school.pk])
    rows = {
        row["school"]: row
        for row in SchoolSessionCount.objects.filter(window, day__lt=timezone.localdate())
        .values("school")
        .annotate(planned=Sum("planned"), held=Sum("held"))
        .order_by()
    }
    for school_id, extra in today.items():
        row = rows.setdefault(school_id, {"planned": 0, "held": 0})
        row["planned"] = (row["planned"] or 0) + extra["planned"]
        row["held"] = (row["held"] or 0) + extra["held"]
    return rows


def _year_and_term_starts(
    ids: list[int], today: dt.date
) -> tuple[dict[int, dt.date], dict[int, dt.date]]:
    """By school: the start of the academic year and of the half-term under way (or the last
    one started)."""
    years: dict[int, dt.date] = {}
    terms: dict[int, dt.date] = {}
    started = Term.objects.filter(school__in=ids, starts_on__lte=today).select_related(
        "academic_year"
    )
    for term in started.order_by("starts_on"):
        terms[term.school_id] = term.starts_on
        years[term.school_id] = term.academic_year.starts_on
    return years, terms


def _step_counts(
    ids: list[int],
) -> tuple[dict[int, dict[str, int]], dict[int, int], dict[int, int]]:
    """By school: steps by state; steps that stuck at their stick-check; steps that slipped."""
    steps: dict[int, dict[str, int]] = {}
    stuck: dict[int, int] = {}
    slipped: dict[int, int] = {}
    for school_id, state, n, school_stuck, school_slipped in StepCount.objects.filter(
        school__in=ids
    ).values_list("school", "state", "steps", "stuck", "slipped"):
        steps.setdefault(school_id, {})[state] = n
        stuck[school_id] = stuck.get(school_id, 0) + school_stuck
        slipped[school_id] = slipped.get(school_id, 0) + school_slipped
    return steps, stuck, slipped


def summarise(schools: list[School]) -> list[SchoolSummary]:
    """One summary per school, in a fixed number of queries however many schools."""
    if not schools:
        return []
    today = timezone.localdate()
    ids = [s.pk for s in schools]
    years, terms = _year_and_term_starts(ids, today)
    fallback = today - dt.timedelta(days=365)
    due_today = _today_due(ids, today)
    year_rows = _grouped_completion(
        schools, {s.pk: years.get(s.pk, fallback) for s in schools}, due_today
    )
    term_rows = _grouped_completion(
        schools, {s.pk: terms.get(s.pk, fallback) for s in schools}, due_today
    )
    staff = dict(
        Membership.objects.active()
        .filter(school__in=ids)
        .values_list("school")
        .annotate(n=Count("pk"))
    )
    pairs = dict(
        CoachingRelationship.objects.current()
        .filter(school__in=ids)
        .values_list("school")
        .annotate(n=Count("pk"))
    )
    steps, stuck, slipped = _step_counts(ids)
    secured_q = Q()
    for school in schools:
        secured_q |= Q(school=school, day__gte=terms.get(school.pk, fallback))
    secured = dict(
        SecuredCount.objects.filter(secured_q)
        .values_list("school")
        .annotate(n=Sum("secured"))
        .order_by()
    )
    return [
        SchoolSummary(
            school=school,
            staff=staff.get(school.pk, 0),
            pairs=pairs.get(school.pk, 0),
            this_term=_completion(term_rows, school.pk),
            this_year=_completion(year_rows, school.pk),
            steps={state: steps.get(school.pk, {}).get(state, 0) for state in StepState.values},
            secured_this_term=secured.get(school.pk, 0),
            stuck=stuck.get(school.pk, 0),
            slipped=slipped.get(school.pk, 0),
        )
        for school in schools
    ]
