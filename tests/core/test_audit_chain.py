"""The tamper-evident audit trail (core/chain.py, ``grassroots audit_verify``): every audit row and case event
carries the hash of the one before it in its district's chain; a row changed, deleted or slipped in behind
the application's back is named by the command, and the chain holds under concurrent writers."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections, models, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grassroots.cases.models import CaseEvent
from grassroots.cases.services import case_accept, case_contact_reveal, case_dispatch
from grassroots.core import chain
from grassroots.core.models import AuditEntry
from grassroots.core.services import audit_record

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _only_this_tests_rows():
    """Start from empty chains (rows other modules left behind are removed inside this test's transaction,
    so they come back after it)."""
    for model in (CaseEvent, AuditEntry):
        model.objects.all()._raw_delete(model.objects.db)


def verify(*args) -> str:
    out = StringIO()
    call_command("audit_verify", *args, stdout=out)
    return out.getvalue()


def broken(*args) -> str:
    with pytest.raises(CommandError) as caught:
        verify(*args)
    return str(caught.value)


def raw(sql: str, params=()) -> None:
    """Behind the application's back: plain SQL on the connection."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def entries(n: int, district_code: str = "420303", **detail) -> list[AuditEntry]:
    return [audit_record(actor=None, action="test.step", object_type="test", object_id=str(i),
                         district_code=district_code, detail={"n": i, **detail}) for i in range(n)]


def test_service_writes_chain_and_the_command_says_so(tree, new_case):
    worker = tree.user("community_worker_1")
    case = new_case(contact_name="张三丰", contact_phone="13812345678")
    case_accept(case=case, actor=worker)
    case_dispatch(case=case, actor=worker, to_unit=tree.units["dept"])
    case_contact_reveal(case=case, actor=tree.user("community_worker_1"))
    events = list(CaseEvent.objects.filter(case=case).order_by("pk"))
    assert [e.action for e in events] == ["report", "accept", "dispatch"]
    assert events[0].prev_hash == chain.GENESIS
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    out = verify()
    assert f"cases_caseevent 区县「{case.district_code}」：3 行" in out
    assert "core_auditentry：共" in out and "核验通过" in out


def test_a_row_edited_with_sql_is_named(tree):
    rows = entries(5, note="原文")
    target = rows[2]
    raw("UPDATE core_auditentry SET detail = %s WHERE id = %s", [json.dumps({"n": 2, "note": "改过"}), target.pk])
    message = broken()
    assert f"core_auditentry 区县「420303」第一个断点：第 {target.pk} 行" in message
    assert "内容在应用之外被改动" in message


def test_a_case_event_edited_with_sql_is_named(tree, new_case):
    """The case's own history is a chain too: an event rewritten behind the application's back (a note
    added to the acceptance) is named at its row, and a removed event at the row after it."""
    worker = tree.user("community_worker_1")
    case = new_case()
    case_accept(case=case, actor=worker)
    case_dispatch(case=case, actor=worker, to_unit=tree.units["dept"])
    report, accept, dispatch = CaseEvent.objects.filter(case=case).order_by("pk")
    raw("UPDATE cases_caseevent SET note = %s WHERE id = %s", ["受理时已电话联系居民", accept.pk])
    message = broken()
    assert f"cases_caseevent 区县「{case.district_code}」第一个断点：第 {accept.pk} 行" in message
    raw("UPDATE cases_caseevent SET note = %s WHERE id = %s", [accept.note, accept.pk])
    assert "核验通过" in verify()
    raw("DELETE FROM cases_caseevent WHERE id = %s", [accept.pk])
    assert f"第一个断点：第 {dispatch.pk} 行" in broken()


def test_a_deleted_row_is_found_at_the_row_after_it():
    rows = entries(5)
    raw("DELETE FROM core_auditentry WHERE id = %s", [rows[2].pk])
    message = broken()
    assert f"第 {rows[3].pk} 行" in message and "之前有行被删除" in message


