"""Keeping the dashboards' counters (reporting/models.py) equal to the raw rows.

Every write recounts the buckets it touched from the raw rows, inside the writer's transaction,
with the school's row locked first (`select_for_update`), so two writers in one school take
turns and the second counts what the first committed: nothing is incremented blindly, so
nothing can drift. `rebuild()` recounts whole schools; `verify()` compares what is stored with
what the raw rows give and names the first difference.

Counting raw steps and transitions goes through the privacy gate (`activity_in`, free text
deferred): counters hold numbers only.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q

from coachroom.accounts.models import School
from coachroom.coaching.models import ActionStep, StepTransition
from coachroom.reporting.models import (
    PairSessionCount,
    SchoolSessionCount,
    SecuredCount,
    SessionTallyFields,
    StepCount,
)
from coachroom.scheduling.models import SessionOccurrence

Status = SessionOccurrence.Status
TALLY = SessionTallyFields.TALLY
# A session's bucket in the pair table: (school, pair, day, kind, reason).
PairKey = tuple[int, int, dt.date, str, str]
SchoolKey = tuple[int, dt.date, str, str]


@cache
def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def local_day(at: dt.datetime) -> dt.date:
    return at.astimezone(_zone()).date()


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=_zone())


def days_window(field: str, days: Iterable[dt.date]) -> Q:
    """`field` falls on one of `days` (local time): one range for each run of consecutive days."""
    window = Q(pk__in=[])
    ordered = sorted(set(days))
    start = 0
    for i, day in enumerate(ordered):
        if i + 1 == len(ordered) or ordered[i + 1] != day + dt.timedelta(days=1):
            window |= Q(
                **{
                    f"{field}__gte": midnight(ordered[start]),
                    f"{field}__lt": midnight(day + dt.timedelta(days=1)),
                }
            )
            start = i + 1
    return window


def session_tally(status: str, rebooked: bool) -> tuple[int, ...] | None:
    """One session's contribution, in the order of `TALLY`; None for a moved original."""
    if status == Status.DONE:
        return (1, 1, 0, 0, 0, 0)
    if status == Status.MISSED:
        return (0, 0, 0, 1, 0, 0) if rebooked else (1, 0, 1, 0, 0, 0)
    if status == Status.CANCELLED:
        return (1, 0, 0, 0, 1, 0)
    if status == Status.PLANNED:
        return (1, 0, 0, 0, 0, 1)
    return None


def _add(into: list[int], tally: Iterable[int]) -> None:
    for i, n in enumerate(tally):
        into[i] += n


SESSION_FIELDS = (
    "school_id",
    "relationship_id",
    "starts_at",
    "kind",
    "status",
    "reason",
    "rescheduled_to_id",
)


def pair_buckets(rows: Iterable[tuple[Any, ...]]) -> dict[PairKey, list[int]]:
    """Raw sessions (`SESSION_FIELDS`) into pair buckets."""
    buckets: dict[PairKey, list[int]] = defaultdict(lambda: [0] * len(TALLY))
    for school_id, pair_id, starts_at, kind, status, reason, rescheduled_to in rows:
        tally = session_tally(status, rescheduled_to is not None)
        if tally is not None:
            _add(buckets[(school_id, pair_id, local_day(starts_at), kind, reason)], tally)
    return dict(buckets)


def school_buckets(pairs: dict[PairKey, list[int]]) -> dict[SchoolKey, list[int]]:
    buckets: dict[SchoolKey, list[int]] = defaultdict(lambda: [0] * len(TALLY))
    for (school_id, _pair, day, kind, reason), tally in pairs.items():
        _add(buckets[(school_id, day, kind, reason)], tally)
    return dict(buckets)


def _pair_rows(buckets: dict[PairKey, list[int]]) -> list[PairSessionCount]:
    return [
        PairSessionCount(
            school_id=school_id,
            relationship_id=pair_id,
            day=day,
            week=monday(day),
            kind=kind,
            reason=reason,
            **dict(zip(TALLY, tally, strict=True)),
        )
        for (school_id, pair_id, day, kind, reason), tally in buckets.items()
    ]


def _school_rows(buckets: dict[SchoolKey, list[int]]) -> list[SchoolSessionCount]:
    return [
        SchoolSessionCount(
            school_id=school_id,
            day=day,
            week=monday(day),
            kind=kind,
            reason=reason,
            **dict(zip(TALLY, tally, strict=True)),
        )
        for (school_id, day, kind, reason), tally in buckets.items()
    ]


