"""The read replica (core/db_router.py): only reads inside ``replica_reads()`` go to it; writes, reads
in a transaction and everything else stay on the primary; the command center, the rankings and the
monthly report read there; without ``DATABASE_REPLICA_URL`` nothing changes.

The ``replica`` alias is set up here as settings.py sets it up (``TEST: {"MIRROR": "default"}``): a
second connection to the test database, so nothing is created and both stages (SQLite, PostgreSQL)
run it. A mirror is a second connection: it sees only committed rows, like a real replica, so the
tests that read data through it are transactional.
"""

from __future__ import annotations

import copy
import importlib.util
import threading
from datetime import timedelta

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.db import connections, router, transaction
from django.test.utils import CaptureQueriesContext, override_settings

from grassroots.accounts.models import User
from grassroots.areas.models import Area
from grassroots.cases.models import Case, Rating
from grassroots.core import db_router
from grassroots.core.db_router import REPLICA, replica_reads
from grassroots.core.models import AuditEntry
from grassroots.reports import services as reports
from grassroots.reports.models import MonthlyReport
from tests.assessment.factories import T0, put_case

ROUTER = "grassroots.core.db_router.ReplicaRouter"
BOTH = ["default", REPLICA]
# The replica connection must see the rows the test wrote (committed); the migrations' seeded rows
# (categories, time limits) come back after each test's flush.
ON_REPLICA = pytest.mark.django_db(transaction=True, serialized_rollback=True, databases=BOTH)
Q = "start=2026-03-01&end=2026-04-01"
S = Case.Status


@pytest.fixture(scope="module", autouse=True)
def replica_alias(django_db_setup):
    """``DATABASES["replica"]`` as settings.py makes it from DATABASE_REPLICA_URL, pointed (as Django's
    test runner points a mirror) at the default's test database, and the router installed. Module
    scope: the alias must exist before pytest-django opens the test's databases."""
    default = connections["default"].settings_dict
    mirror = copy.deepcopy(default)
    mirror["TEST"] = {**mirror.get("TEST", {}), "MIRROR": "default"}
    connections.settings[REPLICA] = mirror
    routers = override_settings(DATABASE_ROUTERS=[ROUTER])
    routers.enable()
    yield
    routers.disable()
    connections[REPLICA].close()
    del connections[REPLICA]
    del connections.settings[REPLICA]


@pytest.fixture
def replica():
    yield connections[REPLICA]
    connections[REPLICA].close()  # no idle connection to the test database when it is flushed or dropped


def sql(captured) -> str:
    return "\n".join(q["sql"] for q in captured.captured_queries)


def table(model) -> str:
    return model._meta.db_table


@ON_REPLICA
def test_reads_inside_replica_reads_go_to_the_replica_and_outside_to_the_primary(replica, tree):
    expected = Area.objects.count()
    with CaptureQueriesContext(replica) as on_replica, CaptureQueriesContext(connections["default"]) as on_default:
        with replica_reads():
            inside = Area.objects.count()
            names = [a.name for a in Area.objects.filter(level="street").order_by("code")]
        outside = Area.objects.count()
    assert inside == outside == expected > 0  # the mirror sees the same committed rows
    assert names == ["测试街道1", "测试街道2"]
    assert len(on_replica) == 2 and table(Area) in sql(on_replica)
    assert len(on_default) == 1 and table(Area) in sql(on_default)


@ON_REPLICA
def test_writes_inside_replica_reads_go_to_the_primary(replica):
    with (CaptureQueriesContext(replica) as on_replica, CaptureQueriesContext(connections["default"]) as on_default,
          replica_reads()):
        user = User.objects.create(username="writer")
        AuditEntry.objects.create(actor=user, action="test.write", object_type="user", object_id=str(user.pk))
        User.objects.filter(pk=user.pk).update(first_name="写")
        user.last_name = "主库"
        user.save()
        user.delete()
    assert "INSERT" in sql(on_default) and "UPDATE" in sql(on_default) and "DELETE" in sql(on_default)
    assert not any(word in sql(on_replica) for word in ("INSERT", "UPDATE", "DELETE"))
    assert AuditEntry.objects.filter(action="test.write").count() == 1


