"""What a verified resident sees and asks for, and what their community's staff decide."""

from __future__ import annotations

import io
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from grassroots.cases.models import Case
from grassroots.core.models import AuditEntry
from grassroots.people.models import Person, Resident
from grassroots.people.services import person_reveal
from grassroots.privacy import services as svc
from grassroots.privacy.models import AnonymisedCase, PrivacyRequest
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_my_data_page_shows_masked_numbers_and_downloads(client, tree, me, closed_case):
    person = me.person
    person.set_phone("13912345678")
    person.save()
    closed_case(user=me, person=person)
    login(client, me)
    page = client.get(reverse("privacy:data")).content.decode()
    assert person.name in page and "139****5678" in page and "13912345678" not in page
    assert "楼道灯不亮" in page
    data = json.loads(client.get(reverse("privacy:data") + "?format=json").content)
    assert data["人员"]["手机号"] == "139****5678"
    assert [c["标题"] for c in data["诉求"]] == ["楼道灯不亮"]
    response = client.get(reverse("privacy:data") + "?format=xlsx")
    book = load_workbook(io.BytesIO(response.content))
    assert "诉求" in book.sheetnames and book["人员"]["A2"].value == person.name
    # each download is an audited export (the page itself is not), in the hash chain
    audits = AuditEntry.objects.filter(action="privacy.my_data.export").order_by("pk")
    assert [(a.actor, a.object_id, a.detail["filters"], a.detail["rows"]) for a in audits] == [
        (me, str(person.pk), {"format": "json"}, 3), (me, str(person.pk), {"format": "xlsx"}, 3)]
    assert audits[0].detail["fields"] == ["人员", "户籍/居住", "诉求", "志愿报名", "积分"]
    call_command("audit_verify", stdout=io.StringIO())


def test_me_page_links_the_privacy_pages(client, tree, me):
    from grassroots.portal.models import ResidentAccount

    account = ResidentAccount(user=me, status="verified", person=me.person, district_code="420303")
    account.set_phone("13700000001")
    account.save()
    page = login(client, me).get(reverse("portal:me")).content.decode()
    assert reverse("privacy:data") in page and reverse("privacy:reveals") in page


def test_unverified_account_gets_404(client, tree):
    from tests.factories import make_user

    login(client, make_user("walk_in"))
    assert client.get(reverse("privacy:data")).status_code == 404
    assert client.get(reverse("privacy:reveals")).status_code == 404


def test_reveals_show_who_and_when_but_not_username(client, tree, me):
    worker = tree.user("community_worker_1")
    worker.display_name = "张社工"
    worker.save()
    person_reveal(person=me.person, field="phone", actor=worker, area_code=tree.residents[0].household.code)
    page = login(client, me).get(reverse("privacy:reveals")).content.decode()
    from grassroots.accounts.models import Role

    assert "张社工" in page and "查看了手机号" in page and str(Role.COMMUNITY_WORKER.label) in page
    assert "community_worker_1" not in page


def test_correction_approved_by_own_community_changes_the_name(client, tree, me):
    login(client, me)
    r = client.post(reverse("privacy:correction"), {"field": "name", "new_value": "王晓明", "reason": "登记写错了字"})
    assert r.status_code == 302
    item = PrivacyRequest.objects.get()
    assert item.area_code == tree.residents[0].household.code
    # double submit: refused, still one request
    r = client.post(reverse("privacy:correction"), {"field": "name", "new_value": "王晓明", "reason": "再交一次"})
    assert r.status_code == 422 and "已有一项同类申请" in r.content.decode()
    assert PrivacyRequest.objects.count() == 1

    staff = login(client, tree.user("community_worker_1"))
    assert "姓名 → 王晓明" in staff.get(reverse("privacy:staff")).content.decode()  # what they are asked to approve
    staff.post(reverse("privacy:decide", args=[item.pk]), {"decision": "approve"})
    item.refresh_from_db()
    assert item.status == "approved" and Person.objects.get(pk=me.person.pk).name == "王晓明"
    assert AuditEntry.objects.filter(action="person.update", object_id=str(me.person.pk)).exists()
    assert AuditEntry.objects.filter(action="privacy.correction.approved").exists()