def _lock(school_id: int) -> bool:
    """Lock the school's row for the rest of the transaction; False if there is none."""
    return School.objects.select_for_update().filter(pk=school_id).exists()


# Recounting touched buckets ---------------------------------------------------------------


@transaction.atomic
def recount_sessions(*, school_id: int, pair_ids: Iterable[int], days: Iterable[dt.date]) -> None:
    """Recount the buckets of these pairs on these days, then the school's buckets those days."""
    pair_ids, days = set(pair_ids), set(days)
    if not pair_ids or not days or not _lock(school_id):
        return
    PairSessionCount.objects.filter(relationship_id__in=pair_ids, day__in=days).delete()
    raw = (
        SessionOccurrence.objects.filter(relationship_id__in=pair_ids)
        .filter(days_window("starts_at", days))
        .order_by()
        .values_list(*SESSION_FIELDS)
    )
    PairSessionCount.objects.bulk_create(_pair_rows(pair_buckets(raw)))
    _recount_school_days(school_id, days)


def _recount_school_days(school_id: int, days: set[dt.date]) -> None:
    SchoolSessionCount.objects.filter(school_id=school_id, day__in=days).delete()
    pairs = PairSessionCount.objects.filter(school_id=school_id, day__in=days).values_list(
        "school_id", "relationship_id", "day", "kind", "reason", *TALLY
    )
    buckets = {tuple(row[:5]): list(row[5:]) for row in pairs}
    SchoolSessionCount.objects.bulk_create(_school_rows(school_buckets(buckets)))


def _slipped_transitions(school_id: int) -> Any:
    return StepTransition.objects.activity_in([school_id]).filter(
        step=OuterRef("pk"), event="reopened", reason__startswith="Stick-check"
    )


def _step_counts(school_id: int, states: set[str] | None) -> dict[str, tuple[int, int, int]]:
    steps = ActionStep.objects.activity_in([school_id])
    if states is not None:
        steps = steps.filter(state__in=states)
    rows = (
        steps.values("state")
        .annotate(
            n_steps=Count("pk"),
            n_stuck=Count("pk", filter=Q(stuck_at__isnull=False)),
            n_slipped=Count("pk", filter=Q(Exists(_slipped_transitions(school_id)))),
        )
        .order_by()
    )
    return {row["state"]: (row["n_steps"], row["n_stuck"], row["n_slipped"]) for row in rows}


@transaction.atomic
def recount_steps(*, school_id: int, states: Iterable[str] | None = None) -> None:
    """Recount the school's step buckets for these states (None: every state)."""
    wanted = None if states is None else set(states)
    if wanted == set() or not _lock(school_id):
        return
    stored = StepCount.objects.filter(school_id=school_id)
    if wanted is not None:
        stored = stored.filter(state__in=wanted)
    stored.delete()
    StepCount.objects.bulk_create(
        StepCount(school_id=school_id, state=state, steps=n, stuck=stuck, slipped=slipped)
        for state, (n, stuck, slipped) in _step_counts(school_id, wanted).items()
    )


def _secured_days(school_id: int, days: set[dt.date] | None) -> dict[dt.date, int]:
    secured = StepTransition.objects.activity_in([school_id]).filter(event="secured")
    if days is not None:
        secured = secured.filter(days_window("at", days))
    return dict(Counter(local_day(at) for at in secured.order_by().values_list("at", flat=True)))


@transaction.atomic
def recount_secured(*, school_id: int, days: Iterable[dt.date]) -> None:
    wanted = set(days)
    if not wanted or not _lock(school_id):
        return
    SecuredCount.objects.filter(school_id=school_id, day__in=wanted).delete()
    SecuredCount.objects.bulk_create(
        SecuredCount(school_id=school_id, day=day, secured=n)
        for day, n in _secured_days(school_id, wanted).items()
    )


# Whole schools ------------------------------------------------------------------------------


@dataclass
class Expected:
    """What one school's counters should hold, keyed like their unique constraints."""

    pairs: dict[tuple[Any, ...], tuple[int, ...]]
    schools: dict[tuple[Any, ...], tuple[int, ...]]
    steps: dict[tuple[Any, ...], tuple[int, ...]]
    secured: dict[tuple[Any, ...], tuple[int, ...]]


