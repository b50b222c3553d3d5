"""The pages: the community's board and its Excel, a resident's need on the phone, the case page's
button, a unit's own page — and that nobody reads or changes another community's or unit's lists."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook

from grassroots.accounts.models import User
from grassroots.matching.models import Agreement, Need, Project, Resource
from grassroots.matching.services import agreement_create, match_accept, need_add, resources_from_commitments
from tests.deliberation.conftest import verified

pytestmark = pytest.mark.django_db
SOON = (date.today() + timedelta(days=30)).isoformat()


def test_the_board_imports_commitments_registers_and_exports(client_as, tree, units):
    c = client_as(tree.user("community_worker_1"))
    code = tree.communities[0].code
    assert "资源·需求·项目清单" in c.get(f"/m/?c={code}").content.decode()
    c.post("/m/", {"community": code, "action": "commitments"})
    assert Resource.objects.count() == 4
    bad = c.post("/m/", {"community": code, "action": "need", "title": "", "people": "x"})
    assert bad.status_code == 400 and "请填写需求" in bad.content.decode() and "涉及人数" in bad.content.decode()
    c.post("/m/", {"community": code, "action": "need", "title": "=HYPERLINK(\"x\")老人助餐", "area": tree.grid("A").code,
                   "source": "survey", "people": "20"})
    need = Need.objects.get()
    page = c.get(f"/m/needs/{need.pk}/").content.decode()
    assert 'id="suggestions"' in page
    xlsx = c.get(f"/m/export.xlsx?c={code}")
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == ["需求清单", "资源清单", "项目清单", "双向服务协议"]
    cell = book["需求清单"]["B2"]
    assert cell.value.startswith("=HYPERLINK") and cell.data_type == "s"  # text, not a formula
    assert book["资源清单"].max_row == 5


def test_a_resident_raises_a_need_and_follows_it(client, tree, units):
    resident = verified(tree, 1)
    client.force_login(resident)
    form = client.get("/m/needs/new/").content.decode()
    assert "需要什么" in form and tree.residents[0].household.parent.name in form
    bad = client.post("/m/needs/new/", {"title": ""})
    assert bad.status_code == 400 and "请填写需求" in bad.content.decode()
    made = client.post("/m/needs/new/", {"title": "孩子放学后没人管，想要四点半课堂", "area": tree.grid("A").code,
                                          "people": "15"})
    need = Need.objects.get()
    assert made["Location"] == f"/m/needs/{need.pk}/" and need.category == "children"
    page = client.get(f"/m/needs/{need.pk}/").content.decode()
    assert "待对接" in page and 'id="suggestions"' not in page  # residents see status, not the matching desk
    client.force_login(verified(tree, 2))  # a neighbour does not read it
    assert client.get(f"/m/needs/{need.pk}/").status_code == 404


def test_the_case_page_puts_a_case_on_the_need_list(client_as, tree, new_case):
    case = new_case(title="老旧小区没有电梯，老人下楼难")
    c = client_as(tree.user("community_worker_1"))
    assert "列入需求清单" in c.get(f"/cases/{case.pk}/").content.decode()
    c.post(f"/m/cases/{case.pk}/need/")
    c.post(f"/m/cases/{case.pk}/need/")  # a double click
    assert Need.objects.filter(case=case).count() == 1
    other = client_as(tree.user("community_worker_2"))
    assert other.post(f"/m/cases/{case.pk}/need/").status_code == 404


def test_another_community_and_another_unit_see_nothing(client_as, tree, units):
    worker = tree.user("community_worker_1")
    resources_from_commitments(community=tree.communities[0], actor=worker)
    need = need_add(actor=worker, area=tree.grid("A"), title="义诊", source="survey", category="health")
    clinic = Resource.objects.get(kind="service")
    project = match_accept(need=need, resource=clinic, actor=worker, deadline=date.today()).project
    agreement = agreement_create(unit=units["hospital"], community=tree.communities[0], actor=worker, year=2026,
                                 signed_on=date(2026, 3, 1), items=[("unit", "每季度义诊", None)])
    dept_agreement = agreement_create(unit=units["dept"], community=tree.communities[0], actor=worker, year=2026,
                                      signed_on=date(2026, 3, 1), items=[("unit", "会议室开放", None)])
    other = client_as(tree.user("community_worker_2"))
    board = other.get("/m/").content.decode()
    assert "义诊" not in board and tree.communities[0].name not in board
    assert other.get(f"/m/?c={tree.communities[0].code}").content.decode().count("区人民医院") == 0
    for url in (f"/m/needs/{need.pk}/", f"/m/projects/{project.pk}/", f"/m/agreements/{agreement.pk}/",
                f"/m/export.xlsx?c={tree.communities[0].code}"):
        assert other.get(url).status_code == 404, url
    assert other.post(f"/m/needs/{need.pk}/", {"action": "close", "reason": "x"}).status_code == 404
    assert other.post(f"/m/agreements/{agreement.pk}/", {"action": "deliver", "item": agreement.items.get().pk,
                                                         "evidence": "x"}).status_code == 404
    # the hospital's staff: their own agreement and project, not the department's
    staff = client_as(User.objects.get(username="hospital_staff"))
    page = staff.get("/m/unit/").content.decode()
    assert "每季度义诊" not in page and f"/m/agreements/{agreement.pk}/" in page
    assert f"/m/agreements/{dept_agreement.pk}/" not in page
    assert staff.get(f"/m/agreements/{dept_agreement.pk}/").status_code == 404
    assert staff.get(f"/m/projects/{project.pk}/").status_code == 200
    assert staff.get(f"/m/needs/{need.pk}/").status_code == 404
    assert staff.get("/m/")["Location"] == "/m/unit/"
    assert Project.objects.count() == 1 and Agreement.objects.count() == 2


def test_practical_projects_show_on_the_public_list(client, tree, units):
    worker = tree.user("community_worker_1")
    resources_from_commitments(community=tree.communities[0], actor=worker)
    need = need_add(actor=worker, area=tree.grid("A"), title="老人定期义诊", source="survey", category="health")
    match_accept(need=need, resource=Resource.objects.get(kind="service"), actor=worker, deadline=date.today(),
                 practical=True, title="每月社区义诊")
    page = client.get(f"/d/practical/{tree.communities[0].code}/").content.decode()
    assert "每月社区义诊" in page and "区人民医院" in page and "共建项目" in page
    street = client.get(f"/d/practical/{tree.streets[0].code}/").content.decode()
    assert "每月社区义诊" in street


def _sheet(rows) -> bytes:
    import io

    from openpyxl import Workbook

    from grassroots.matching.services import SURVEY_COLUMNS

    book = Workbook()
    book.active.append(SURVEY_COLUMNS)
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_survey_sheet_imports_all_or_nothing(client_as, tree):
    from django.core.files.uploadedfile import SimpleUploadedFile

    c = client_as(tree.user("community_worker_1"))
    code = tree.communities[0].code
    template = c.get("/m/survey-template.xlsx")
    assert template.status_code == 200 and load_workbook(io.BytesIO(template.content)).active["A1"].value == "需求"
    grid_b = tree.grid("B")
    broken = _sheet([["老人助餐", "", "", "为老服务", "服务", 8],
                     ["", "没写需求", grid_b.code, "", "", 1],
                     ["课后托管", "", "网格9", "儿童", "", "x"]])
    bad = c.post("/m/", {"community": code, "action": "import",
                         "file": SimpleUploadedFile("s.xlsx", broken)})
    page = bad.content.decode()
    assert bad.status_code == 400 and "第3行：请填写需求" in page and "第4行" in page and "不在本社区" in page
    assert not Need.objects.exists()  # nothing of a broken sheet
    junk = c.post("/m/", {"community": code, "action": "import", "file": SimpleUploadedFile("s.xlsx", b"not excel")})
    assert junk.status_code == 400 and "不是有效的 Excel" in junk.content.decode()
    good = _sheet([["老人助餐", "8位独居老人", "", "为老服务", "服务", 8], ["孩子放学没人管", "", grid_b.code, "", "", 12]])
    c.post("/m/", {"community": code, "action": "import", "file": SimpleUploadedFile("s.xlsx", good)})
    rows = list(Need.objects.order_by("pk").values_list("title", "area__code", "category", "source", "people"))
    assert rows == [("老人助餐", code, "elderly", "survey", 8), ("孩子放学没人管", grid_b.code, "children", "survey", 12)]
    other = client_as(tree.user("community_worker_2"))  # their own community, not this one
    other.post("/m/", {"community": code, "action": "import", "file": SimpleUploadedFile("s.xlsx", good)})
    assert Need.objects.filter(community=tree.communities[0]).count() == 2
