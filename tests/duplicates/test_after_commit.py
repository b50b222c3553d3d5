"""With GRASSROOTS_AFTER_COMMIT=worker (the default outside the tests), a new case is stored with its
event and answered; its notifications, the duplicate check and routing follow in the worker, once."""

import pytest

from grassroots.cases import services
from grassroots.cases.models import Case
from grassroots.core import deferred
from grassroots.core.models import Deferred
from grassroots.duplicates.models import DuplicateCandidate
from grassroots.notifications.models import Notification

from .conftest import LAMP, LAMP_AGAIN

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _worker_mode(settings):
    settings.GRASSROOTS_AFTER_COMMIT = "worker"


def test_the_case_answers_first_and_the_worker_does_the_rest_once(report, tree):
    first = report(LAMP)
    second = report(LAMP_AGAIN, lat=32.6052, lng=110.7051)
    # stored and answered: the case, its report event, and a row asking the worker for the rest
    assert Case.objects.filter(pk__in=[first.pk, second.pk]).count() == 2
    assert second.events.filter(action="report").exists()
    assert sorted(Deferred.objects.values_list("object_id", flat=True)) == [first.pk, second.pk]
    assert not Notification.objects.exists() and not DuplicateCandidate.objects.exists()

    assert deferred.task("worker-1")
    notified = Notification.objects.filter(kind="new_case")
    assert notified.filter(link=f"/cases/{first.pk}/").exists() and notified.filter(link=f"/cases/{second.pk}/").exists()
    assert DuplicateCandidate.objects.get(case=second).candidate_id == first.pk
    count = Notification.objects.count()
    assert not deferred.task("worker-1") and Notification.objects.count() == count  # nothing twice
    assert not Deferred.objects.exists()


def test_a_case_taken_up_before_the_worker_gets_no_new_case_notice(report, tree):
    case = report(LAMP)
    services.case_accept(case=case, actor=tree.user("community_worker_1"))
    deferred.task("worker-1")
    assert not Notification.objects.filter(kind="new_case", link=f"/cases/{case.pk}/").exists()
    assert not Deferred.objects.exists()


def test_a_double_submit_asks_once(tree):
    for _ in range(2):
        services.case_receive(title="楼道灯坏了", body=LAMP, channel="resident_web", area=tree.grid("A"),
                              intake_key="same-key-twice")
    assert Deferred.objects.count() == 1