def expected_for(school_id: int) -> Expected:
    raw = (
        SessionOccurrence.objects.filter(school_id=school_id)
        .order_by()
        .values_list(*SESSION_FIELDS)
        .iterator(chunk_size=5000)
    )
    pairs = pair_buckets(raw)
    return Expected(
        pairs={key[1:]: tuple(tally) for key, tally in pairs.items()},
        schools={key[1:]: tuple(tally) for key, tally in school_buckets(pairs).items()},
        steps={(state,): counts for state, counts in _step_counts(school_id, None).items()},
        secured={(day,): (n,) for day, n in _secured_days(school_id, None).items()},
    )


def stored_for(school_id: int) -> Expected:
    return Expected(
        pairs={
            tuple(row[:4]): tuple(row[4:])
            for row in PairSessionCount.objects.filter(school_id=school_id).values_list(
                "relationship_id", "day", "kind", "reason", *TALLY
            )
        },
        schools={
            tuple(row[:3]): tuple(row[3:])
            for row in SchoolSessionCount.objects.filter(school_id=school_id).values_list(
                "day", "kind", "reason", *TALLY
            )
        },
        steps={
            (state,): (n, stuck, slipped)
            for state, n, stuck, slipped in StepCount.objects.filter(
                school_id=school_id
            ).values_list("state", "steps", "stuck", "slipped")
        },
        secured={
            (day,): (n,)
            for day, n in SecuredCount.objects.filter(school_id=school_id).values_list(
                "day", "secured"
            )
        },
    )


TABLES = {
    "pairs": ("pair sessions", ("pair", "day", "kind", "reason"), TALLY),
    "schools": ("school sessions", ("day", "kind", "reason"), TALLY),
    "steps": ("steps", ("state",), ("steps", "stuck", "slipped")),
    "secured": ("steps secured", ("day",), ("secured",)),
}


def first_difference(school_id: int) -> str | None:
    """None when the school's counters agree with its raw rows; else the first disagreement,
    in one line."""
    expected, stored = expected_for(school_id), stored_for(school_id)
    for table, (label, key_names, value_names) in TABLES.items():
        want: dict[tuple[Any, ...], tuple[int, ...]] = getattr(expected, table)
        have: dict[tuple[Any, ...], tuple[int, ...]] = getattr(stored, table)
        for key in sorted(set(want) | set(have), key=str):
            zero = (0,) * len(value_names)
            if want.get(key, zero) != have.get(key, zero):
                where = ", ".join(
                    f"{n} {'(none)' if v == '' else v}" for n, v in zip(key_names, key, strict=True)
                )
                counted = ", ".join(
                    f"{n} {h} (raw rows: {w})"
                    for n, h, w in zip(
                        value_names, have.get(key, zero), want.get(key, zero), strict=True
                    )
                    if h != w
                )
                return f"school {school_id}: {label} for {where}: counters say {counted}"
    return None


@transaction.atomic
def rebuild_school(school_id: int) -> None:
    if not _lock(school_id):
        return
    expected = expected_for(school_id)
    for model in (PairSessionCount, SchoolSessionCount, StepCount, SecuredCount):
        model.objects.filter(school_id=school_id).delete()
    PairSessionCount.objects.bulk_create(
        _pair_rows({(school_id, *key): list(v) for key, v in expected.pairs.items()}),
        batch_size=2000,
    )
    SchoolSessionCount.objects.bulk_create(
        _school_rows({(school_id, *key): list(v) for key, v in expected.schools.items()}),
        batch_size=2000,
    )
    StepCount.objects.bulk_create(
        StepCount(school_id=school_id, state=state, steps=n, stuck=stuck, slipped=slipped)
        for (state,), (n, stuck, slipped) in expected.steps.items()
    )
    SecuredCount.objects.bulk_create(
        (
            SecuredCount(school_id=school_id, day=day, secured=n)
            for (day,), (n,) in expected.secured.items()
        ),
        batch_size=2000,
    )


def school_ids(only: int | None = None) -> list[int]:
    schools = School.objects.order_by("pk")
    if only is not None:
        schools = schools.filter(pk=only)
    return list(schools.values_list("pk", flat=True))


def rebuild(only: int | None = None) -> int:
    """Rebuild every school's counters (or one school's); returns how many schools."""
    ids = school_ids(only)
    for school_id in ids:
        rebuild_school(school_id)
    return len(ids)
