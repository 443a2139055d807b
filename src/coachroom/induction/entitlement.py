"""Time and entitlement, as counts only: mentor meetings held against planned (from the
timetable of the ECT's mentoring pairs) and hours off timetable recorded against those due.
Never what was said or written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from coachroom.accounts.models import CoachingRelationship, School
from coachroom.induction.models import Induction, TimeOff
from coachroom.induction.periods import InductionPlan, time_off_due
from coachroom.scheduling.models import SessionKind, SessionOccurrence

Status = SessionOccurrence.Status


@dataclass(frozen=True)
class Entitlement:
    meetings_held: int = 0
    meetings_planned: int = 0
    time_off_hours: Decimal = Decimal("0")
    time_off_due: Decimal | None = None  # None until the timetable hours are known

    def __add__(self, other: Entitlement) -> Entitlement:
        due = (
            None
            if self.time_off_due is None and other.time_off_due is None
            else (self.time_off_due or 0) + (other.time_off_due or 0)
        )
        return Entitlement(
            self.meetings_held + other.meetings_held,
            self.meetings_planned + other.meetings_planned,
            self.time_off_hours + other.time_off_hours,
            Decimal(due) if due is not None else None,
        )


def _meetings(school: School, ect_ids: list[int], now: dt.datetime) -> dict[int, tuple[int, int]]:
    """(held, planned) mentor meetings so far by ECT: one query. A missed meeting that was
    booked again counts once, as its new session."""
    sessions = (
        SessionOccurrence.objects.filter(
            school=school,
            kind=SessionKind.MEETING,
            starts_at__lt=now,
            relationship__kind=CoachingRelationship.Kind.ECF,
            relationship__coachee__in=ect_ids,
        )
        .exclude(status=Status.RESCHEDULED)
        .exclude(status=Status.MISSED, rescheduled_to__isnull=False)
        .values("relationship__coachee")
        .annotate(planned=Count("pk"), held=Count("pk", filter=Q(status=Status.DONE)))
    )
    return {row["relationship__coachee"]: (row["held"], row["planned"]) for row in sessions}


def entitlements(
    inductions: Sequence[Induction], plans: dict[int, InductionPlan], school: School
) -> dict[int, Entitlement]:
    """Each induction's counts so far, by id: three queries whatever the number of ECTs."""
    if not inductions:
        return {}
    today = timezone.localdate()
    meetings = _meetings(school, [i.ect_id for i in inductions], timezone.now())
    hours = dict(
        TimeOff.objects.filter(induction__in=inductions)
        .values("induction")
        .annotate(total=Sum("hours"))
        .values_list("induction", "total")
    )
    calendar = school.calendar(from_date=min(i.starts_on for i in inductions))
    result = {}
    for induction in inductions:
        held, planned = meetings.get(induction.ect_id, (0, 0))
        due = None
        if induction.timetable_hours is not None:
            exact = time_off_due(
                plans[induction.pk],
                weekly_hours=induction.timetable_hours,
                calendar=calendar,
                until=today,
            )
            due = Decimal(exact.numerator) / Decimal(exact.denominator)
        result[induction.pk] = Entitlement(
            held, planned, hours.get(induction.pk) or Decimal("0"), _tenth(due)
        )
    return result


def _tenth(value: Decimal | None) -> Decimal | None:
    return value.quantize(Decimal("0.1")) if value is not None else None
