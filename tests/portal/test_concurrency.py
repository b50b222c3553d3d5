"""Ten simultaneous submits of one form (a frantic double-tap on a slow phone network): one case, one
set of photos, and every submit answers with that case. PostgreSQL only, like tests/cases/test_concurrency.py."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from grassroots.cases.models import Case, CaseAttachment, CaseEvent
from grassroots.portal.services import new_intake_key, report_submit
from tests.portal.conftest import photo_bytes, upload

THREADS = 10

pytestmark = [
    pytest.mark.postgresql,  # needs concurrent writers (PostgreSQL)
    # serialized_rollback: the seeded taxonomy, tier rules and time limits are restored after each
    # test's flush, so the next test routes and times cases like a real installation.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_simultaneous_submits_of_one_form_create_one_case(tree, stored_files):
    key, district = new_intake_key(), tree.district
    data = photo_bytes(size=(200, 150))
    barrier = threading.Barrier(THREADS)
    results, lock = [], threading.Lock()

    def worker() -> None:
        try:
            barrier.wait(timeout=30)
            result = report_submit(description="楼道灯坏了", actor=None, district=district, lat="32.605",
                                   lng="110.705", photos=[upload("a.jpg", data)], intake_key=key)
            outcome = (result.case.pk, result.created)
        except Exception as exc:  # the assertion below shows it
            outcome = ("unexpected", repr(exc))
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    case = Case.objects.get()
    assert sorted(results) == sorted([(case.pk, True)] + [(case.pk, False)] * (THREADS - 1))
    assert CaseEvent.objects.filter(case=case).count() == 1
    assert CaseAttachment.objects.filter(case=case).count() == 1
    assert len(stored_files()) == 2  # the losers' photos were never written
