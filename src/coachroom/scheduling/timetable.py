"""The school timetable a slot follows: which days are school days, the dates a slot falls
on, and whether a proposed slot (or a team's) clashes with anyone's sessions across the year."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings

from coachroom.accounts.models import AcademicYear, CoachingRelationship
from coachroom.scheduling.clashes import Busy, Clash, Window, people_of, session_window, times_near
from coachroom.scheduling.models import DEFAULT_MINUTES, ScheduledSlot, SessionKind
from coachroom.scheduling.tapering.models import WEEKS_APART


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def at(day: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=_zone())


class SchoolDays:
    """Which dates are school days of one academic year (the school calendar's rule, within
    the year)."""

    def __init__(self, year: AcademicYear) -> None:
        self.calendar = year.calendar()
        self.terms = self.calendar.terms
        self.ends_on = year.ends_on

    def __contains__(self, day: dt.date) -> bool:
        return day <= self.ends_on and self.calendar.is_school_day(day)


def slot_dates(slot: ScheduledSlot, days: SchoolDays, *, from_date: dt.date) -> list[dt.date]:
    """The school days a slot falls on, from `from_date` to its end (or the year's)."""
    end = min(slot.ends_on or days.ends_on, days.ends_on)
    first = slot.starts_on + dt.timedelta(days=(slot.weekday - slot.starts_on.weekday()) % 7)
    step = dt.timedelta(weeks=WEEKS_APART.get(slot.cadence, 1))
    dates, day = [], first
    while day <= end:
        if day >= from_date and day in days:
            dates.append(day)
        day += step
    return dates


def slot_windows(slot: ScheduledSlot, *, from_date: dt.date) -> list[Window]:
    """Every session a slot would plan, as time windows."""
    days = SchoolDays(slot.relationship.academic_year)
    return [
        session_window(at(day, slot.start_time), slot.minutes)
        for day in slot_dates(slot, days, from_date=from_date)
    ]


def load_busy(
    slots: list[ScheduledSlot], *, from_date: dt.date, exclude_slot: ScheduledSlot | None = None
) -> Busy:
    people = {p.pk: p for s in slots for p in people_of(s.relationship)}
    end = max((s.relationship.academic_year.ends_on for s in slots), default=from_date)
    return Busy.load(people.values(), from_date, end, exclude_slot=exclude_slot)


def slot_clashes(
    slot: ScheduledSlot, *, from_date: dt.date, exclude_slot: ScheduledSlot | None = None
) -> list[Clash]:
    """Clashes of a proposed (unsaved) or moved slot, over the rest of the year."""
    busy = load_busy([slot], from_date=from_date, exclude_slot=exclude_slot)
    return busy.clashes(slot_windows(slot, from_date=from_date), people_of(slot.relationship))


def team_clashes(
    relationships: Iterable[CoachingRelationship], **slot_fields: Any
) -> dict[CoachingRelationship, list[Clash]]:
    """Each pair's clashes in a team set-up, counting the pairs before it as booked too."""
    slots = [unsaved_slot(r, **slot_fields) for r in relationships]
    from_date = slot_fields["starts_on"]
    busy = load_busy(slots, from_date=from_date)
    found: dict[CoachingRelationship, list[Clash]] = {}
    for slot in slots:
        pair = slot.relationship
        label = f"{pair.coach.full_name} → {pair.coachee.full_name}"
        windows, people = slot_windows(slot, from_date=from_date), people_of(pair)
        found[pair] = busy.clashes(windows, people, pair_label=label)
        busy.add(windows, people, f"in this set-up’s slot for {label}")
    return found


def unsaved_slot(relationship: CoachingRelationship, **fields: Any) -> ScheduledSlot:
    kind = fields["kind"]
    return ScheduledSlot(
        school_id=relationship.school_id,
        relationship=relationship,
        kind=kind,
        weekday=fields["weekday"],
        start_time=fields["start_time"],
        minutes=fields.get("minutes") or DEFAULT_MINUTES[SessionKind(kind)],
        cadence=fields.get("cadence") or relationship.cadence,
        starts_on=fields["starts_on"],
        ends_on=fields.get("ends_on"),
    )


def free_slot_times(
    slot: ScheduledSlot,
    *,
    from_date: dt.date,
    exclude_slot: ScheduledSlot | None = None,
    count: int = 3,
) -> list[tuple[int, dt.time]]:
    """The nearest weekday and start times at which the whole series is free for everyone:
    the same day first, nearest time first, then the other days."""
    busy = load_busy([slot], from_date=from_date, exclude_slot=exclude_slot)
    people = people_of(slot.relationship)
    days = sorted(range(5), key=lambda d: (d != slot.weekday, abs(d - slot.weekday), d))
    found: list[tuple[int, dt.time]] = []
    for weekday in days:
        for time in times_near(slot.start_time, slot.minutes)[:48]:
            slot.weekday, slot.start_time, wanted = weekday, time, (slot.weekday, slot.start_time)
            free = busy.is_free(slot_windows(slot, from_date=from_date), people)
            slot.weekday, slot.start_time = wanted
            if free:
                found.append((weekday, time))
                break
        if len(found) >= count:
            break
    return found
