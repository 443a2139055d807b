"""Completion figures: planned against held drop-ins and meetings (domain §2 and §6).

Leaders see activity counts, never notes (domain §3): every figure here is a count of sessions,
and nothing reads an observation or meeting beyond the time it happened.

Definitions
    planned   sessions due so far: held, missed, cancelled, or planned with the day over and no
              record. Today's unrecorded sessions are not yet due; future ones never are.
    held      sessions marked done.
    counted   a moved original (`rescheduled`) is replaced by its new session, and so is a missed
              session that was booked again; each planned occasion counts once. Missed-and-rebooked
              sessions still appear in the reasons table, because the miss happened.
    coach     the pair's coach: a session covered by another coach still counts for the pair.

Every function runs a fixed number of queries, however many sessions, pairs or weeks there are,
and reads counters (reporting/models.py, docs/counters.md) rather than the sessions themselves.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import (
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.utils import timezone

from coachroom.accounts.models import CoachingRelationship, School, Term, User
from coachroom.coaching.models import Observation
from coachroom.core.charts import percent
from coachroom.reporting.models import PairSessionCount, SchoolSessionCount, SessionTallyFields
from coachroom.scheduling.models import SessionKind, SessionOccurrence

Status = SessionOccurrence.Status
ONE_DAY = dt.timedelta(days=1)
KIND_CHOICES = [
    ("", "Drop-ins and meetings"),
    (SessionKind.DROP_IN.value, "Drop-ins"),
    (SessionKind.MEETING.value, "Feedback meetings"),
]


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=_zone())


# The tables that name people: for coaching leads (the school) and coaches (their own pairs).
NAMED_TABLES = ("coach", "coachee")
PAIR_COLUMNS = (
    "pk", "started_on", "ended_on",
    "coachee__first_name", "coachee__last_name", "coachee__email",
    "coach__first_name", "coach__last_name", "coach__email",
    "last_drop_in", "last_observed",
)  # fmt: skip


@dataclass(frozen=True)
class Tally:
    """Counts for one row of a table: a week, a half-term, a coach, a coachee or the school."""

    drop_ins_planned: int = 0
    drop_ins_held: int = 0
    meetings_planned: int = 0
    meetings_held: int = 0
    missed: int = 0
    cancelled: int = 0
    unrecorded: int = 0

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Tally:
        return cls(**{f.name: row.get(f.name) or 0 for f in fields(cls)})

    def __add__(self, other: Tally) -> Tally:
        return Tally(
            **{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)}
        )

    @property
    def planned(self) -> int:
        return self.drop_ins_planned + self.meetings_planned

    @property
    def held(self) -> int:
        return self.drop_ins_held + self.meetings_held

    @property
    def percent(self) -> int | None:
        return percent(self.held, self.planned)

    @property
    def drop_ins_percent(self) -> int | None:
        return percent(self.drop_ins_held, self.drop_ins_planned)

    @property
    def meetings_percent(self) -> int | None:
        return percent(self.meetings_held, self.meetings_planned)


def _tally_sums() -> dict[str, Sum]:
    """A tally from counter buckets (reporting/models.py)."""
    drop_in, meeting = Q(kind=SessionKind.DROP_IN), Q(kind=SessionKind.MEETING)
    return {
        "drop_ins_planned": Sum("planned", filter=drop_in),
        "drop_ins_held": Sum("held", filter=drop_in),
        "meetings_planned": Sum("planned", filter=meeting),
        "meetings_held": Sum("held", filter=meeting),
        "missed": Sum("missed"),
        "cancelled": Sum("cancelled"),
        "unrecorded": Sum("unrecorded"),
    }


# A counter bucket as `day_rows` reads it, and `TodayRow`'s fields as read from a session.
DAY_COLUMNS = ("day", "week", "kind", "reason", *SessionTallyFields.TALLY)
TODAY_COLUMNS = (
    "relationship", "relationship__coach",
    "relationship__coach__first_name", "relationship__coach__last_name",
    "kind", "status", "reason", "rescheduled_to",
)  # fmt: skip


@dataclass(frozen=True)
class TodayRow:
    """One of today's sessions that is already held, missed or cancelled."""

    pair: int
    coach: int
    first: str | None
    last: str | None
    kind: str
    status: str
    reason: str
    rescheduled_to: int | None

    @property
    def rebooked(self) -> int:
        return int(self.rescheduled_to is not None)

    @property
    def tally(self) -> Tally | None:
        """What it adds to the planned and held figures: nothing if missed and rebooked."""
        if self.status == Status.MISSED and self.rebooked:
            return None
        drop_in = self.kind == SessionKind.DROP_IN
        held = int(self.status == Status.DONE)
        return Tally(
            drop_ins_planned=int(drop_in),
            drop_ins_held=held if drop_in else 0,
            meetings_planned=int(not drop_in),
            meetings_held=0 if drop_in else held,
            missed=int(self.status == Status.MISSED),
            cancelled=int(self.status == Status.CANCELLED),
        )


