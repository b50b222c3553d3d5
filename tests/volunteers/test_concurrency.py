"""Twenty residents press 报名 at the same moment for five slots: exactly five get them, fifteen wait;
then five cancel at once and exactly five move up. PostgreSQL only (row locks)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from grassroots.accounts.models import User
from grassroots.volunteers.models import Activity, Signup
from grassroots.volunteers.services import activity_create, signup, signup_cancel

from .conftest import resident_user

pytestmark = [
    pytest.mark.postgresql,  # needs PostgreSQL row locks
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def at_once(calls) -> list[str]:
    barrier = threading.Barrier(len(calls))
    out, lock = [], threading.Lock()

    def run(call):
        try:
            barrier.wait(timeout=30)
            try:
                result = call()
            except Exception as exc:  # the assertions show anything unexpected
                result = f"unexpected {exc!r}"
            with lock:
                out.append(result)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return out


def test_slots_hold_under_simultaneous_signups_and_cancellations(tree):
    users = [resident_user(tree, n) for n in range(1, 21)]
    start = timezone.now() + timedelta(hours=1)
    activity = activity_create(community=tree.communities[0], actor=tree.user("community_worker_1"), title="义诊",
                               place="卫生站", starts_at=start, ends_at=start + timedelta(hours=2), slots=5)
    ids = [u.pk for u in users]

    def sign(pk):
        return lambda: signup(activity=Activity.objects.get(pk=activity.pk), user=User.objects.get(pk=pk)).status

    results = at_once([sign(pk) for pk in ids])
    assert sorted(results).count("signed_up") == 5 and results.count("waitlisted") == 15, results
    holders = list(Signup.objects.filter(activity=activity, status="signed_up").values_list("pk", "user_id"))

    def cancel(row_pk, user_pk):
        return lambda: signup_cancel(signup_row=Signup.objects.get(pk=row_pk), actor=User.objects.get(pk=user_pk)).status

    assert at_once([cancel(r, u) for r, u in holders]) == ["cancelled"] * 5
    assert Signup.objects.filter(activity=activity, status="signed_up").count() == 5
    assert Signup.objects.filter(activity=activity, status="waitlisted").count() == 10
