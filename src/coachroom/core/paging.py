"""Pagination that counts only when the page needs the count."""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.paginator import Page
from django.core.paginator import Paginator as DjangoPaginator

T = TypeVar("T")


class Paginator(DjangoPaginator[T]):
    """Django's paginator, minus the COUNT query when the first page holds every row.

    Asked for the first page, it reads one row more than a page: if that extra row is not
    there, the rows read are all there are and their number is the count. Otherwise (or for any
    other page) it counts as Django's does, and only when something asks for the count.
    """

    def get_page(self, number: Any) -> Page[T]:
        if str(number) != "1" or self.orphans or "count" in self.__dict__:
            return super().get_page(number)
        first = list(self.object_list[: self.per_page + 1])
        if len(first) <= self.per_page:
            self.__dict__["count"] = len(first)  # `count` is a cached_property
        return Page(first[: self.per_page], 1, self)
