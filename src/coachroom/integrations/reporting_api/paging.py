"""Pages of rows: `?limit=` (1 to 500, 100 by default) and `?offset=`, with the total `count`
and the address of the `next` page, which Power BI's and Excel's paging follow."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from django.http import HttpRequest
from ninja import Field, Schema

DEFAULT_LIMIT = 100
MAX_LIMIT = 500
MAX_OFFSET = 1_000_000

T = TypeVar("T")


class Paging(Schema):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Rows a page")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Rows to skip")


def next_url(request: HttpRequest, paging: Paging) -> str:
    query = request.GET.copy()
    query["offset"] = str(paging.offset + paging.limit)
    query["limit"] = str(paging.limit)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


def page(request: HttpRequest, rows: Sequence[T], paging: Paging) -> dict[str, Any]:
    """One page of rows already counted in full (figures are computed whole, then sliced)."""
    end = paging.offset + paging.limit
    return {
        "count": len(rows),
        "limit": paging.limit,
        "offset": paging.offset,
        "next": next_url(request, paging) if end < len(rows) else None,
        "items": list(rows[paging.offset : end]),
    }
