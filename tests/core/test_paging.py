"""The paginator that skips the COUNT when the first page holds every row."""

from __future__ import annotations

import pytest
from django.core.paginator import Paginator as StockPaginator

from coachroom.core.paging import Paginator
from coachroom.library.models import Strand


@pytest.fixture
def strands(db):
    return Strand.objects.order_by("pk")  # the starter library's strands


def test_a_first_page_holding_every_row_is_one_query(strands, django_assert_num_queries):
    total = strands.count()
    with django_assert_num_queries(1):
        page = Paginator(strands, total + 5).get_page(1)
        assert page.paginator.count == total
        assert page.paginator.num_pages == 1
        assert not page.has_next()
    assert list(page.object_list) == list(strands)


def test_a_full_first_page_counts_when_asked(strands, django_assert_num_queries):
    total = strands.count()
    assert total > 2
    with django_assert_num_queries(1):
        page = Paginator(strands, 2).get_page(1)
        assert len(page.object_list) == 2
    with django_assert_num_queries(1):
        assert page.paginator.count == total
        assert page.has_next()


@pytest.mark.parametrize("number", [2, "2", "last", "nonsense", 999])
def test_other_pages_are_django_s(strands, number):
    ours = Paginator(strands, 2).get_page(number)
    stock = StockPaginator(strands, 2).get_page(number)
    assert ours.number == stock.number
    assert list(ours.object_list) == list(stock.object_list)


def test_an_empty_list_has_one_empty_page(strands):
    page = Paginator(strands.none(), 20).get_page(1)
    assert page.paginator.count == 0
    assert list(page.object_list) == []
    assert page.number == 1
