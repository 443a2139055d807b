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

Every function runs a fixed number of queries, however many sessions, pairs or weeks there are.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    DateField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import TruncWeek
from django.utils import timezone

from coachroom.accounts.models import CoachingRelationship, School, Term, User
from coachroom.coaching.models import Observation
from coachroom.core.charts import percent
from coachroom.scheduling.models import SessionKind, SessionOccurrence, SessionQuerySet

Status = SessionOccurrence.Status
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


def _tally_aggregates() -> dict[str, Count]:
    drop_in, meeting = Q(kind=SessionKind.DROP_IN), Q(kind=SessionKind.MEETING)
    held = Q(status=Status.DONE)
    return {
        "drop_ins_planned": Count("pk", filter=drop_in),
        "drop_ins_held": Count("pk", filter=drop_in & held),
        "meetings_planned": Count("pk", filter=meeting),
        "meetings_held": Count("pk", filter=meeting & held),
        "missed": Count("pk", filter=Q(status=Status.MISSED)),
        "cancelled": Count("pk", filter=Q(status=Status.CANCELLED)),
        "unrecorded": Count("pk", filter=Q(status=Status.PLANNED)),
    }


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
    """The sessions one viewer may count, narrowed by the dashboard's filters."""

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

    # Querysets ------------------------------------------------------------------------------

    def pairs(self) -> QuerySet[CoachingRelationship]:
        pairs = CoachingRelationship.objects.for_school(self.school)
        if self.pair_coach is not None:
            pairs = pairs.filter(coach=self.pair_coach)
        return pairs

    def sessions(self) -> SessionQuerySet:
        """In scope and in the date range, whatever their status or time."""
        sessions = SessionOccurrence.objects.for_school(self.school).filter(
            starts_at__gte=_midnight(self.filters.start),
            starts_at__lt=_midnight(self.filters.end + dt.timedelta(days=1)),
        )
        if self.pair_coach is not None:
            sessions = sessions.filter(relationship__coach=self.pair_coach)
        if self.filters.kind:
            sessions = sessions.filter(kind=self.filters.kind)
        return sessions

    def due(self) -> SessionQuerySet:
        """Sessions that count as planned so far (see the module docstring)."""
        return self.sessions().due(self.now)

    def any_sessions(self) -> bool:
        """Has anything ever been timetabled for these pairs? (For the empty state.)"""
        sessions = SessionOccurrence.objects.for_school(self.school)
        if self.pair_coach is not None:
            sessions = sessions.filter(relationship__coach=self.pair_coach)
        return sessions.exists()

    # Tables ---------------------------------------------------------------------------------

    def by_week(self) -> list[Row]:
        week = TruncWeek("starts_at", tzinfo=_zone(), output_field=DateField())
        rows = (
            self.due()
            .annotate(week=week)
            .values("week")
            .annotate(**_tally_aggregates())
            .order_by("week")
        )
        return [
            Row(
                label=_day_label(row["week"]),
                tally=Tally.from_row(row),
                key=row["week"],
                starts_on=row["week"],
                ends_on=row["week"] + dt.timedelta(days=6),
            )
            for row in rows
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
        cases = [
            When(
                starts_at__gte=_midnight(t.starts_on),
                starts_at__lt=_midnight(t.ends_on + dt.timedelta(days=1)),
                then=Value(t.pk),
            )
            for t in terms
        ]
        term_of = Case(*cases, default=Value(0), output_field=IntegerField())
        counts = {
            row["term"]: Tally.from_row(row)
            for row in self.due()
            .annotate(term=term_of)
            .values("term")
            .annotate(**_tally_aggregates())
            .order_by("term")
        }
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

    def by_coach(self) -> list[Row]:
        """Every coach with sessions due, by name: a thank-you list, never a ranking."""
        rows = (
            self.due()
            .values(
                "relationship__coach",
                "relationship__coach__first_name",
                "relationship__coach__last_name",
            )
            .annotate(**_tally_aggregates())
            .order_by(
                "relationship__coach__last_name",
                "relationship__coach__first_name",
                "relationship__coach",
            )
        )
        return [
            Row(
                label=_name(
                    row["relationship__coach__first_name"], row["relationship__coach__last_name"]
                ),
                tally=Tally.from_row(row),
                key=row["relationship__coach"],
            )
            for row in rows
        ]

    def by_coachee(self) -> list[CoacheeRow]:
        """Current pairs, and any earlier pair with sessions due in the range, by coachee."""
        due = self.due()
        counts = {
            row["relationship"]: Tally.from_row(row)
            for row in due.values("relationship").annotate(**_tally_aggregates()).order_by()
        }
        current = (
            (Q(ended_on__isnull=True) | Q(ended_on__gt=self.today))
            & Q(started_on__lte=self.filters.end)
            & Q(academic_year__ends_on__gte=self.filters.start)
        )
        last_drop_in = (
            SessionOccurrence.objects.filter(
                relationship=OuterRef("pk"),
                kind=SessionKind.DROP_IN,
                status=Status.DONE,
                starts_at__lte=self.now,
            )
            .order_by("-starts_at")
            .values("starts_at")[:1]
        )
        last_observed = (
            Observation.objects.filter(
                relationship=OuterRef("pk"),
                status=Observation.Status.SUBMITTED,
                observed_at__lte=self.now,
            )
            .order_by("-observed_at")
            .values("observed_at")[:1]
        )
        pairs = (
            self.pairs()
            .filter(current | Q(pk__in=due.values("relationship")))
            .select_related("coach", "coachee")
            .annotate(last_drop_in=Subquery(last_drop_in), last_observed=Subquery(last_observed))
            .order_by("coachee__last_name", "coachee__first_name", "coach__last_name", "pk")
        )
        alert = dt.timedelta(weeks=self.school.unseen_weeks_alert)
        rows = []
        for pair in pairs:
            seen = [t for t in (pair.last_drop_in, pair.last_observed) if t is not None]
            last_seen = timezone.localdate(max(seen)) if seen else None
            is_current = pair.ended_on is None or pair.ended_on > self.today
            since = last_seen or pair.started_on
            flagged = is_current and since <= self.today and self.today - since > alert
            rows.append(
                CoacheeRow(
                    coachee=pair.coachee.full_name,
                    coach=pair.coach.full_name,
                    tally=counts.get(pair.pk, Tally()),
                    last_seen=last_seen,
                    is_current=is_current,
                    unseen_weeks=(self.today - since).days // 7 if flagged else None,
                    started_on=pair.started_on,
                )
            )
        return rows

    def reasons(self) -> list[ReasonRow]:
        """Why sessions did not happen: every miss counts here, even when rebooked."""
        rows = (
            self.sessions()
            .filter(starts_at__lt=self.now, status__in=[Status.MISSED, Status.CANCELLED])
            .values("reason")
            .annotate(
                missed=Count("pk", filter=Q(status=Status.MISSED)),
                rebooked=Count("pk", filter=Q(status=Status.MISSED, rescheduled_to__isnull=False)),
                cancelled=Count("pk", filter=Q(status=Status.CANCELLED)),
            )
            .order_by("reason")
        )
        found = {row["reason"]: row for row in rows}
        known = list(SessionOccurrence.Reason.values)
        ordered = [*known, *sorted(set(found) - set(known))]
        labels = dict(SessionOccurrence.Reason.choices)
        return [
            ReasonRow(
                label=str(labels.get(reason, "No reason given")),
                missed=found[reason]["missed"],
                rebooked=found[reason]["rebooked"],
                cancelled=found[reason]["cancelled"],
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
