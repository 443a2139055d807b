"""How often the mentor meets the ECT, following the induction: weekly in year 1 and
fortnightly in year 2 (statutory guidance), pro rata for part-time ECTs.

A part-time ECT's induction is longer in calendar time, so their mentoring is spread out in
the same proportion: meetings a week = 1 (year 1) or ½ (year 2) × FTE, rounded to the nearer
of the two rhythms a timetable has, weekly or fortnightly. So year 1 is weekly from 0.75 FTE
and fortnightly below it; year 2 is always fortnightly (the least often a slot comes round).

The ECT's mentoring pair and its timetabled slots follow the rule when the induction is set up
or changed, and every evening for the next day (`cadence_jobs`), so year 2 is fortnightly from
its first day without anyone remembering to."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from coachroom.accounts.models import CoachingRelationship, User
from coachroom.core.errors import DomainError
from coachroom.core.jobs import DueJob
from coachroom.induction.dates import plan_for
from coachroom.induction.models import Induction
from coachroom.scheduling import services as scheduling
from coachroom.scheduling.models import ScheduledSlot

logger = logging.getLogger(__name__)

Cadence = CoachingRelationship.Cadence
WEEKLY_FROM = Decimal("0.75")  # meetings a week at or above which weekly is the nearer rhythm
CADENCE_FROM = dt.time(19, 0)  # the nightly run, after the school day, for the next day


def mentoring_cadence(induction: Induction, today: dt.date | None = None) -> str | None:
    """The rhythm for `today`; None once induction is over (nothing to follow then)."""
    plan = plan_for(induction)
    day = today or timezone.localdate()
    if day > plan.ends_on:
        return None
    year = plan.year_on(day) or 1  # set up ahead of the start: year 1's rhythm
    per_week = (Decimal(1) if year == 1 else Decimal("0.5")) * induction.fte
    return Cadence.WEEKLY if per_week >= WEEKLY_FROM else Cadence.FORTNIGHTLY


@dataclass
class Followed:
    pairs_changed: int = 0
    problems: list[str] = field(default_factory=list)  # slots that could not follow, and why


@transaction.atomic
def cadence_follow(induction: Induction, *, today: dt.date, by: User | None) -> Followed:
    """Put the ECT's current mentoring pairs and their active slots on the rhythm for `today`.
    A slot that would clash if it came round more often keeps its rhythm, and the problem is
    returned for the person or the log."""
    cadence = mentoring_cadence(induction, today)
    followed = Followed()
    if cadence is None:
        return followed
    pairs = CoachingRelationship.objects.current().filter(
        school=induction.school, coachee=induction.ect, kind=CoachingRelationship.Kind.ECF
    )
    followed.pairs_changed = pairs.exclude(cadence=cadence).update(cadence=cadence)
    slots = ScheduledSlot.objects.filter(relationship__in=pairs, is_active=True).exclude(
        cadence=cadence
    )
    for slot in slots.select_related("relationship__coachee", "school"):
        try:
            scheduling.slot_change_cadence(slot=slot, cadence=cadence, from_date=today, by=by)
        except DomainError as error:
            followed.problems.append(f"The {slot} slot stays as it is: {error}")
    return followed


@task()
def follow_cadences(day: str) -> dict[str, int]:
    """Every induction's mentoring on the rhythm for `day`."""
    today = dt.date.fromisoformat(day)
    changed = kept = 0
    mentored = Induction.objects.filter(
        ect__coached_by__kind=CoachingRelationship.Kind.ECF,
        ect__coached_by__ended_on__isnull=True,
    )
    for induction in mentored.select_related("school", "ect").distinct():
        followed = cadence_follow(induction, today=today, by=None)
        changed += followed.pairs_changed
        kept += len(followed.problems)
        for problem in followed.problems:
            logger.warning("mentoring slot kept its rhythm", extra={"problem": problem})
    return {"pairs_changed": changed, "slots_kept": kept}


def cadence_jobs(now: dt.datetime) -> list[DueJob]:
    """The nightly run, due once a day from `CADENCE_FROM`, school time: it sets tomorrow's
    rhythm, so a pair is on the new one from the first day it applies."""
    local = timezone.localtime(now)
    if local.time() < CADENCE_FROM:
        return []
    tomorrow = local.date() + dt.timedelta(days=1)
    return [(f"job:induction-cadence:{tomorrow}", follow_cadences, {"day": tomorrow.isoformat()})]
