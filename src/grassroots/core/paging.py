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
between the two reads is left out.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.utils.functional import cached_property

COUNT_CAP = 1000


class TwoReadsPaginator(Paginator):
    def page(self, number):
        page = super().page(number)
        rows = page.object_list
        if not hasattr(rows, "values_list"):
            return page
        ids = list(rows.values_list("pk", flat=True))
        by_pk = self.object_list.filter(pk__in=ids).order_by().in_bulk() if ids else {}
        page.object_list = [by_pk[pk] for pk in ids if pk in by_pk]
        return page


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
