"""Links to many objects of one kind at the cost of one `reverse()`."""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse

# An id no table reaches, reversed once and then swapped for each real one.
_SENTINEL = 987_654_321_987


def pk_links(viewname: str) -> Callable[[int], str]:
    """`reverse(viewname, args=[pk])` for any number of pks: a list page links every row, and
    a `{% url %}` per row (resolver, quoting, prefix) costs more than the rest of the row."""
    url = reverse(viewname, args=[_SENTINEL])
    head, found, tail = url.partition(str(_SENTINEL))
    if not found or str(_SENTINEL) in tail:
        raise ValueError(f"{viewname} does not take a single id")
    return lambda pk: f"{head}{int(pk)}{tail}"