def test_deleting_the_first_rows_is_found():
    rows = entries(3)
    raw("DELETE FROM core_auditentry WHERE id = %s", [rows[0].pk])
    assert "链的开头有行被删除" in broken()


def test_an_edited_and_rehashed_row_breaks_the_link_to_the_next():
    rows = entries(4)
    target = rows[1]
    target.object_id = "forged"
    new_hash = chain.digest(target.chain_values(), target.prev_hash)
    raw("UPDATE core_auditentry SET object_id = 'forged', hash = %s WHERE id = %s", [new_hash, target.pk])
    message = broken()
    assert f"第 {rows[2].pk} 行" in message and "前一行被改动后重新计算了哈希" in message


def test_a_row_slipped_in_between_is_named():
    """A forged row with a valid hash, put in a gap of the keys right after row ``a`` (keys have gaps: a
    rolled-back insert uses one up): the row after it still points at ``a``, so the forgery is named."""
    a = entries(1)[0]
    b = AuditEntry.objects.create(pk=a.pk + 10, action="test.step", object_type="test", object_id="b",
                                  district_code="420303")
    assert b.prev_hash == a.hash
    forged = AuditEntry(pk=a.pk + 5, action="test.forged", object_type="test", object_id="x",
                        district_code="420303", prev_hash=a.hash)
    forged.fill_chain()
    forged.hash = chain.digest(forged.chain_values(), forged.prev_hash)
    forged.save(force_insert=True)  # a hash already given: written as it is
    message = broken()
    assert f"第 {forged.pk} 行" in message and "插入到链中两行之间" in message


def test_a_deleted_user_leaves_the_chain_whole_and_who_acted_on_record(tree):
    from tests.factories import make_user

    user = make_user("temp_clerk")
    entry = audit_record(actor=user, action="test.step", object_type="test", object_id="1", district_code="420303")
    entries(2)
    user_pk = user.pk
    user.delete()
    entry.refresh_from_db()
    assert entry.actor_id is None and entry.actor_ref == user_pk
    assert "核验通过" in verify()
    raw("UPDATE core_auditentry SET actor_id = %s WHERE id = %s", [tree.user("community_worker_1").pk, entry.pk])
    assert f"第 {entry.pk} 行" in broken()  # someone else named as the actor


def test_kept_heads_catch_a_chain_rewritten_whole(tmp_path):
    rows = entries(3)
    heads = tmp_path / "heads.json"
    verify("--heads-out", str(heads))
    kept = json.loads(heads.read_text(encoding="utf-8"))["heads"]
    assert {"table": "core_auditentry", "district_code": "420303", "id": rows[-1].pk, "hash": rows[-1].hash,
            "rows": 3} in kept
    # an attacker with write access edits row 0 and re-hashes the whole chain after it: the walk passes ...
    raw("UPDATE core_auditentry SET object_id = 'forged' WHERE id = %s", [rows[0].pk])
    prev = chain.GENESIS
    for row in AuditEntry.objects.order_by("pk"):
        new = chain.digest(row.chain_values(), prev)
        raw("UPDATE core_auditentry SET prev_hash = %s, hash = %s WHERE id = %s", [prev, new, row.pk])
        prev = new
    assert "核验通过" in verify()
    # ... but not against the head kept elsewhere
    message = broken("--heads", str(heads))
    assert f"第 {rows[-1].pk} 行" in message and "链在保存之后被整体改写或截短" in message


def test_bulk_writers_are_chained_in_order():
    made = AuditEntry.objects.bulk_create([
        AuditEntry(action="test.bulk", object_type="t", object_id=str(i), district_code=code)
        for i, code in enumerate(["420303", "420304", "420303", "", "420304"])])
    by_code: dict[str, list[AuditEntry]] = {}
    for row in made:
        by_code.setdefault(row.district_code, []).append(row)
    for rows in by_code.values():
        assert rows[0].prev_hash == chain.GENESIS
        assert [r.prev_hash for r in rows[1:]] == [r.hash for r in rows[:-1]]
    entries(1, district_code="420304")
    assert "核验通过" in verify()
    assert "420304」：3 行" in verify("--district", "420304")


