"""The dispatch board reads what waits for a dispatcher from its own partial index, so its cost follows the
backlog, not the year's history (a street's board took 3–4 s at 100,000 cases before: benchmarks/http_load.py)."""

from __future__ import annotations

import pytest
from django.db import connection

from grassroots.accounts.models import User
from grassroots.cases.models import BOARD_STATUSES
from grassroots.cases.selectors import ON_BOARD_SQL, board_cases_for

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