@ON_REPLICA
def test_no_read_goes_to_the_replica_inside_a_transaction(replica, tree):
    with CaptureQueriesContext(replica) as on_replica, CaptureQueriesContext(connections["default"]) as on_default:
        with replica_reads(), transaction.atomic():
            Area.objects.count()
            with transaction.atomic():  # a savepoint: still in the transaction
                Area.objects.filter(level="street").count()
        with transaction.atomic(), replica_reads():  # the other way round
            Area.objects.count()
        with replica_reads():  # after the transaction: the replica again
            Area.objects.count()
    assert table(Area) in sql(on_default) and sql(on_default).count("COUNT(") == 3
    assert len(on_replica) == 1


@ON_REPLICA
def test_the_session_and_the_shared_cache_are_read_on_the_primary(replica):
    with replica_reads():
        assert router.db_for_read(Area) == REPLICA
        assert router.db_for_read(Session) == "default"  # a session made a moment ago on the primary
        from django.core.cache import caches

        with CaptureQueriesContext(replica) as on_replica:
            assert caches["shared"].get("nothing-here") is None
    assert on_replica.captured_queries == []


@ON_REPLICA
def test_the_command_center_answers_from_the_replica(replica, client_as, tree):
    """A street leader's screen: the figures are right, and the cases were read on the replica; the
    session and the user (checked before the view) on the primary."""
    a = tree.grid("A")
    put_case(a, status=S.CLOSED, responded=1, replied=5, rating=Rating.SATISFIED)
    put_case(a, status=S.IN_PROGRESS, responded=1, deadline=24, title="井盖松动有危险")
    put_case(tree.grid("E"), status=S.IN_PROGRESS, title="外街道的诉求")  # street 2: never on street 1's screen
    client = client_as(tree.user("street_admin_1"))
    with (CaptureQueriesContext(replica) as on_replica, CaptureQueriesContext(connections["default"]) as on_default,
          time_machine.travel(T0 + timedelta(days=5), tick=False)):
        response = client.get(f"/api/command/overview?area={tree.streets[0].code}&{Q}")
    assert response.status_code == 200
    data = response.json()
    assert data["area"]["name"] == "测试街道1"
    assert (data["totals"]["received"], data["totals"]["open"], data["totals"]["resolved"]) == (2, 1, 1)
    assert data["totals"]["overdue"] == 1
    assert [x["title"] for x in data["alerts"]] == ["井盖松动有危险"] and "外街道的诉求" not in str(data)
    assert table(Case) in sql(on_replica)
    assert table(Session) in sql(on_default) and table(Session) not in sql(on_replica)
    assert table(Case) not in sql(on_default)  # every read of the figures went to the replica

    with CaptureQueriesContext(replica) as page_reads:
        page = client.get(f"/command/?{Q}")
    assert page.status_code == 200 and "测试街道1 · 指挥中心" in page.content.decode()
    assert len(page_reads) > 0


@ON_REPLICA
def test_the_assessment_ranking_reads_on_the_replica(replica, client_as, tree):
    put_case(tree.grid("A"), status=S.CLOSED, responded=1, replied=5, rating=Rating.SATISFIED)
    client = client_as(tree.user("street_admin_1"))
    with CaptureQueriesContext(replica) as on_replica:
        page = client.get(f"/assessment/?area={tree.streets[0].code}&{Q}")
        export = client.get(f"/assessment/export.xlsx?area={tree.streets[0].code}&{Q}")
    assert page.status_code == 200 and "测试社区1-1" in page.content.decode()
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxml")
    assert len(on_replica) > 0
    # a user without a case-viewing role is refused before anything is read for the ranking
    with CaptureQueriesContext(replica) as refused:
        assert client_as(tree.user("nobody")).get("/assessment/").status_code == 403
    assert refused.captured_queries == []