def test_every_column_is_hashed():
    """A column added later is covered only once it is named in chain_fields: this fails until it is."""
    for model in chain.chained_models():
        columns = {f.attname for f in model._meta.concrete_fields} - {"id", "prev_hash", "hash"}
        covered = set(model.chain_fields) | set(model.chain_refs)
        assert columns == covered, model


# --- any sequence of appends verifies; changing any one field of any row breaks exactly there ---------------

def text(n: int):
    # what a database can keep: UTF-8 (no lone surrogates), no NUL
    return st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=n)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2**60, 2**60) | text(8)
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text(4), inner, max_size=3),
    max_leaves=6)
appends = st.lists(st.tuples(st.sampled_from(["420303", "420304", ""]), text(12), json_values),
                   min_size=1, max_size=8)
EDITS = {"action": "'x.forged'", "object_id": "'forged-0000000000000'", "object_type": "'forged'", "district_code": None,
         "detail": "'{\"forged\": 1}'", "at": None, "actor_ref": "424242"}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(appends=appends, pick=st.integers(0, 100), field=st.sampled_from(sorted(EDITS)))
def test_any_appends_verify_and_any_one_edit_breaks_there(appends, pick, field):
    with transaction.atomic():
        AuditEntry.objects.all()._raw_delete(AuditEntry.objects.db)
        rows = [audit_record(actor=None, action="test.any", object_type="t", object_id=oid[:64], district_code=code,
                             detail={"v": value}) for code, oid, value in appends]
        assert "核验通过" in verify()
        target = rows[pick % len(rows)]
        if field == "at":
            AuditEntry.objects.filter(pk=target.pk).update(at=models.F("at") + timedelta(microseconds=1))
        elif field == "district_code":  # moved to another chain: both chains notice
            AuditEntry.objects.filter(pk=target.pk).update(district_code="999999")
        else:
            raw(f"UPDATE core_auditentry SET {field} = {EDITS[field]} WHERE id = %s", [target.pk])  # noqa: S608
        message = broken()
        if field == "district_code":
            assert "断" in message
        else:
            assert f"第 {target.pk} 行" in message and "内容在应用之外被改动" in message
            assert message.startswith("1 条链断开")
        transaction.set_rollback(True)


# --- several writers at once on PostgreSQL -----------------------------------------------------------------


@pytest.mark.postgresql
# serialized_rollback: the seeded rows (content types, taxonomy) come back after this test's flush, as in
# tests/cases/test_concurrency.py, so later tests find the database as migrations left it
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_six_threads_appending_to_one_district_leave_one_valid_chain(request):
    case = request.getfixturevalue("new_case")()
    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def writer(n: int) -> None:
        try:
            start.wait()
            for i in range(40):
                with transaction.atomic():  # an audit row and a case event in one transaction, as services do
                    audit_record(actor=None, action="test.thread", object_type="t", object_id=f"{n}-{i}",
                                 district_code="420303", detail={"n": n, "i": i, "f": 0.1 * i})
                    CaseEvent.objects.create(case=case, action="comment", from_status=case.status,
                                             to_status=case.status, note=f"{n}-{i}", district_code=case.district_code)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert errors == []
    assert AuditEntry.objects.filter(action="test.thread").count() == 240
    out = verify("--district", "420303")
    assert "核验通过" in out
    for model in (AuditEntry, CaseEvent):
        hashes = list(model.objects.filter(district_code="420303").values_list("prev_hash", flat=True))
        assert len(hashes) == len(set(hashes)) > 240  # no two rows claim the same predecessor: no fork
