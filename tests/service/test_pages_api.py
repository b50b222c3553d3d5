"""双报到 pages and API: the member's phone pages, the unit's page, the community's pages — each
refusing what lies in another community."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from grassroots.core.models import AuditEntry
from grassroots.service.feedback import feedback_run, quarter_of
from grassroots.service.models import MemberRegistration, ServiceRecord, UnitRegistration
from grassroots.service.services import member_register, member_registration_decide, service_record_submit

from .conftest import identity

pytestmark = pytest.mark.django_db


def post_json(client, url, body):
    return client.post(url, json.dumps(body, ensure_ascii=False), content_type="application/json")


@pytest.fixture
def approved(world, member, posts):
    user, pm = member
    reg = member_register(user=user, community=world.tree.communities[0], household=world.residents["A"].household,
                          posts=[posts["接单岗"]], **identity(pm))
    return member_registration_decide(registration=reg, actor=world.tree.user("community_worker_1"), approve=True)


def test_member_registers_on_the_phone_page(client_as, world, member, posts):
    user, pm = member
    client = client_as(user)
    assert "我要报到" in client.get("/s/").content.decode()
    page = client.get(f"/s/register/?community={world.tree.communities[0].code}").content.decode()
    assert "接单岗" in page and "政策宣传岗" in page
    bad = client.post("/s/register/", {"name": pm.person.name, "id_number": "1", "community": world.tree.communities[0].code})
    assert bad.status_code == 400 and "身份证号应为18位" in bad.content.decode()
    done = client.post("/s/register/", {**identity(pm), "community": world.tree.communities[0].code,
                                        "posts": [str(posts["政策宣传岗"].pk)]})
    assert done.status_code == 302
    assert "正在等待社区审核" in client.get("/s/").content.decode()


def test_community_approves_on_its_page_and_others_cannot(client_as, world, member, posts):
    user, pm = member
    reg = member_register(user=user, community=world.tree.communities[0], household=world.residents["A"].household,
                          posts=[posts["接单岗"]], **identity(pm))
    other = client_as(world.tree.user("community_worker_2"))
    assert pm.person.name not in other.get("/s/community/").content.decode()
    assert other.post(f"/s/community/members/{reg.pk}/decide/", {"decision": "yes"}).status_code == 404
    assert client_as(user).get("/s/community/").status_code == 403
    mine = client_as(world.tree.user("community_worker_1"))
    page = mine.get("/s/community/").content.decode()
    assert f'data-registration="{reg.pk}"' in page and "网格A党支部" in page
    mine.post(f"/s/community/members/{reg.pk}/decide/", {"decision": "yes", "branch": world.branches["A"].pk,
                                                         "posts": [posts["接单岗"].pk]})
    assert MemberRegistration.objects.get(pk=reg.pk).status == "approved"
    assert pm.person.name in mine.get("/s/community/members/").content.decode()
    xlsx = mine.get(f"/s/community/members/?community={world.tree.communities[0].code}&format=xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert MemberRegistration.objects.get(pk=reg.pk).user.roles.filter(role="party_member").exists()
    granted = AuditEntry.objects.get(action="role.grant", detail__user=user.pk)  # 接单岗 gives the case role
    assert granted.detail["role"] == "party_member" and granted.detail["area"] == world.tree.communities[0].code
    exported = AuditEntry.objects.get(action="service.members.export")  # who took the list of names, and what
    assert exported.actor == world.tree.user("community_worker_1") and exported.detail["rows"] == 1
    assert exported.detail["fields"][0] == "姓名" and exported.detail["unmasked"] == []


def test_records_logged_on_the_phone_and_verified_by_the_community(client_as, world, member, approved):
    user, _pm = member
    from tests.portal.conftest import upload

    client = client_as(user)
    today = timezone.localdate().isoformat()
    bad = client.post("/s/records/new/", {"what": "", "served_on": today, "hours": "99"})
    assert bad.status_code == 400 and "请填写服务内容" in bad.content.decode() and "时长应在" in bad.content.decode()
    ok = client.post("/s/records/new/", {"what": "调解邻里漏水纠纷", "served_on": today, "hours": "1.5",
                                         "photo": upload()})
    assert ok.status_code == 302
    record = ServiceRecord.objects.get()
    assert client.get(f"/s/records/{record.pk}/photo/").status_code == 200
    assert client_as(world.tree.user("community_worker_2")).get(f"/s/records/{record.pk}/photo/").status_code == 404
    assert client_as(world.tree.user("community_worker_2")).post(
        f"/s/community/records/{record.pk}/verify/", {"decision": "yes"}).status_code == 404
    mine = client_as(world.tree.user("community_worker_1"))
    assert f'data-record="{record.pk}"' in mine.get("/s/community/records/").content.decode()
    mine.post(f"/s/community/records/{record.pk}/verify/", {"decision": "yes"})
    assert ServiceRecord.objects.get().status == "verified"
    assert "已核实 1.5 小时" in client_as(user).get("/s/").content.decode()


def test_unit_page_for_unit_staff_only(client_as, world):
    handler = client_as(world.tree.user("dept_handler"))
    page = handler.post("/s/units/", {"unit": world.tree.units["dept"].pk, "community": world.tree.communities[0].code,
                                      "services": "房屋安全咨询", "volunteers": "3", "contact_name": "李科长",
                                      "contact_phone": "13812345678"})
    assert page.status_code == 302 and UnitRegistration.objects.get().status == "applied"
    assert client_as(world.tree.user("grid_worker_A")).get("/s/units/").status_code == 403
    cw1 = client_as(world.tree.user("community_worker_1"))
    row = UnitRegistration.objects.get()
    cw1.post(f"/s/community/units/{row.pk}/decide/", {"decision": "yes"})
    assert "区住建局" in cw1.get("/s/community/units/").content.decode()


def test_feedback_pages_and_files_are_the_communitys(client_as, world, approved, member):
    user, _pm = member
    service_record_submit(registration=approved, actor=user, what="宣传", served_on=timezone.localdate(), hours="1")
    mine = client_as(world.tree.user("community_worker_1"))
    this_quarter = quarter_of(timezone.localdate())  # the record's, served today
    response = mine.post("/s/community/feedback/", {"community": world.tree.communities[0].code,
                                                    "quarter": this_quarter})
    job_url = response["Location"]
    assert job_url.startswith("/s/community/feedback/")
    bad = mine.post("/s/community/feedback/", {"community": world.tree.communities[0].code, "quarter": "2026-Q9"})
    assert bad.status_code == 302
    from grassroots.service.models import FeedbackJob

    job = FeedbackJob.objects.get()
    feedback_run(job)
    page = mine.get(job_url).content.decode()
    assert "下载Excel" in page and "区住建局" in page
    assert mine.get(f"/s/community/feedback/{job.pk}/pdf/")["Content-Type"] == "application/pdf"
    other = client_as(world.tree.user("community_worker_2"))
    assert other.get(job_url).status_code == 404
    assert other.get(f"/s/community/feedback/{job.pk}/xlsx/").status_code == 404


def test_api_member_and_community(client_as, world, member, posts):
    user, pm = member
    cw = {n: world.tree.user(f"community_worker_{n}") for n in (1, 2)}
    client = client_as(user)
    assert client.get("/api/service/me").status_code == 404
    bad = post_json(client, "/api/service/register", {**identity(pm), "id_number": "x", "community": "none"})
    assert bad.status_code == 400 and {"id_number", "community"} <= set(bad.json()["errors"])
    made = post_json(client, "/api/service/register", {**identity(pm), "community": world.tree.communities[0].code,
                                                        "posts": [posts["接单岗"].pk]})
    assert made.status_code == 201 and made.json()["status"] == "applied"
    assert made.json()["branch"] == "网格A党支部"  # the register says where they live: that grid's branch
    reg_id = made.json()["id"]
    assert client.get("/api/service/registrations").json() == []  # a member sees no one's registrations
    assert post_json(client_as(cw[2]), f"/api/service/registrations/{reg_id}/decide", {"approve": True}).status_code == 404
    client = client_as(cw[1])
    assert [r["id"] for r in client.get("/api/service/registrations").json()] == [reg_id]
    elsewhere = post_json(client, f"/api/service/registrations/{reg_id}/decide",
                          {"approve": True, "branch": world.branches["C"].pk})
    assert elsewhere.status_code == 400 and "党支部" in elsewhere.json()["detail"]  # another community's branch
    decided = post_json(client, f"/api/service/registrations/{reg_id}/decide",
                        {"approve": True, "branch": world.branches["B"].pk})
    assert decided.status_code == 200 and decided.json()["posts"] == ["接单岗"]
    assert decided.json()["branch"] == "网格B党支部"  # the community may place them elsewhere in it
    rec = post_json(client_as(user), "/api/service/records",
                    {"what": "走访独居老人", "served_on": timezone.localdate().isoformat(), "hours": "2"})
    assert rec.status_code == 201
    verify = f"/api/service/records/{rec.json()['id']}/verify"
    assert post_json(client_as(cw[2]), verify, {"approve": True}).status_code == 404
    assert post_json(client_as(cw[1]), verify, {"approve": True}).json()["status"] == "verified"
    body = {"community": world.tree.communities[0].code, "quarter": quarter_of(timezone.localdate())}
    job = post_json(client_as(cw[1]), "/api/service/feedback", body)
    assert job.status_code == 202 and job.json()["status"] == "queued"
    other = client_as(cw[2])
    assert other.get(f"/api/service/feedback/{job.json()['id']}").status_code == 404
    assert post_json(other, "/api/service/feedback", body).status_code == 404


def test_me_page_shows_the_section_to_in_service_members(client_as, world, member, approved):
    user, _pm = member
    html = client_as(user).get("/r/me/").content.decode()
    assert 'id="my-service"' in html and "已在测试社区1-1报到" in html