@ON_REPLICA
def test_the_monthly_report_reads_on_the_replica_and_writes_its_row_on_the_primary(replica, tree, settings,
                                                                                      tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    put_case(tree.grid("A"), status=S.CLOSED, responded=1, replied=5, rating=Rating.SATISFIED)
    put_case(tree.grid("B"), status=S.IN_PROGRESS, responded=1)
    report, _queued = reports.report_request(area=tree.streets[0], month="2026-03", actor=tree.user("street_admin_1"))
    with CaptureQueriesContext(replica) as on_replica, CaptureQueriesContext(connections["default"]) as on_default:
        claimed = reports.report_claim(worker="w1")
        done = reports.report_run(report=claimed)
    assert done.status == MonthlyReport.Status.DONE, done.error
    assert done.summary["received"] == 2
    assert table(Case) in sql(on_replica)
    assert not any(word in sql(on_replica) for word in ("INSERT", "UPDATE", "DELETE"))
    assert f'UPDATE "{table(MonthlyReport)}"' in sql(on_default)


@pytest.mark.django_db  # not the replica: a test case would open a transaction on it too
def test_the_transaction_a_test_runs_in_is_not_one_of_the_code():
    """Django wraps a test in a transaction on the primary; only the code's own blocks keep reads there."""
    assert connections["default"].in_atomic_block
    with replica_reads():
        assert router.db_for_read(Area) == REPLICA
        with transaction.atomic():
            assert router.db_for_read(Area) == "default"


def test_replica_reads_in_one_thread_leave_another_threads_reads_alone():
    inside, release = threading.Event(), threading.Event()
    seen = {}

    def reader():
        with replica_reads():
            seen["thread"] = router.db_for_read(Area)
            inside.set()
            release.wait(10)

    worker = threading.Thread(target=reader)
    worker.start()
    assert inside.wait(10)
    try:
        assert router.db_for_read(Area) == "default"  # this thread never asked for stale reads
    finally:
        release.set()
        worker.join(10)
    assert seen["thread"] == REPLICA


def test_replica_reads_as_a_decorator_restores_the_primary_after_the_call_even_on_error():
    @replica_reads()
    def page():
        assert router.db_for_read(Area) == REPLICA
        raise ValueError("boom")

    with pytest.raises(ValueError):
        page()
    assert router.db_for_read(Area) == "default"


def test_the_router_keeps_migrations_on_the_primary_and_allows_relations():
    r = db_router.ReplicaRouter()
    assert r.allow_migrate("default", "cases") is True and r.allow_migrate(REPLICA, "cases") is False
    a, b = Area(), Area()
    a._state.db, b._state.db = "default", REPLICA
    assert r.allow_relation(a, b) is True
    assert r.db_for_write(Area) == "default"


def test_without_the_router_replica_reads_changes_nothing(settings):
    settings.DATABASE_ROUTERS = []  # what settings.py has without DATABASE_REPLICA_URL
    with replica_reads():
        assert router.db_for_read(Area) == "default"
        assert Area.objects.all().db == "default"


def test_a_router_without_a_replica_alias_reads_on_the_primary(monkeypatch):
    monkeypatch.delitem(connections.settings, REPLICA)
    with replica_reads():
        assert router.db_for_read(Area) == "default"


def _settings_with(monkeypatch, **env):
    for name in ("DATABASE_URL", "DATABASE_REPLICA_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location("grassroots_settings_probe", db_router.__file__.replace(
        "core/db_router.py", "settings.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_settings_without_database_replica_url_have_one_database_and_no_router(monkeypatch):
    plain = _settings_with(monkeypatch)
    assert list(plain.DATABASES) == ["default"]
    assert getattr(plain, "DATABASE_ROUTERS", []) == []
    on_pg = _settings_with(monkeypatch, DATABASE_URL="postgres://app@primary.example:5432/grassroots")
    assert list(on_pg.DATABASES) == ["default"] and getattr(on_pg, "DATABASE_ROUTERS", []) == []


def test_settings_with_database_replica_url_add_the_replica_and_the_router(monkeypatch):
    conf = _settings_with(monkeypatch, DATABASE_URL="postgres://app@primary.example:5432/grassroots",
                          DATABASE_REPLICA_URL="postgres://reader:pw@replica.example:5433/grassroots?sslmode=require")
    replica, default = conf.DATABASES["replica"], conf.DATABASES["default"]
    assert (replica["HOST"], replica["PORT"], replica["USER"]) == ("replica.example", 5433, "reader")
    assert replica["ENGINE"] == default["ENGINE"] == "django.db.backends.postgresql"
    assert replica["CONN_MAX_AGE"] == default["CONN_MAX_AGE"] == 60
    assert replica["OPTIONS"] == {**default.get("OPTIONS", {}), "sslmode": "require"}
    assert replica["TEST"] == {"MIRROR": "default"}  # a test run creates nothing on the replica
    assert conf.DATABASE_ROUTERS == [ROUTER]
