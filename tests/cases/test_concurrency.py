"""Twenty people press the same button at the same moment: the row lock lets exactly one through.

PostgreSQL only: SQLite has no row locks (it serialises whole-database writers instead), so the
race this test provokes cannot happen there in the same way.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from grassroots.accounts.models import Role, User
from grassroots.cases import services as svc
from grassroots.cases.errors import TransitionNotAllowed
from grassroots.cases.models import Case, CaseEvent
from tests.factories import make_user

THREADS = 20

pytestmark = [
    pytest.mark.postgresql,  # needs PostgreSQL row locks (SELECT … FOR UPDATE); SQLite has none
    # serialized_rollback: the seeded taxonomy, tier rules and time limits are restored after each
    # test's flush, so the next test routes and times cases like a real installation.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def race(case_pk: int, usernames: list[str], call) -> list[str]:
    """Run ``call(case=…, actor=…)`` in THREADS threads, each with its own connection, all at once."""
    barrier = threading.Barrier(THREADS)
    results: list[str] = []
    lock = threading.Lock()

    def worker(i: int) -> None:
        try:
            actor = User.objects.get(username=usernames[i % len(usernames)])
            case = Case.objects.get(pk=case_pk)
            barrier.wait(timeout=30)
            try:
                call(case=case, actor=actor)
                outcome = "ok"
            except TransitionNotAllowed as exc:
                outcome = exc.message
            except Exception as exc:  # anything else is a failure the assertions will show
                outcome = f"unexpected {exc!r}"
            with lock:
                results.append(outcome)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_twenty_simultaneous_takes_one_succeeds(tree, new_case):
    make_user("dept_handler_2", Role.DEPARTMENT_HANDLER, unit=tree.units["dept"])
    cw1 = tree.user("community_worker_1")
    case = new_case()
    svc.case_accept(case=case, actor=cw1)
    svc.case_dispatch(case=case, actor=cw1, to_unit=tree.units["dept"])

    results = race(case.pk, ["dept_handler", "dept_handler_2"], svc.case_take)

    assert len(results) == THREADS
    assert results.count("ok") == 1, results
    refused = [r for r in results if r != "ok"]
    assert all("当前状态为“办理中”，不能接单" in r and "刷新" in r for r in refused), refused
    assert CaseEvent.objects.filter(case=case, action="take").count() == 1
    case.refresh_from_db()
    assert case.status == Case.Status.IN_PROGRESS and case.events.count() == 4


def test_twenty_simultaneous_accepts_one_succeeds(tree, new_case):
    case = new_case()
    assert case.assigned_area == tree.grid("A")  # the grid's case: all four may accept it
    dispatchers = ["community_worker_1", "street_admin_1", "district_admin", "root"]

    results = race(case.pk, dispatchers, svc.case_accept)

    assert results.count("ok") == 1, results
    assert all("当前状态为“已受理”，不能受理" in r for r in results if r != "ok"), results
    assert CaseEvent.objects.filter(case=case).count() == 2
