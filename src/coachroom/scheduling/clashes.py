"""Clashes: does a proposed slot or session overlap another session of anyone involved?

Everyone involved is checked in either role: the coach (covering included) and the coachee,
since coaches and leads are often coached themselves. A person's sessions in every school they
belong to count, because a person has one diary. `Busy` loads a person's planned sessions once;
the matching itself is pure, so a whole year of a slot, or a team of pairs, costs one query.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from coachroom.accounts.models import CoachingRelationship, User
from coachroom.core.errors import ClashError
from coachroom.scheduling.models import ScheduledSlot, SessionOccurrence

Window = tuple[dt.datetime, dt.datetime]

SCHOOL_DAY = (dt.time(8, 0), dt.time(17, 30))  # free times are proposed within these hours
STEP = dt.timedelta(minutes=5)


def overlaps(a: Window, b: Window) -> bool:
    """Half-open intervals: a session ending at 10:00 does not clash with one starting then."""
    return a[0] < b[1] and b[0] < a[1]


@dataclass(frozen=True)
class Clash:
    """One person, already busy at a time the proposal wants."""

    person: User
    role: str  # "coach" or "coachee"
    starts_at: dt.datetime
    ends_at: dt.datetime
    what: str
    pair_label: str = ""  # which proposed pair it concerns, for team set-ups

    def __str__(self) -> str:
        when = timezone.localtime(self.starts_at)
        return (
            f"{self.person.full_name} is already {self.what} on "
            f"{when:%A %-d %B} at {when:%H:%M}–{timezone.localtime(self.ends_at):%H:%M}"
        )


def clash_error(clashes: Sequence[Clash], free: Sequence[object] = ()) -> ClashError:
    """Nothing was planned: say how many clashes, and whose."""
    people = sorted({c.person.full_name for c in clashes})
    return ClashError(
        f"This time clashes with {len(clashes)} other session{'s' if len(clashes) != 1 else ''} "
        f"of {', '.join(people)}. Choose a free time, or book it anyway with a reason.",
        clashes,
        free,
    )


def _what(session: SessionOccurrence, person: User) -> str:
    kind = session.get_kind_display().lower()
    pair = session.relationship
    if session.coach_id == person.pk:
        role = "covering a" if session.coach_id != pair.coach_id else "leading a"
        return f"{role} {kind} with {pair.coachee.full_name}"
    return f"being coached ({kind} with {session.coach.full_name})"


@dataclass
class Entry:
    window: Window
    person: User
    role: str
    what: str


@dataclass
class Busy:
    """Everyone's planned sessions in a date range, plus proposals accepted so far."""

    entries: list[Entry] = field(default_factory=list)

    @classmethod
    def load(
        cls,
        people: Iterable[User],
        start: dt.date,
        end: dt.date,
        *,
        exclude_slot: ScheduledSlot | None = None,
        exclude_sessions: Iterable[int] = (),
    ) -> Busy:
        by_pk = {p.pk: p for p in people}
        zone = ZoneInfo(settings.TIME_ZONE)
        qs = (
            SessionOccurrence.objects.planned()
            .filter(Q(coach__in=list(by_pk)) | Q(relationship__coachee__in=list(by_pk)))
            .filter(
                starts_at__gte=dt.datetime.combine(start, dt.time(), tzinfo=zone),
                starts_at__lt=dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), zone),
            )
            .exclude(pk__in=list(exclude_sessions))
            .select_related("coach", "relationship__coachee", "relationship__coach")
        )
        if exclude_slot is not None and exclude_slot.pk:
            qs = qs.exclude(slot=exclude_slot)
        busy = cls()
        for session in qs:
            window = (session.starts_at, session.ends_at)
            for pk, role in (
                (session.coach_id, "coach"),
                (session.relationship.coachee_id, "coachee"),
            ):
                if pk in by_pk:
                    person = by_pk[pk]
                    busy.entries.append(Entry(window, person, role, _what(session, person)))
        return busy

    def clashes(
        self, windows: Iterable[Window], people: Iterable[User], *, pair_label: str = ""
    ) -> list[Clash]:
        ids = {p.pk for p in people}
        found = []
        for window in windows:
            for entry in self.entries:
                if entry.person.pk in ids and overlaps(window, entry.window):
                    found.append(
                        Clash(
                            entry.person,
                            entry.role,
                            entry.window[0],
                            entry.window[1],
                            entry.what,
                            pair_label,
                        )
                    )
        return found

    def is_free(self, windows: Iterable[Window], people: Iterable[User]) -> bool:
        return not self.clashes(windows, people)

    def add(self, windows: Iterable[Window], people: Iterable[User], what: str) -> None:
        """Count a proposal as busy, so later pairs in the same set-up are checked against it."""
        for window in windows:
            for person in people:
                self.entries.append(Entry(window, person, "coach", what))


def people_of(relationship: CoachingRelationship, coach: User | None = None) -> list[User]:
    """Everyone a session of this pair involves: its coach (or the cover) and the coachee."""
    found = {relationship.coachee_id: relationship.coachee}
    chosen = coach or relationship.coach
    found[chosen.pk] = chosen
    return list(found.values())


def session_window(starts_at: dt.datetime, minutes: int) -> Window:
    return (starts_at, starts_at + dt.timedelta(minutes=minutes))


def times_near(wanted: dt.time, minutes: int) -> list[dt.time]:
    """Start times within the school day, nearest to the one wanted first (later wins ties)."""
    base = dt.datetime.combine(dt.date(2000, 1, 3), wanted)
    first = dt.datetime.combine(base.date(), SCHOOL_DAY[0])
    last = dt.datetime.combine(base.date(), SCHOOL_DAY[1]) - dt.timedelta(minutes=minutes)
    options = []
    moment = first
    while moment <= last:
        options.append(moment)
        moment += STEP
    options.sort(key=lambda m: (abs(m - base), m < base))
    return [m.time() for m in options]


def clashes_for_session(
    *,
    relationship: CoachingRelationship,
    starts_at: dt.datetime,
    minutes: int,
    coach: User | None = None,
    exclude: Iterable[int] = (),
) -> list[Clash]:
    """Clashes of one session (a move, a cover, a booked drop-in) for everyone involved."""
    people = people_of(relationship, coach)
    day = timezone.localdate(starts_at)
    busy = Busy.load(people, day, day, exclude_sessions=exclude)
    return busy.clashes([session_window(starts_at, minutes)], people)


def free_times_for_session(
    *,
    relationship: CoachingRelationship,
    days: Iterable[dt.date],
    wanted: dt.time,
    minutes: int,
    coach: User | None = None,
    exclude: Iterable[int] = (),
    count: int = 3,
) -> list[dt.datetime]:
    """The nearest free times, school day by school day, for everyone involved."""
    days = list(days)
    if not days:
        return []
    people = people_of(relationship, coach)
    busy = Busy.load(people, min(days), max(days), exclude_sessions=exclude)
    zone = ZoneInfo(settings.TIME_ZONE)
    found: list[dt.datetime] = []
    for day in days:
        for time in times_near(wanted, minutes):
            moment = dt.datetime.combine(day, time, tzinfo=zone)
            if moment > timezone.now() and busy.is_free([session_window(moment, minutes)], people):
                found.append(moment)
                break  # one proposal a day: the nearest to the time wanted
        if len(found) >= count:
            break
    return found


def assert_no_clashes(clashes: Sequence[Clash], override_reason: str) -> None:
    """Refuse a clashing proposal unless someone has said why it must go ahead."""
    if clashes and not override_reason.strip():
        raise clash_error(clashes)
