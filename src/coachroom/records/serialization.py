"""Rows as JSON, a chunk at a time: shared by backups and the school's data export.

Django's own "json" serializer rounds datetimes to milliseconds (DjangoJSONEncoder), so a dump
and load would not give the same data back. Here rows go through Django's "python" serializer
(the same field handling, natural keys off unless asked for) and are written with an encoder
that keeps microseconds.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Sequence
from typing import Any

from django.contrib.auth.models import Permission
from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Model, Prefetch, QuerySet

CHUNK_ROWS = 2000


class ExactJSONEncoder(DjangoJSONEncoder):
    """DjangoJSONEncoder without the rounding: datetimes and times keep their microseconds."""

    def default(self, o: Any) -> Any:
        if isinstance(o, dt.datetime | dt.time):
            return o.isoformat()
        return super().default(o)


def dumps(value: Any) -> str:
    return json.dumps(value, cls=ExactJSONEncoder, ensure_ascii=False)


def chunks(queryset: QuerySet[Any], size: int | None = None) -> Iterator[list[Any]]:
    """The queryset's rows in primary-key order, `size` (default CHUNK_ROWS) at a time, by
    keyset pagination, so memory stays flat however big the table is."""
    size = size or CHUNK_ROWS
    ordered = queryset.order_by("pk")
    last: Any = None
    while True:
        page = ordered if last is None else ordered.filter(pk__gt=last)
        rows = list(page[:size])
        if not rows:
            return
        yield rows
        last = rows[-1].pk


def _m2m_prefetches(model: type[Model], fields: Sequence[str] | None) -> list[Prefetch[Any]]:
    """Prefetch many-to-many ids in a fixed order, so output is stable and queries per chunk."""
    prefetches: list[Prefetch[Any]] = []
    for field in model._meta.many_to_many:
        through = field.remote_field.through
        if through is None or not through._meta.auto_created:
            continue
        if fields is not None and field.name not in fields:
            continue
        related: Any = field.remote_field.model
        queryset = related._base_manager.order_by("pk")
        if related is Permission:  # its natural key names its content type
            queryset = queryset.select_related("content_type")
        prefetches.append(Prefetch(field.name, queryset=queryset))
    return prefetches


def rows(
    queryset: QuerySet[Any],
    *,
    natural_foreign_keys: bool = False,
    fields: Sequence[str] | None = None,
) -> Iterator[dict[str, Any]]:
    """Each row as Django's serializer sees it: {"model", "pk", "fields"}."""
    queryset = queryset.prefetch_related(*_m2m_prefetches(queryset.model, fields))
    options: dict[str, Any] = {"use_natural_foreign_keys": natural_foreign_keys}
    if fields is not None:
        options["fields"] = fields
    for chunk in chunks(queryset):
        yield from serializers.serialize("python", chunk, **options)
