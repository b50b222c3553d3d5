"""The dispatch board reads what waits for a dispatcher from its own partial index, so its cost follows the
backlog, not the year's history (a street's board took 3–4 s at 100,000 cases before: benchmarks/http_load.py)."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grassroots.accounts.models import User
from grassroots.cases.models import BOARD_STATUSES, Case
from grassroots.cases.selectors import ON_BOARD_SQL, board_cases_for
from grassroots.core.paging import TwoReadsPaginator

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", ["", "new", "returned", "escalated", "extension"])
def test_no_tab_of_the_board_reads_the_history(kind):
    root = User.objects.create_superuser("root-board", password="x")
    sql, params = board_cases_for(root, kind=kind)[:50].query.sql_with_params()
    assert ON_BOARD_SQL in sql  # the values in the SQL itself: SQLite matches a partial index only then
    assert all(f"'{status}'" in ON_BOARD_SQL for status in BOARD_STATUSES)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            plan = [row[3] for row in cursor.fetchall() if "cases_case" in row[3]]
        # never a walk over every case: the board's partial index, or a search by a waiting status
        assert plan and all("case_on_board" in step or step.startswith("SEARCH") for step in plan), plan
        if not kind:
            assert "case_on_board" in plan[0], plan




def test_a_page_of_the_board_needs_no_column_outside_its_index(tree, new_case):
    """The board's page is read in two statements (core.paging.TwoReadsPaginator): the page's ids in
    the board's order with the board's count, then those rows. Every column of the case table the first
    reads is in the index case_on_board or in its condition, the id included, so PostgreSQL answers it
    from the index alone (an index-only scan: 10.4 ms at a street's 1,700 waiting cases, 4.2 ms so)."""
    for g in "ABC":
        new_case(g, title=f"网格{g}的诉求")
    page = TwoReadsPaginator(board_cases_for(tree.user("community_worker_1")), 50)
    with CaptureQueriesContext(connection) as captured:
        assert len(page.get_page(1).object_list) == 2 and page.count == 2
    assert len(captured) == 2
    ids = captured.captured_queries[0]["sql"]
    assert ' AS "pk", COUNT("cases_case"."id") OVER () AS ' in ids
    index = next(i for i in Case._meta.indexes if i.name == "case_on_board")
    covered = {Case._meta.get_field(name).column for name in index.fields} | {"status", "extension_requested_until"}
    assert set(re.findall(r'"cases_case"\."(\w+)"', ids)) <= covered, ids
