"""``joins_as_written``: PostgreSQL joins in Django's order inside the block, and only there."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from grassroots.core.planning import joins_as_written


def _limit() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW join_collapse_limit")
        return cursor.fetchone()[0]


@pytest.mark.postgresql
@pytest.mark.django_db
def test_the_join_order_is_fixed_inside_the_block_and_restored_after_it_even_after_an_error():
    before = _limit()
    assert before != "1"  # PostgreSQL's default is 8
    with joins_as_written():
        assert _limit() == "1"
    assert _limit() == before
    with pytest.raises(ValueError), joins_as_written():
        raise ValueError("the read failed")
    assert _limit() == before


@pytest.mark.postgresql
@pytest.mark.django_db
def test_a_failed_statement_inside_a_transaction_takes_the_setting_back_with_its_rollback():
    before = _limit()
    with pytest.raises(DatabaseError), transaction.atomic(), joins_as_written(), connection.cursor() as cursor:
        cursor.execute("SELECT 1 / 0")  # the transaction is now aborted: the restore cannot run
    assert _limit() == before


@pytest.mark.django_db
def test_reads_inside_the_block_find_what_they_find_outside_it(tree):
    """On both databases; SQLite has no such setting, so nothing more is sent there."""
    from django.test.utils import CaptureQueriesContext

    from grassroots.areas.models import Area

    outside = list(Area.objects.select_related("parent__parent").order_by("code").values_list("code", "parent__parent__code"))
    with CaptureQueriesContext(connection) as ctx, joins_as_written():
        inside = list(Area.objects.select_related("parent__parent").order_by("code").values_list("code", "parent__parent__code"))
    assert inside == outside and len(inside) > 10
    assert len(ctx.captured_queries) == (3 if connection.vendor == "postgresql" else 1)
