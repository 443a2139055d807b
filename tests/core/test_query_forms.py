"""Every query-string input goes through a small form: bad input shows the default page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import QueryDict
from django.urls import reverse

from coachroom.coaching.forms import YearQuery
from coachroom.core.forms import FormatQuery, PageQuery, read_query
from coachroom.scheduling.forms import WeekQuery


@pytest.mark.parametrize(
    ("form", "query", "expected"),
    [
        (PageQuery, "page=3", {"page": 3}),
        (PageQuery, "page=0", {"page": 1}),
        (PageQuery, "page=last%27--", {"page": 1}),
        (PageQuery, "", {"page": 1}),
        (FormatQuery, "format=csv", {"format": "csv"}),
        (FormatQuery, "format=xlsx", {"format": ""}),
        (WeekQuery, "week=2026-11-23", {"week": dt.date(2026, 11, 23)}),
        (WeekQuery, "week=next", {"week": None}),
        (YearQuery, "year=12", {"year": 12}),
        (YearQuery, "year=2026-27", {"year": None}),
    ],
)
def test_a_bad_value_becomes_the_default(form, query, expected):
    assert read_query(form, QueryDict(query)) == expected


@pytest.mark.django_db
def test_pages_given_nonsense_in_the_query_string_show_the_default(client, alice, pairing):
    client.force_login(alice)
    for url in (
        reverse("coaching:timeline", args=[alice.pk]) + "?year=%00",
        reverse("scheduling:week") + "?week=31-02-2026",
    ):
        assert client.get(url).status_code == 200, url
