"""Completion figures for several schools at once, in a fixed number of queries.

Each school's figures are a `CompletionQuery` of its own (the school's counters, or one coach's
pairs there), exactly as on the completion page. `preload` reads the counter buckets of every
query in one query and today's sessions of every query in another (a UNION of each query's own
queryset, so the filters are the page's), and hands each query its rows: the tables then cost
nothing more, however many schools, weeks or pairs there are.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet

from coachroom.reporting.completion import DAY_COLUMNS, TODAY_COLUMNS, CompletionQuery, TodayRow

# SQLite allows at most 500 SELECTs in one UNION; stay well below it.
CHUNK = 200


def _by_school(querysets: list[QuerySet[Any]]) -> dict[int, list[tuple[Any, ...]]]:
    """The rows of querysets whose first column is the school, by school: one query a chunk."""
    rows: defaultdict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for start in range(0, len(querysets), CHUNK):
        first, *others = querysets[start : start + CHUNK]
        union = first.union(*others, all=True) if others else first
        for school_id, *row in union:
            rows[school_id].append(tuple(row))
    return rows


def preload(queries: Sequence[CompletionQuery]) -> None:
    """Read the rows of `queries` (one per school: the school is how rows find their query)."""
    schools = [query.school.pk for query in queries]
    if not queries:
        return
    if len(set(schools)) != len(schools):
        raise ValueError("preload takes one completion query per school.")
    buckets = _by_school(
        [query.counts().order_by().values_list("school", *DAY_COLUMNS) for query in queries]
    )
    today: list[QuerySet[Any]] = []
    for query in queries:
        sessions = query.today_sessions()
        if sessions is not None:
            today.append(sessions.order_by().values_list("school", *TODAY_COLUMNS))
    sessions_today = _by_school(today) if today else {}
    for query in queries:
        query.preload(
            day_rows=buckets.get(query.school.pk, []),
            today_rows=[TodayRow(*row) for row in sessions_today.get(query.school.pk, [])],
        )
