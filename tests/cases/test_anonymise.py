"""``anonymise_personal_data``: the case service that removes a reporter's personal data (a resident's
deletion request, retention — called by the privacy app): the case stays, one audit row, no event, and a
second call does nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from grassroots.cases.models import Case, CaseEvent
from grassroots.cases.services import anonymise_personal_data
from grassroots.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_removes_the_reporter_and_keeps_the_case(tree, new_case):
    reporter = tree.residents[0].person
    case = new_case(contact_name="张三丰", contact_phone="13812345678", address="阳光小区3栋2单元501",
                    reporter=reporter)
    before = Case.objects.get(pk=case.pk)
    events = CaseEvent.objects.filter(case=case).count()
    worker = tree.user("community_worker_1")

    assert anonymise_personal_data(case, actor=worker, reason="request") is True

    after = Case.objects.get(pk=case.pk)
    assert (after.contact_name_enc, after.contact_name_masked, after.contact_phone_enc, after.contact_phone_index,
            after.contact_phone_masked, after.address, after.reporter_id, after.reporter_user_id) == (
        "", "", "", "", "", "", None, None)
    assert (after.title, after.body, after.area_id, after.status, after.created_at, after.updated_at) == (
        before.title, before.body, before.area_id, before.status, before.created_at, before.updated_at)
    assert (case.address, case.reporter) == ("", None)  # the caller's copy follows
    assert CaseEvent.objects.filter(case=case).count() == events  # no step of the case loop
    row = AuditEntry.objects.get(action="case.anonymise")
    assert (row.actor, row.object_type, row.object_id, row.district_code) == (
        worker, "cases.case", str(case.pk), "420303")
    assert row.detail == {"code": case.code, "reason": "request"}
    assert "13812345678" not in str(row.detail) and "张三丰" not in str(row.detail)
    out = StringIO()
    call_command("audit_verify", "--district", "420303", stdout=out)  # raises on a broken chain


def test_a_second_call_writes_nothing(tree, new_case):
    case = new_case(contact_name="张三丰", contact_phone="13812345678")
    assert anonymise_personal_data(case, actor=None, reason="retention") is True
    assert anonymise_personal_data(Case.objects.get(pk=case.pk), actor=None, reason="retention") is False
    assert AuditEntry.objects.filter(action="case.anonymise").count() == 1


def test_a_case_without_personal_data_is_not_audited(tree, new_case):
    case = new_case(channel="patrol", actor=tree.user("grid_worker_A"))
    Case.objects.filter(pk=case.pk).update(address="")
    assert anonymise_personal_data(Case.objects.get(pk=case.pk), actor=None, reason="retention") is False
    assert not AuditEntry.objects.filter(action="case.anonymise").exists()
