"""Paginators for lists over a place's history: a count that stops at a cap, and a page read in two
statements.

Django's paginator counts every row of the list on each page view. For a list over a place's history
(a street's cases: 38,000 at 100,000 cases in the district, ten times that at a million) that count is
the page's whole cost and grows with the history: 754 ms of an 822 ms page at a million cases. Past
``cap`` rows the page says "more than" and offers the first ``cap`` rows' pages; a narrower filter or
the Excel export reaches the rest.

    page = CappedPaginator(qs, 30, count_from=qs_for_count).get_page(request.GET.get("page"))
    {% if page.paginator.capped %}超过 {{ page.paginator.count }} 件{% endif %}

``count_from``: the same rows in a form that is cheaper to count (see ``Scope.area_q(ranges=True)``).

``TwoReadsPaginator``: the page's ids first — the list's filter, joins and
order, without the columns of the related tables the rows show — then those rows with their related
tables by id. PostgreSQL planned the dispatch board's single statement at a million cases with nested
loops that scanned the category and unit tables once per waiting case (20.8 ms), the two reads take
10.4 ms (benchmarks/http_load.py, in-process). The page keeps the ids' order; a row that left the list
between the two reads is left out. The count comes with the ids (``COUNT(*) OVER ()``): the ids' read
visits every row of the list anyway to sort it, and a separate count read them all again (a street's
board at a million cases: 20.9 ms for the count and the ids, 11.7 ms for the ids with their count).
Only a page past the end, which brings no row and so no count, costs a count.
"""

from __future__ import annotations

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import Count, Window
from django.utils.functional import cached_property

COUNT_CAP = 1000


class TwoReadsPaginator(Paginator):
    TOTAL = "paging_total"  # the annotation that carries the count on each id's row

    def __init__(self, object_list, per_page, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        if self.orphans:
            raise ValueError("TwoReadsPaginator reads exactly one page of ids: no orphans")

    def get_page(self, number) -> Page:
        """Like ``Paginator.get_page``: what is not a page number gives the first page, a number below 1
        or past the end the last page."""
        if not self._in_two_reads():
            return super().get_page(number)
        try:
            wanted = _page_number(number)
        except PageNotAnInteger:
            wanted = 1
        ids = self._ids(wanted) if wanted >= 1 else []
        if not ids and wanted != 1:  # past the end (or below 1): no row brought the count
            wanted = self.num_pages
            ids = self._ids(wanted) if self.count else []
        elif not ids:
            self.__dict__["count"] = 0  # an empty list
        if not ids and not self.allow_empty_first_page:
            raise EmptyPage("That page contains no results")  # as Paginator.get_page does then
        return self._page(ids, wanted)

    def page(self, number) -> Page:
        """Like ``Paginator.page``: EmptyPage past the end (which costs a count first)."""
        if not self._in_two_reads():
            return super().page(number)
        number = self.validate_number(number)
        return self._page(self._ids(number), number)

    def _in_two_reads(self) -> bool:
        rows = self.object_list  # a list is paged as Django does; COUNT() OVER () counts before a DISTINCT
        return hasattr(rows, "values_list") and not rows.query.distinct

    def _ids(self, number: int) -> list:
        """The ids of page ``number`` in the list's order; the list's count from the same statement."""
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list.annotate(**{self.TOTAL: Window(Count("pk"))})
                    .values_list("pk", self.TOTAL)[bottom:bottom + self.per_page])
        if rows:
            self.__dict__["count"] = rows[0][1]  # Paginator.count is a cached_property
        return [pk for pk, _total in rows]

    def _page(self, ids: list, number: int) -> Page:
        by_pk = self.object_list.filter(pk__in=ids).order_by().in_bulk() if ids else {}
        return self._get_page([by_pk[pk] for pk in ids if pk in by_pk], number, self)


def _page_number(number) -> int:
    """Django's reading of a page number (``Paginator.validate_number`` without the count)."""
    try:
        if isinstance(number, float) and not number.is_integer():
            raise ValueError
        return int(number)
    except (TypeError, ValueError):
        raise PageNotAnInteger("That page number is not an integer") from None


class CappedPaginator(Paginator):
    def __init__(self, object_list, per_page, *, count_from=None, cap: int | None = None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.count_from = object_list if count_from is None else count_from
        self.cap = COUNT_CAP if cap is None else cap

    @cached_property
    def _counted(self) -> int:
        """The rows, counted up to one past the cap (``SELECT COUNT(*) FROM (… LIMIT cap + 1)``)."""
        rows = self.count_from
        if hasattr(rows, "order_by"):
            rows = rows.order_by()  # an order would make the database walk its index to the cap, or sort
        head = rows[: self.cap + 1]
        return head.count() if hasattr(head, "count") and not isinstance(head, list | tuple) else len(head)

    @cached_property
    def count(self) -> int:
        return min(self._counted, self.cap)

    @cached_property
    def capped(self) -> bool:
        """True when there are more rows than ``count`` says."""
        return self._counted > self.cap