@dataclass(frozen=True)
class Row:
    label: str
    tally: Tally
    key: Any = None
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None


@dataclass(frozen=True)
class CoacheeRow:
    coachee: str
    coach: str
    tally: Tally
    last_seen: dt.date | None
    is_current: bool
    unseen_weeks: int | None  # set when flagged: whole weeks since the last drop-in (or the start)
    started_on: dt.date | None = None

    @property
    def flag(self) -> str:
        if self.unseen_weeks is None:
            return ""
        weeks = f"{self.unseen_weeks} week{'' if self.unseen_weeks == 1 else 's'}"
        if self.last_seen is None:
            return f"Not seen for {weeks}: no drop-in since the pairing began"
        return f"Not seen for {weeks}"


@dataclass(frozen=True)
class ReasonRow:
    label: str
    missed: int
    rebooked: int
    cancelled: int


@dataclass(frozen=True)
class Filters:
    """What the dashboard shows: dates are inclusive, in the school's time zone."""

    start: dt.date
    end: dt.date
    kind: str = ""
    coach: User | None = None  # a leader's choice of one coach's pairs


@dataclass
class CompletionReport:
    school: School
    filters: Filters
    is_leader: bool
    names_visible: bool
    weeks: list[Row]
    half_terms: list[Row]
    coaches: list[Row]
    coachees: list[CoacheeRow]
    reasons: list[ReasonRow]
    totals: Tally = field(default_factory=Tally)

    @property
    def unseen_count(self) -> int:
        return sum(1 for row in self.coachees if row.unseen_weeks is not None)

    @property
    def unseen_weeks_alert(self) -> int:
        return self.school.unseen_weeks_alert

    @property
    def is_empty(self) -> bool:
        return not self.weeks and not self.reasons


