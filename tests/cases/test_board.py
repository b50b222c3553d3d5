"""The dispatch board /cases/board/: what waits for each dispatcher at their level, why, which unit
the duty catalogue suggests, and bulk accept/dispatch that does all ticked cases or none."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from grassroots.cases import services as svc
from grassroots.cases.models import Case, CaseEvent, Category
from grassroots.orgs.models import Duty
from tests.cases.pages_support import accepted, counts, dispatched_to_dept, events_of

S = Case.Status


def board_codes(client, **params) -> set[str]:
    response = client.get("/cases/board/", params)
    assert response.status_code == 200
    html = response.content.decode()
    return {c.code for c in Case.objects.all() if f'data-case="{c.code}"' in html}


@pytest.fixture
def placed(tree, new_case):
    return {g: new_case(g, title=f"网格{g}的诉求") for g in "ABC"}


def test_each_dispatcher_sees_the_cases_at_their_level(client_as, tree, placed, new_case):
    urgent = new_case("A", title="燃气泄漏", urgency="emergency")  # 紧急: owned by the street
    assert urgent.assigned_area == tree.streets[0]
    u = tree.user
    assert board_codes(client_as(u("community_worker_1"))) == {placed["A"].code, placed["B"].code}
    assert board_codes(client_as(u("community_worker_2"))) == {placed["C"].code}
    assert board_codes(client_as(u("street_admin_1"))) == {urgent.code}
    everything = {c.code for c in Case.objects.all()}
    assert board_codes(client_as(u("street_admin_1")), include_lower="on") == everything


@pytest.mark.parametrize("username", ["grid_worker_A", "dept_handler", "nobody"])
def test_users_who_do_not_dispatch_get_an_explanation(client_as, tree, placed, username):
    html = client_as(tree.user(username)).get("/cases/board/").content.decode()
    assert "不负责受理派单" in html and not any(c.code in html for c in placed.values())


def test_returned_cases_show_the_return_reason(client_as, tree, placed):
    case = dispatched_to_dept(placed["A"], tree)
    svc.case_take(case=case, actor=tree.user("dept_handler"))
    svc.case_return(case=case, reason="不属于住建局职责，应由物业处理", actor=tree.user("dept_handler"))
    client = client_as(tree.user("community_worker_1"))
    html = client.get("/cases/board/", {"kind": "returned"}).content.decode()
    assert case.code in html and "退单：不属于住建局职责，应由物业处理" in html
    assert board_codes(client, kind="returned") == {case.code}


def test_escalated_cases_move_to_the_level_above(client_as, tree, new_case):
    case = accepted(new_case("A", tier="community"), tree)
    cw1 = client_as(tree.user("community_worker_1"))
    assert case.code in board_codes(cw1)
    svc.case_escalate(case=case, actor=tree.user("community_worker_1"), note="涉及多个部门，社区协调不了")
    assert case.assigned_area == tree.streets[0] and case.status == S.ESCALATED
    assert case.code not in board_codes(cw1)
    client = client_as(tree.user("street_admin_1"))
    assert board_codes(client, kind="escalated") == {case.code}
    assert "上提：涉及多个部门，社区协调不了" in client.get("/cases/board/").content.decode()


def test_pending_extension_requests_are_on_the_board(client_as, tree, placed):
    case = placed["B"]
    until = timezone.now() + timedelta(days=10)
    Case.objects.filter(pk=case.pk).update(extension_requested_until=until, status=S.IN_PROGRESS)
    client = client_as(tree.user("community_worker_1"))
    assert board_codes(client, kind="extension") == {case.code}
    assert f"申请延期至 {timezone.localtime(until):%Y-%m-%d %H:%M}" in client.get("/cases/board/").content.decode()


def test_duty_catalogue_suggests_units(client_as, tree, new_case):
    top = Category.objects.get(code="01")
    leaf = Category.objects.filter(code__startswith="0101", level=3).first()
    Duty.objects.create(unit=tree.units["dept"], category=top, area=tree.district)
    Duty.objects.create(unit=tree.units["property"], category=leaf, area=tree.communities[0])
    in_1, in_2 = new_case("A", category=leaf), new_case("C", category=leaf)
    html = client_as(tree.user("street_admin_1")).get("/cases/board/", {"include_lower": "on"}).content.decode()
    row_1 = html.split(f'data-case="{in_1.code}"')[1].split("</tr>")[0]
    row_2 = html.split(f'data-case="{in_2.code}"')[1].split("</tr>")[0]
    assert "★ 阳光物业" in row_1 and "★ 区住建局" in row_1
    assert row_1.index("阳光物业") < row_1.index("区住建局")  # the more specific duty first
    assert "★ 区住建局" in row_2 and "阳光物业" not in row_2  # property serves community 1 only


def test_board_filters(client_as, tree, new_case):
    a = new_case("A", title="路灯坏了", urgency="complex")
    b = new_case("B", title="垃圾没清运")
    client = client_as(tree.user("street_admin_1"))
    assert board_codes(client, urgency="complex") == {a.code}  # 复杂: the street's own
    assert board_codes(client, q="路灯", include_lower="on") == {a.code}
    assert board_codes(client, area=tree.grid("B").code, include_lower="on") == {b.code}
    assert board_codes(client, kind="new", include_lower="on") == {a.code, b.code}


# --- bulk ---------------------------------------------------------------------------------------------


def bulk(client, **data):
    return client.post("/cases/board/bulk/", data)


def test_bulk_accept(client_as, tree, placed):
    client = client_as(tree.user("community_worker_1"))
    response = bulk(client, action="accept", cases=[placed["A"].pk, placed["B"].pk])
    assert response.status_code == 302 and response["Location"] == "/cases/board/"
    for g in "AB":
        placed[g].refresh_from_db()
        assert placed[g].status == S.ACCEPTED and events_of(placed[g]) == ["report", "accept"]
    assert "已受理 2 件诉求" in client.get("/cases/board/").content.decode()


def test_bulk_accept_is_all_or_nothing(client_as, tree, placed):
    accepted(placed["B"], tree)
    before = counts()
    response = bulk(client_as(tree.user("community_worker_1")), action="accept", cases=[placed["A"].pk, placed["B"].pk])
    html = response.content.decode()
    assert response.status_code == 400 and before == counts()
    assert "没有执行任何操作" in html and placed["B"].code in html and "当前状态为“已受理”，不能受理" in html
    placed["A"].refresh_from_db()
    assert placed["A"].status == S.REPORTED
    assert f'value="{placed["A"].pk}" aria-label="{placed["A"].code}" checked' in html  # the ticks are kept


def test_bulk_dispatch_to_a_unit(client_as, tree, placed):
    for g in "AB":
        accepted(placed[g], tree)
    client = client_as(tree.user("community_worker_1"))
    response = bulk(client, action="dispatch", cases=[placed["A"].pk, placed["B"].pk], to_unit=tree.units["property"].pk,
                    note="请物业尽快处理")
    assert response.status_code == 302
    for g in "AB":
        placed[g].refresh_from_db()
        assert placed[g].status == S.DISPATCHED and placed[g].assigned_unit == tree.units["property"]
        assert CaseEvent.objects.get(case=placed[g], action="dispatch").note == "请物业尽快处理"


def test_bulk_dispatch_names_the_case_that_cannot_go_and_writes_nothing(client_as, tree, placed):
    for g in "ABC":
        accepted(placed[g], tree)
    before = counts()
    response = bulk(client_as(tree.user("street_admin_1")), action="dispatch",
                    cases=[placed[g].pk for g in "ABC"], to_unit=tree.units["property"].pk)
    html = response.content.decode()
    assert response.status_code == 400 and counts() == before
    assert placed["C"].code in html and "服务区域不包括该诉求所在地" in html
    assert placed["A"].code not in html.split('class="failures"')[1].split("</div>")[0]
    assert set(Case.objects.values_list("status", flat=True)) == {S.ACCEPTED}


def test_bulk_dispatch_to_a_team(client_as, tree, placed):
    accepted(placed["A"], tree)
    response = bulk(client_as(tree.user("community_worker_1")), action="dispatch", cases=[placed["A"].pk],
                    to_area=tree.grid("A").code)
    assert response.status_code == 302
    placed["A"].refresh_from_db()
    assert placed["A"].status == S.DISPATCHED and placed["A"].assigned_area == tree.grid("A")


def test_bulk_on_another_communitys_cases_does_nothing(client_as, tree, placed):
    accepted(placed["A"], tree)
    before = counts()
    client = client_as(tree.user("community_worker_2"))
    response = bulk(client, action="accept", cases=[placed["B"].pk, placed["C"].pk])
    html = response.content.decode()
    assert response.status_code == 400 and counts() == before
    assert f"编号为 {placed['B'].pk} 的诉求不存在或您无权查看" in html and placed["B"].code not in html
    response = bulk(client, action="dispatch", cases=[placed["A"].pk], to_area=tree.grid("C").code)
    assert response.status_code == 400 and counts() == before


@pytest.mark.parametrize(("data", "message"), [
    ({"action": "accept"}, "请先勾选诉求"),
    ({"action": "dispatch"}, "批量派单请选择承办单位或责任网格/社区/街道（二选一）"),
    ({"action": "dispatch", "to_unit": "99999"}, "请从列表中选择承办单位"),
    ({"action": "explode"}, "只能批量受理或批量派单"),
])
def test_bulk_bad_input(client_as, tree, placed, data, message):
    data.setdefault("cases", [placed["A"].pk]) if data.get("action") != "accept" else None
    before = counts()
    response = bulk(client_as(tree.user("community_worker_1")), **data)
    assert response.status_code == 400 and message in response.content.decode() and counts() == before


def test_bulk_needs_post(client_as, tree):
    assert client_as(tree.user("community_worker_1")).get("/cases/board/bulk/").status_code == 405


def test_the_boards_queries_do_not_grow_with_its_rows(client_as, tree, new_case):
    """Every row shows its time left, duty suggestions, reason and duplicate hint: all read once a page."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from grassroots.duplicates.models import DuplicateCandidate

    leaf = Category.objects.filter(code__startswith="0101", level=3).first()
    Duty.objects.create(unit=tree.units["dept"], category=leaf, area=tree.district)
    client = client_as(tree.user("street_admin_1"))

    def add_rows(n: int) -> None:
        for i in range(n):
            case = new_case("ABC"[i % 3], title=f"第{i}件", category=leaf)
            earlier = new_case("ABC"[i % 3], title=f"第{i}件之前", category=leaf)
            DuplicateCandidate.objects.get_or_create(case=case, candidate=earlier,
                                                     defaults={"score": 0.9, "district_code": case.district_code})
            returned = dispatched_to_dept(new_case("ABC"[i % 3], category=leaf), tree)
            svc.case_take(case=returned, actor=tree.user("dept_handler"))
            svc.case_return(case=returned, reason="不属于本单位职责", actor=tree.user("dept_handler"))

    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/cases/board/", {"include_lower": "on"})
        assert response.status_code == 200
        return len(ctx), response.content.decode().count("data-case=")

    add_rows(1)
    queries()  # the small tables read once and kept a few seconds (core.memo), the session
    few, rows_before = queries()
    add_rows(4)
    many, rows_after = queries()
    assert rows_after >= rows_before + 8
    assert many == few