@pytest.mark.parametrize("values, message", [
    ({"field": "name", "new_value": "", "reason": "x"}, "请填写正确的内容"),
    ({"field": "name", "new_value": "王" * 51, "reason": "x"}, "不能超过50个字"),
    ({"field": "name", "new_value": "王晓明", "reason": "   "}, "请填写理由"),
    ({"field": "name", "new_value": "王晓明", "reason": "长" * 501}, "不能超过500个字"),
    ({"field": "phone", "new_value": "12345", "reason": "换号了"}, "手机号"),
    ({"field": "id_number", "new_value": "1", "reason": "x"}, "请选择要更正的项目"),
])
def test_bad_correction_input_is_refused_and_nothing_stored(client, tree, me, values, message):
    r = login(client, me).post(reverse("privacy:correction"), values)
    assert r.status_code == 422 and message in r.content.decode()
    assert not PrivacyRequest.objects.exists() and not AuditEntry.objects.filter(action__startswith="privacy").exists()


def test_rejection_needs_a_reason_and_changes_nothing(tree, me):
    item = svc.correction_request(user=me, field="phone", new_value="13900001111", reason="换号")
    worker = tree.user("community_worker_1")
    with pytest.raises(ValidationError):
        svc.request_decide(item=item, actor=worker, approve=False, reason="")
    svc.request_decide(item=item, actor=worker, approve=False, reason="请到社区现场核验")
    item.refresh_from_db()
    assert item.status == "rejected" and me.person.phone_masked == Person.objects.get(pk=me.person.pk).phone_masked
    with pytest.raises(ValidationError, match="已处理"):
        svc.request_decide(item=item, actor=worker, approve=True)


def test_other_community_cannot_see_or_decide(client, tree, me):
    item = svc.deletion_request(user=me, reason="不再住在这里")
    other = login(client, tree.user("community_worker_2"))
    assert "不再住在这里" not in other.get(reverse("privacy:staff")).content.decode()
    assert other.post(reverse("privacy:decide", args=[item.pk]), {"decision": "approve"}).status_code == 404
    assert other.post(reverse("privacy:decide", args=[item.pk + 999]), {"decision": "approve"}).status_code == 404
    with pytest.raises(PermissionDenied):
        svc.request_decide(item=item, actor=tree.user("community_worker_2"), approve=True)
    item.refresh_from_db()
    assert item.status == "pending"
    # the street above it does see it; a grid worker (no register rights) does not
    assert "不再住在这里" in login(client, tree.user("street_admin_1")).get(reverse("privacy:staff")).content.decode()
    assert "不再住在这里" not in login(client, tree.user("grid_worker_A")).get(reverse("privacy:staff")).content.decode()


def test_deletion_anonymises_person_and_cases_but_keeps_the_case(tree, me, closed_case):
    person = me.person
    case = closed_case(user=me, person=person)
    item = svc.deletion_request(user=me, reason="搬走了")
    svc.request_decide(item=item, actor=tree.user("community_worker_1"), approve=True, reason="同意")
    case.refresh_from_db()
    assert (case.contact_name_enc, case.contact_phone_enc, case.contact_phone_index, case.address) == ("", "", "", "")
    assert case.reporter_id is None and case.reporter_user_id is None
    assert case.title == "楼道灯不亮" and case.status == "closed" and case.area == tree.grid("A")
    person.refresh_from_db()
    assert person.name == svc.ANON_NAME and person.id_number_enc == "" and person.phone_index == ""
    assert not Resident.objects.filter(person=person).exists()
    item.refresh_from_db()
    assert item.outcome == {"cases": 1, "person": "anonymised", "holds": []}
    assert AuditEntry.objects.filter(action="person.anonymise", object_id=str(person.pk)).exists()
    # through the case service: one case.anonymise row by the deciding worker, in the chain
    row = AuditEntry.objects.get(action="case.anonymise")
    assert (row.object_id, row.actor, row.detail["reason"]) == (str(case.pk), tree.user("community_worker_1"), "request")
    call_command("audit_verify", "--district", "420303", stdout=io.StringIO())