def default_range(school: School, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The current academic year up to today; failing a year, from 1 September."""
    today = today or timezone.localdate()
    year = school.current_year(today)
    if year is not None and year.starts_on <= today:
        return year.starts_on, today
    return dt.date(today.year if today.month >= 9 else today.year - 1, 9, 1), today


class CompletionQuery:
    """The sessions one viewer may count, narrowed by the dashboard's filters.

    Days before today are read from the counters (reporting/models.py): the school's buckets
    when the figures cover the whole school, the pairs' buckets otherwise. Today is counted
    from its raw sessions (only those already held, missed or cancelled are due), once a page.
    """

    def __init__(
        self,
        *,
        school: School,
        viewer_coach: User | None,
        filters: Filters,
        names_visible: bool = True,
    ) -> None:
        """`viewer_coach` is set for a coach who is not a leader: they see their own pairs only.
        Without `names_visible` (senior leaders, school admins) there are no tables by coach or
        by coachee, only counts."""
        self.school = school
        self.filters = filters
        self.is_leader = viewer_coach is None
        self.names_visible = names_visible
        self.pair_coach = viewer_coach or filters.coach
        self.now = timezone.now()
        self.today = timezone.localdate(self.now)
        self._today_rows: list[TodayRow] | None = None
        self._day_rows: list[tuple[Any, ...]] | None = None
        self._by_pair: dict[int, Tally] | None = None

    # Querysets ------------------------------------------------------------------------------

    def pairs(self) -> QuerySet[CoachingRelationship]:
        pairs = CoachingRelationship.objects.for_school(self.school)
        if self.pair_coach is not None:
            pairs = pairs.filter(coach=self.pair_coach)
        return pairs

    def _in_range(self, counts: QuerySet[Any]) -> QuerySet[Any]:
        """Buckets of the days before today in the range, of the kind chosen."""
        counts = counts.filter(
            day__gte=self.filters.start, day__lte=min(self.filters.end, self.today - ONE_DAY)
        )
        if self.filters.kind:
            counts = counts.filter(kind=self.filters.kind)
        return counts

    def pair_counts(self) -> QuerySet[PairSessionCount]:
        counts = PairSessionCount.objects.filter(school=self.school)
        if self.pair_coach is not None:
            counts = counts.filter(relationship__coach=self.pair_coach)
        return self._in_range(counts)

    def counts(self) -> QuerySet[Any]:
        """The buckets the school-wide tables read: the school's own, unless narrowed to one
        coach's pairs."""
        if self.pair_coach is not None:
            return self.pair_counts()
        return self._in_range(SchoolSessionCount.objects.filter(school=self.school))

    def today_sessions(self) -> QuerySet[SessionOccurrence] | None:
        """Today's sessions in scope that are already held, missed or cancelled; None when
        today is outside the range."""
        if not self.filters.start <= self.today <= self.filters.end:
            return None
        sessions = SessionOccurrence.objects.for_school(self.school).filter(
            starts_at__gte=_midnight(self.today),
            starts_at__lt=self.now,
            status__in=[Status.DONE, Status.MISSED, Status.CANCELLED],
        )
        if self.pair_coach is not None:
            sessions = sessions.filter(relationship__coach=self.pair_coach)
        if self.filters.kind:
            sessions = sessions.filter(kind=self.filters.kind)
        return sessions

    def today_rows(self) -> list[TodayRow]:
        """`today_sessions` as rows: one small query, shared by every table."""
        if self._today_rows is None:
            sessions = self.today_sessions()
            rows = [] if sessions is None else sessions.order_by().values_list(*TODAY_COLUMNS)
            self._today_rows = [TodayRow(*row) for row in rows]
        return self._today_rows

    def preload(self, *, day_rows: list[tuple[Any, ...]], today_rows: list[TodayRow]) -> None:
        """Rows read for several schools at once (`completion_many.preload`)."""
        self._day_rows, self._today_rows = day_rows, today_rows

    def any_sessions(self) -> bool:
        """Has anything ever been timetabled for these pairs? (For the empty state.)"""
        sessions = SessionOccurrence.objects.for_school(self.school)
        if self.pair_coach is not None:
            sessions = sessions.filter(relationship__coach=self.pair_coach)
        return sessions.exists()

    # Tables ---------------------------------------------------------------------------------

    def day_rows(self) -> list[tuple[Any, ...]]:
        """The buckets in range, read once: (day, week, kind, reason, *TALLY) each. A whole
        school's buckets are a few hundred rows a year, whatever its size."""
        if self._day_rows is None:
            self._day_rows = list(self.counts().order_by().values_list(*DAY_COLUMNS))
        return self._day_rows

    def _tallies(self, key_of: Callable[[tuple[Any, ...]], Any]) -> dict[Any, Tally]:
        """Sum the buckets by `key_of(bucket)`, then add today's sessions (as `today` buckets)."""
        sums: dict[Any, list[int]] = {}
        for row in self.day_rows():
            _day, _week, kind, _reason, planned, held, missed, _rebooked, cancelled, unrec = row
            if not planned:
                continue
            key = key_of(row)
            into = sums.get(key)
            if into is None:
                into = sums[key] = [0] * 7
            offset = 0 if kind == SessionKind.DROP_IN else 2
            into[offset] += planned
            into[offset + 1] += held
            into[4] += missed
            into[5] += cancelled
            into[6] += unrec
        tallies = {key: Tally(*into) for key, into in sums.items()}
        week = self.today - dt.timedelta(days=self.today.weekday())
        for today in self.today_rows():
            if today.tally is not None:
                key = key_of((self.today, week, today.kind, today.reason))
                tallies[key] = tallies.get(key, Tally()) + today.tally
        return tallies

    def by_week(self) -> list[Row]:
        counts = self._tallies(lambda row: row[1])
        return [
            Row(
                label=_day_label(week),
                tally=counts[week],
                key=week,
                starts_on=week,
                ends_on=week + dt.timedelta(days=6),
            )
            for week in sorted(counts)
        ]

    def by_half_term(self) -> list[Row]:
        """The school's half-terms that overlap the range and have begun, in order."""
        last_day = min(self.filters.end, self.today)
        terms = list(
            Term.objects.filter(
                school=self.school, starts_on__lte=last_day, ends_on__gte=self.filters.start
            )
            .select_related("academic_year")
            .order_by("starts_on", "pk")
        )
        several_years = len({t.academic_year_id for t in terms}) > 1

        def term_of(row: tuple[Any, ...]) -> int:
            day = row[0]
            return next((t.pk for t in terms if t.starts_on <= day <= t.ends_on), 0)

        counts = self._tallies(term_of)
        rows = [
            Row(
                label=f"{t.name} {t.academic_year.name}" if several_years else t.name,
                tally=counts.get(t.pk, Tally()),
                key=t.pk,
                starts_on=t.starts_on,
                ends_on=t.ends_on,
            )
            for t in terms
        ]
        if 0 in counts:
            rows.append(Row(label="Outside term dates", tally=counts[0], key=0))
        return rows

    def by_pair(self) -> dict[int, Tally]:
        """Each pair's tally in the range, from the pairs' buckets, read once."""
        if self._by_pair is None:
            self._by_pair = {
                row["relationship"]: Tally.from_row(row)
                for row in self.pair_counts()
                .filter(planned__gt=0)
                .values("relationship")
                .annotate(**_tally_sums())
                .order_by()
            }
            for today in self.today_rows():
                if today.tally is not None:
                    self._by_pair[today.pair] = self._by_pair.get(today.pair, Tally()) + today.tally
        return self._by_pair

    def by_coach(self) -> list[Row]:
        """Every coach with sessions due, by name: a thank-you list, never a ranking."""
        counts = self.by_pair()
        coaches: dict[int, tuple[str, str, Tally]] = {}
        for pair, coach, first, last in (
            CoachingRelationship.objects.filter(pk__in=list(counts))
            .order_by("coach__last_name", "coach__first_name", "coach")
            .values_list("pk", "coach", "coach__first_name", "coach__last_name")
        ):
            _first, _last, tally = coaches.get(coach, (first, last, Tally()))
            coaches[coach] = (first, last, tally + counts[pair])
        return [
            Row(label=_name(first, last), tally=tally, key=coach)
            for coach, (first, last, tally) in coaches.items()
        ]

    def by_coachee(self) -> list[CoacheeRow]:
        """Current pairs, and any earlier pair with sessions due in the range, by coachee."""
        counts = self.by_pair()
        current = (
            (Q(ended_on__isnull=True) | Q(ended_on__gt=self.today))
            & Q(started_on__lte=self.filters.end)
            & Q(academic_year__ends_on__gte=self.filters.start)
        )
        pairs = (
            self.pairs()
            .filter(current | Q(pk__in=list(counts)))
            .annotate(**self._last_seen())
            .order_by("coachee__last_name", "coachee__first_name", "coach__last_name", "pk")
            .values_list(*PAIR_COLUMNS)  # plain values: one row a pair, no model instances
        )
        alert = dt.timedelta(weeks=self.school.unseen_weeks_alert)
        return [self._coachee_row(row, counts.get(row[0], Tally()), alert) for row in pairs]

    def _last_seen(self) -> dict[str, Subquery]:
        """A pair's last held drop-in session and last submitted drop-in, up to now."""
        last_drop_in = SessionOccurrence.objects.filter(
            relationship=OuterRef("pk"),
            kind=SessionKind.DROP_IN,
            status=Status.DONE,
            starts_at__lte=self.now,
        ).order_by("-starts_at")
        last_observed = (
            Observation.objects.activity_in(self.school)
            .filter(
                relationship=OuterRef("pk"),
                status=Observation.Status.SUBMITTED,
                observed_at__lte=self.now,
            )
            .order_by("-observed_at")
        )
        return {
            "last_drop_in": Subquery(last_drop_in.values("starts_at")[:1]),
            "last_observed": Subquery(last_observed.values("observed_at")[:1]),
        }

    def _coachee_row(self, row: tuple[Any, ...], tally: Tally, alert: dt.timedelta) -> CoacheeRow:
        _pk, started_on, ended_on, *names, last_drop_in, last_observed = row
        seen = [t for t in (last_drop_in, last_observed) if t is not None]
        last_seen = timezone.localdate(max(seen)) if seen else None
        is_current = ended_on is None or ended_on > self.today
        since = last_seen or started_on
        flagged = is_current and since <= self.today and self.today - since > alert
        return CoacheeRow(
            coachee=_full_name(*names[:3]),
            coach=_full_name(*names[3:]),
            tally=tally,
            last_seen=last_seen,
            is_current=is_current,
            unseen_weeks=(self.today - since).days // 7 if flagged else None,
            started_on=started_on,
        )

    def reasons(self) -> list[ReasonRow]:
        """Why sessions did not happen: every miss counts here, even when rebooked."""
        found: dict[str, list[int]] = {}
        for _day, _week, _kind, reason, *tally in self.day_rows():
            _planned, _held, missed, rebooked, cancelled, _unrecorded = tally
            if missed or rebooked or cancelled:
                row = found.setdefault(reason, [0, 0, 0])
                row[0] += missed + rebooked
                row[1] += rebooked
                row[2] += cancelled
        for today in self.today_rows():
            if today.status in (Status.MISSED, Status.CANCELLED):
                row = found.setdefault(today.reason, [0, 0, 0])
                if today.status == Status.CANCELLED:
                    row[2] += 1
                else:
                    row[0] += 1
                    row[1] += today.rebooked
        known = list(SessionOccurrence.Reason.values)
        ordered = [*known, *sorted(set(found) - set(known))]
        labels = dict(SessionOccurrence.Reason.choices)
        return [
            ReasonRow(
                label=str(labels.get(reason, "No reason given")),
                missed=found[reason][0],
                rebooked=found[reason][1],
                cancelled=found[reason][2],
            )
            for reason in ordered
            if reason in found
        ]

    # The whole page -------------------------------------------------------------------------

    def report(self) -> CompletionReport:
        weeks = self.by_week()
        totals = Tally()
        for row in weeks:
            totals += row.tally
        return CompletionReport(
            school=self.school,
            filters=self.filters,
            is_leader=self.is_leader,
            names_visible=self.names_visible,
            weeks=weeks,
            half_terms=self.by_half_term(),
            coaches=self.by_coach() if self.is_leader and self.names_visible else [],
            coachees=self.by_coachee(),
            reasons=self.reasons(),
            totals=totals,
        )


def _day_label(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


def _full_name(first: str, last: str, email: str) -> str:
    """`User.full_name` from the columns alone."""
    return f"{first} {last}".strip() or email


def _name(first: str | None, last: str | None) -> str:
    return f"{first or ''} {last or ''}".strip() or "Unnamed coach"


def tally_cells(t: Tally) -> list[object]:
    """A tally as a spreadsheet row, in the order of the exports' header."""
    return [
        t.planned,
        t.held,
        "" if t.percent is None else t.percent,
        t.drop_ins_planned,
        t.drop_ins_held,
        t.meetings_planned,
        t.meetings_held,
        t.missed,
        t.cancelled,
        t.unrecorded,
    ]
