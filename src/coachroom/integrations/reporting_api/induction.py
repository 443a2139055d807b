"""The induction endpoints' rows: each ECT's reviews and assessments by date, as the cohort CSV
lists them (`induction/review_views.cohort_csv`), and counts of them by school for a trust.

Statuses, outcomes and counts only: what a review says (evidence, targets, comments) is never
read. Each ECT's dates come from `induction.dates.plans_for` and their mentor meetings and time
off from `induction.entitlement.entitlements`, as the CSV's do; the reviews themselves are read
through the privacy gate (`visible_to` for the ECTs' own rows, `activity_in` for counts).

Queries: the inductions and their absences (two) and the reviews (one), then, for each school
that has ECTs, its calendar (two) and, for the rows by ECT, the mentor meetings and time off
(three more): the same whatever the number of ECTs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, fields
from typing import Any

from django.utils import timezone

from coachroom.accounts.models import School
from coachroom.induction.dates import plans_for
from coachroom.induction.entitlement import entitlements
from coachroom.induction.models import Induction, InductionReview
from coachroom.induction.periods import InductionPlan, ReviewPoint
from coachroom.integrations.reporting_api.access import INDUCTION_COUNTS, INDUCTION_ECTS, Access
from coachroom.integrations.reporting_api.figures import school_fields

# (tutor_signed_at, head_signed_at, ect_signed_at, outcome) by (induction, kind, period)
Held = dict[tuple[int, str, str], tuple[Any, ...]]
STATUS_COLUMNS = ("tutor_signed_at", "head_signed_at", "ect_signed_at", "outcome")


def period_of(point: ReviewPoint) -> str:
    """How a review names its date ("Autumn 2026", "end of year 1"), as
    `induction.reviews.period_of` does: a module whose name the import rules read as views
    (it ends in "views"), so the one line is repeated here;
    tests/integrations/reporting_api/test_induction.py checks that the statuses match the cohort
    CSV's."""
    return point.label.split(", ", 1)[1] if ", " in point.label else point.term


def status(found: tuple[Any, ...] | None) -> str:
    """The cohort CSV's words for how far a review has got."""
    if found is None:
        return "not started"
    tutor, head, ect, _outcome = found
    if tutor is not None and head is not None and ect is not None:
        return "signed by all"
    return "signed by the tutor" if tutor is not None else "draft"


def _inductions(schools: list[School]) -> list[Induction]:
    return list(
        Induction.objects.filter(school__in=schools)
        .select_related("ect", "tutor", "school")
        .prefetch_related("absences")
        .order_by("school__name", "ect__last_name", "ect__first_name", "pk")
    )


def _held(reviews: Iterable[tuple[Any, ...]]) -> Held:
    return {(row[0], row[1], row[2]): tuple(row[3:]) for row in reviews}


def _plans(inductions: list[Induction]) -> dict[int, InductionPlan]:
    """Every induction's plan, each school's calendar read once."""
    by_school: dict[int, list[Induction]] = {}
    for induction in inductions:
        by_school.setdefault(induction.school_id, []).append(induction)
    plans: dict[int, InductionPlan] = {}
    for group in by_school.values():
        plans.update(plans_for(group, group[0].school))
    return plans


def induction_reviews(
    access: Access, *, urn: str | None
) -> tuple[list[dict[str, Any]], list[School]]:
    """Each ECT's reviews and assessments by date, for the induction tutors and senior leaders
    of their school; and the schools read (the read is audited, as the CSV's download is)."""
    schools = [school for school, _reach in access.schools_for(INDUCTION_ECTS, urn)]
    inductions = _inductions(schools)
    held = _held(
        InductionReview.objects.visible_to(access.token.owner)
        .filter(school__in=schools)
        .values_list("induction", "kind", "period", *STATUS_COLUMNS)
    )
    plans = _plans(inductions)
    counts = {}
    for school in schools:
        mine = [i for i in inductions if i.school_id == school.pk]
        counts.update(entitlements(mine, plans, school))
    rows = []
    for induction in inductions:
        got = counts[induction.pk]
        for point in plans[induction.pk].points:
            found = held.get((induction.pk, str(point.kind), period_of(point)))
            rows.append(
                {
                    **school_fields(induction.school),
                    "ect_name": induction.ect.full_name,
                    "ect_email": induction.ect.email,
                    "induction_start": induction.starts_on,
                    "fte": float(induction.fte),
                    "appropriate_body": induction.appropriate_body,
                    "induction_tutor": induction.tutor.full_name if induction.tutor else None,
                    "review": point.label,
                    "review_kind": str(point.kind),
                    "due_on": point.due_on,
                    "status": status(found),
                    "outcome": (found[3] or None) if found else None,
                    "mentor_meetings_held": got.meetings_held,
                    "mentor_meetings_planned": got.meetings_planned,
                    "time_off_hours": float(got.time_off_hours),
                    "time_off_hours_due": (
                        float(got.time_off_due) if got.time_off_due is not None else None
                    ),
                }
            )
    return rows, schools


@dataclass
class _Summary:
    ects: int = 0
    reviews: int = 0
    due: int = 0
    overdue: int = 0
    not_started: int = 0
    draft: int = 0
    signed_by_the_tutor: int = 0
    signed_by_all: int = 0


def induction_summary(access: Access, *, urn: str | None) -> list[dict[str, Any]]:
    """Reviews and assessments by school and kind: how many there are, how many are due and
    overdue (due and not yet signed by all), and how far they have got. Counts only, for a
    trust token as for the school's assessors."""
    schools = [school for school, _reach in access.schools_for(INDUCTION_COUNTS, urn)]
    inductions = _inductions(schools)
    held = _held(
        InductionReview.objects.activity_in([s.pk for s in schools]).values_list(
            "induction", "kind", "period", *STATUS_COLUMNS
        )
    )
    plans = _plans(inductions)
    today = timezone.localdate()
    found: dict[tuple[int, str], _Summary] = {}
    for induction in inductions:
        kinds: set[str] = set()
        for point in plans[induction.pk].points:
            kind = str(point.kind)
            into = found.setdefault((induction.school_id, kind), _Summary())
            if kind not in kinds:
                kinds.add(kind)
                into.ects += 1
            _count(into, point.due_on, today, held.get((induction.pk, kind, period_of(point))))
    by_pk = {school.pk: school for school in schools}
    return [
        {
            **school_fields(by_pk[school_id]),
            "review_kind": kind,
            **{f.name: getattr(summary, f.name) for f in fields(summary)},
        }
        for (school_id, kind), summary in found.items()
    ]


def _count(into: _Summary, due_on: dt.date, today: dt.date, review: tuple[Any, ...] | None) -> None:
    reached = status(review)
    into.reviews += 1
    attribute = reached.replace(" ", "_")
    setattr(into, attribute, getattr(into, attribute) + 1)
    if due_on <= today:
        into.due += 1
        into.overdue += reached != "signed by all"