def test_deletion_of_a_grid_worker_keeps_the_person_record(tree, me, closed_case):
    from grassroots.people.models import GridStaff

    GridStaff.objects.create(person=me.person, grid=tree.grid("A"), role="grid_worker")
    closed_case(user=me, person=me.person)
    item = svc.deletion_request(user=me, reason="搬走了")
    svc.request_decide(item=item, actor=tree.user("community_worker_1"), approve=True)
    me.person.refresh_from_db()
    assert me.person.name != svc.ANON_NAME and item.__class__.objects.get().outcome["person"] == "kept"
    assert AnonymisedCase.objects.count() == 1


def test_a_failing_decision_writes_nothing(tree, me, closed_case, monkeypatch):
    case = closed_case(user=me, person=me.person)
    item = svc.deletion_request(user=me, reason="搬走了")

    def boom(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(svc, "audit_record", boom)
    with pytest.raises(RuntimeError):
        svc.request_decide(item=item, actor=tree.user("community_worker_1"), approve=True)
    case.refresh_from_db()
    item.refresh_from_db()
    assert item.status == "pending" and case.address and not AnonymisedCase.objects.exists()
    assert Case.objects.get(pk=case.pk).reporter_id == me.person.pk


def test_staff_menu_offers_the_requests_to_register_keepers_only(client, tree):
    assert "个人信息申请" in login(client, tree.user("community_worker_1")).get("/").content.decode()
    assert "个人信息申请" not in login(client, tree.user("grid_worker_A")).get("/").content.decode()


def test_reveals_include_a_handler_reading_my_cases_contact(client, tree, me, closed_case):
    from grassroots.cases.services import case_contact_reveal

    case = closed_case(user=me, person=me.person)
    closed_case(title="别人的诉求")  # another resident's case: its reveals are not mine
    other = Case.objects.exclude(pk=case.pk).get()
    worker = tree.user("grid_worker_A")
    case_contact_reveal(case=case, actor=worker)
    case_contact_reveal(case=other, actor=worker)
    page = login(client, me).get(reverse("privacy:reveals")).content.decode()
    assert f"诉求{case.code}的联系方式" in page and other.code not in page


def test_deletion_asked_on_the_page_and_approved_on_the_staff_page(client, tree, me, closed_case):
    """The whole way through the pages: the resident asks, the community approves, the case stays and
    loses the personal data, the request and its outcome are logged."""
    case = closed_case(user=me, person=me.person)
    login(client, me)
    asked = client.post(reverse("privacy:deletion"), {"reason": "搬离本社区"})
    assert asked.status_code == 302 and asked["Location"] == reverse("privacy:data")
    item = PrivacyRequest.objects.get()
    assert (item.kind, item.status) == ("deletion", "pending")

    login(client, tree.user("community_worker_2"))  # another community: not theirs to decide
    assert client.post(reverse("privacy:decide", args=[item.pk]), {"decision": "approve"}).status_code == 404
    login(client, tree.user("community_worker_1"))
    assert "搬离本社区" in client.get(reverse("privacy:staff")).content.decode()
    done = client.post(reverse("privacy:decide", args=[item.pk]), {"decision": "approve", "reason": "核实无误"},
                       follow=True)
    assert "已处理" in done.content.decode()
    item.refresh_from_db()
    case.refresh_from_db()
    assert item.status == "approved" and item.outcome["cases"] == 1
    assert Case.objects.filter(pk=case.pk).exists() and case.contact_phone_enc == "" and case.reporter_id is None
    assert Person.objects.get(pk=me.person.pk).name == svc.ANON_NAME
    assert AuditEntry.objects.filter(action="case.anonymise", object_id=str(case.pk)).exists()
