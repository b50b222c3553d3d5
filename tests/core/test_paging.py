"""CappedPaginator: a list's count stops at a cap, and says so. TwoReadsPaginator: a page in two reads."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grassroots.accounts.scope import prefix_end
from grassroots.areas.models import Area
from grassroots.core.paging import CappedPaginator, TwoReadsPaginator


def test_under_the_cap_it_is_an_ordinary_paginator():
    paginator = CappedPaginator(list(range(25)), 10, cap=100)
    assert (paginator.count, paginator.capped, paginator.num_pages) == (25, False, 3)
    assert list(paginator.get_page(3)) == [20, 21, 22, 23, 24]


def test_past_the_cap_it_counts_to_the_cap_and_says_more():
    paginator = CappedPaginator(list(range(25)), 10, cap=20)
    assert (paginator.count, paginator.capped, paginator.num_pages) == (20, True, 2)
    assert list(paginator.get_page(99)) == list(range(10, 20))  # a page past the cap is the last counted one
    exactly = CappedPaginator(list(range(20)), 10, cap=20)
    assert (exactly.count, exactly.capped) == (20, False)


@pytest.mark.django_db
def test_a_queryset_is_counted_with_a_limit_and_without_its_order(tree):
    areas = Area.objects.order_by("-code")
    with CaptureQueriesContext(connection) as ctx:
        paginator = CappedPaginator(areas, 5, cap=3)
        assert paginator.count == 3 and paginator.capped
    (count_sql,) = [q["sql"] for q in ctx.captured_queries]
    assert "COUNT(" in count_sql and "LIMIT 4" in count_sql and "ORDER BY" not in count_sql
    # the rows of a page keep their order
    assert [a.code for a in paginator.get_page(1)] == list(areas.values_list("code", flat=True)[:3])


def test_prefix_end_is_the_first_code_after_the_prefix():
    assert prefix_end("420303001") == "420303002"
    assert prefix_end("4203030019") == "420303001:"
    for inside in ("420303001", "420303001999", "420303001:"[:-1] + "9"):
        assert "420303001" <= inside < prefix_end("420303001")
    for outside in ("420303002", "420303000999", "42030300"):
        assert not ("420303001" <= outside < prefix_end("420303001"))


@pytest.mark.django_db
def test_two_reads_give_the_pages_of_a_plain_paginator(tree):
    from django.core.paginator import Paginator

    areas = Area.objects.select_related("parent").order_by("-level", "code")
    plain, two = Paginator(areas, 4), TwoReadsPaginator(areas, 4)
    assert two.num_pages == plain.num_pages > 1
    for number in plain.page_range:
        got = two.get_page(number)
        assert [a.pk for a in got] == [a.pk for a in plain.get_page(number)]
        assert all(a.parent is None or a.parent.code == a.code[: len(a.parent.code)] for a in got)
    with CaptureQueriesContext(connection) as ctx:
        page = TwoReadsPaginator(areas, 4).get_page(2)
        rows = list(page)
        assert [a.parent_id for a in rows]  # the related rows came with the second read
        assert page.paginator.count == plain.count and page.has_next() == plain.get_page(2).has_next()
    assert len(ctx) == 2  # the page's ids with the list's count, then the rows with their parents


@pytest.mark.django_db
@pytest.mark.parametrize("asked", ["", "x", "2.5", None, "0", "-3", "999", 999, "3", 3.0])
def test_any_page_number_gives_the_page_django_would(tree, asked):
    """Not a number: the first page; below 1 or past the end: the last (Paginator.get_page)."""
    from django.core.paginator import Paginator

    areas = Area.objects.order_by("code")
    plain, two = Paginator(areas, 4), TwoReadsPaginator(areas, 4)
    expected, got = plain.get_page(asked), two.get_page(asked)
    assert (got.number, [a.pk for a in got]) == (expected.number, [a.pk for a in expected])
    assert two.count == plain.count and two.num_pages == plain.num_pages


@pytest.mark.django_db
def test_page_raises_as_django_does_past_the_end(tree):
    from django.core.paginator import EmptyPage

    areas = Area.objects.order_by("code")
    two = TwoReadsPaginator(areas, 4)
    assert [a.pk for a in two.page(2)] == [a.pk for a in areas[4:8]]
    with pytest.raises(EmptyPage):
        TwoReadsPaginator(areas, 4).page(two.num_pages + 1)


@pytest.mark.django_db
def test_an_empty_list_has_one_empty_page_and_a_count_of_nought(tree):
    from django.core.paginator import EmptyPage, Paginator

    nothing = Area.objects.filter(code="nowhere").order_by("code")
    page = TwoReadsPaginator(nothing, 4).get_page(3)
    assert (page.number, list(page), page.paginator.count, page.paginator.num_pages) == (1, [], 0, 1)
    for paginator in (Paginator(nothing, 4, allow_empty_first_page=False),
                      TwoReadsPaginator(nothing, 4, allow_empty_first_page=False)):
        with pytest.raises(EmptyPage):
            paginator.get_page(1)


@pytest.mark.django_db
def test_a_row_that_left_the_list_between_the_reads_is_left_out(tree, monkeypatch):
    areas = Area.objects.filter(level="grid").order_by("code")
    first = list(areas[:3])
    paginator = TwoReadsPaginator(areas, 3)
    original = type(areas).in_bulk

    def in_bulk_after_a_change(qs, *args, **kwargs):
        found = original(qs, *args, **kwargs)
        found.pop(first[1].pk)  # as if it had been moved out of the list in between
        return found

    monkeypatch.setattr(type(areas), "in_bulk", in_bulk_after_a_change)
    assert [a.pk for a in paginator.get_page(1)] == [first[0].pk, first[2].pk]
