"""The staff case list /cases/: scoped by role, filtered, paginated, time left shown, contacts masked."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from grassroots.accounts.models import Role
from grassroots.cases import services as svc
from grassroots.cases.models import Case, Category, Channel
from tests.cases.pages_support import accepted, in_progress, set_deadline, verified
from tests.factories import make_user


@pytest.fixture
def placed(tree, new_case):
    return {g: new_case(g, title=f"网格{g}的诉求", contact_name="张三丰", contact_phone="13812345678")
            for g in "ABC"}


def codes_on_page(client, url="/cases/", **params) -> set[str]:
    response = client.get(url, params)
    assert response.status_code == 200
    html = response.content.decode()
    return {c.code for c in Case.objects.all() if f'data-case="{c.code}"' in html}


@pytest.mark.parametrize(("username", "grids"), [
    ("grid_worker_A", "A"), ("grid_worker_B", "B"), ("community_worker_1", "AB"), ("community_worker_2", "C"),
    ("street_admin_1", "ABC"), ("district_admin", "ABC"), ("root", "ABC"), ("dept_handler", ""), ("nobody", ""),
])
def test_list_shows_only_the_cases_in_scope(client_as, tree, placed, username, grids):
    shown = codes_on_page(client_as(tree.user(username)))
    assert shown == {placed[g].code for g in grids}


def test_a_resident_gets_no_staff_list_even_for_their_own_case(client_as, tree, new_case):
    resident = make_user("resident_1", Role.RESIDENT, area=tree.households[0])
    case = new_case("A", actor=resident)
    response = client_as(resident).get("/cases/")
    html = response.content.decode()
    assert response.status_code == 200 and "无权查看诉求" in html and case.code not in html
    assert client_as(resident).get(f"/cases/{case.pk}/").status_code == 404


def test_a_unit_lists_what_it_holds(client_as, tree, placed):
    in_progress(placed["A"], tree)
    assert codes_on_page(client_as(tree.user("dept_handler"))) == {placed["A"].code}


def test_status_groups(client_as, tree, placed, new_case):
    accepted(placed["A"], tree)
    closed = verified(new_case("A", title="已核实"), tree)
    svc.case_close(case=closed, actor=tree.user("community_worker_1"))
    replied_case = new_case("B")
    from tests.cases.pages_support import replied

    replied(replied_case, tree)
    client = client_as(tree.user("community_worker_1"))
    assert codes_on_page(client, group="pending") == {placed["B"].code}
    assert codes_on_page(client, group="active") == {placed["A"].code}
    assert codes_on_page(client, group="to_verify") == {replied_case.code}
    assert codes_on_page(client, group="closed") == {closed.code}


def test_overdue_and_near_deadline_are_marked(client_as, tree, placed):
    late, soon = set_deadline(placed["A"], hours=-5), set_deadline(placed["B"], hours=2)
    Case.objects.filter(pk=soon.pk).update(warned_at=timezone.now())
    client = client_as(tree.user("community_worker_1"))
    html = client.get("/cases/").content.decode()
    late_row = html.split(f'data-case="{late.code}"')[0].rsplit("<tr", 1)[1]
    assert 'class="overdue"' in late_row
    assert "已超时5小时" in html or "已超时4小时" in html
    soon_row = html.split(f'data-case="{soon.code}"')[0].rsplit("<tr", 1)[1]
    assert 'class="near"' in soon_row
    assert codes_on_page(client, group="overdue") == {late.code}
    assert codes_on_page(client, group="near") == {soon.code}


def test_supervised_group(client_as, tree, placed):
    Case.objects.filter(pk=placed["B"].pk).update(supervised_at=timezone.now())
    client = client_as(tree.user("community_worker_1"))
    assert codes_on_page(client, group="supervised") == {placed["B"].code}
    assert "督办" in client.get("/cases/").content.decode()


def test_filters_by_field_subtree_dates_and_text(client_as, tree, new_case):
    cat1 = Category.objects.get(code="01")
    leaf = Category.objects.filter(code__startswith="01", level=3).first()
    other = Category.objects.exclude(code__startswith="01").filter(level=3).first()
    a = new_case("A", title="路灯不亮", category=leaf, urgency="emergency")
    b = new_case("B", title="噪音扰民", category=other, channel=Channel.HOTLINE)
    old = new_case("A", title="旧诉求")
    Case.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))
    client = client_as(tree.user("community_worker_1"))
    assert codes_on_page(client, category=cat1.code) == {a.code}
    assert codes_on_page(client, urgency="emergency") == {a.code}
    assert codes_on_page(client, channel=Channel.HOTLINE) == {b.code}
    assert codes_on_page(client, area=tree.grid("B").code) == {b.code}
    assert codes_on_page(client, q="路灯") == {a.code}
    assert codes_on_page(client, q=b.code[-8:]) == {b.code}
    today = timezone.localdate()
    assert codes_on_page(client, created_from=(today - timedelta(days=1)).isoformat()) == {a.code, b.code}
    assert codes_on_page(client, created_to=(today - timedelta(days=30)).isoformat()) == {old.code}
    in_progress(a, tree)
    assert codes_on_page(client, unit=tree.units["dept"].pk) == {a.code}


def test_bad_filters_get_a_chinese_message(client_as, tree, placed):
    client = client_as(tree.user("community_worker_1"))
    html = client.get("/cases/", {"created_from": "2026-05-02", "created_to": "2026-05-01"}).content.decode()
    assert "结束日期不能早于开始日期" in html
    html = client.get("/cases/", {"q": "x" * 51}).content.decode()
    assert "搜索词不能超过50个字" in html
    # an area outside the user's scope is not a choice: refused, never a way to peek
    html = client.get("/cases/", {"area": tree.grid("C").code}).content.decode()
    assert "选择一个有效的选项" in html


def test_contacts_are_masked_and_html_is_escaped(client_as, tree, new_case):
    new_case("A", title="<script>alert(1)</script>", contact_name="张三丰", contact_phone="13812345678")
    new_case("A", title="匿名反映", anonymous=True, contact_name="李四", contact_phone="13900001111")
    html = client_as(tree.user("grid_worker_A")).get("/cases/").content.decode()
    assert "138****5678" in html and "13812345678" not in html and "张三丰" not in html and "张*丰" in html
    assert "李四" not in html and "匿名" in html and "13900001111" not in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_paginated(client_as, tree, new_case):
    for n in range(33):
        new_case("A", title=f"诉求{n}")
    client = client_as(tree.user("grid_worker_A"))
    first = client.get("/cases/").content.decode()
    assert "第 1 / 2 页，共 33 条" in first and first.count("data-case=") == 30
    second = client.get("/cases/", {"page": 2}).content.decode()
    assert second.count("data-case=") == 3


def test_list_needs_login(client):
    response = client.get("/cases/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_nav_links(client_as, tree):
    html = client_as(tree.user("community_worker_1")).get("/").content.decode()
    assert 'href="/cases/"' in html and 'href="/cases/board/"' in html


@pytest.mark.parametrize("username", ["grid_worker_A", "community_worker_1", "street_admin_1", "district_admin",
                                      "dept_handler", "root"])
def test_the_count_form_of_the_scope_is_the_same_rows(tree, placed, new_case, username):
    """cases_visible_to(for_count=True) adds each place's code range beside its LIKE (so a count reads the
    area index): the same cases, for every role."""
    from grassroots.cases.selectors import cases_visible_to

    new_case("B", actor=tree.user("grid_worker_A"))  # reported by a user outside the grid: the OR's other terms
    user = tree.user(username)
    plain = set(cases_visible_to(user).values_list("pk", flat=True))
    assert set(cases_visible_to(user, for_count=True).values_list("pk", flat=True)) == plain


def test_a_long_list_says_more_than_the_cap(client_as, tree, placed, new_case, monkeypatch):
    """Past the cap the list says "more than N" instead of counting a place's whole history on each view."""
    from grassroots.core import paging

    new_case("A", title="第四件")
    client = client_as(tree.user("street_admin_1"))
    monkeypatch.setattr(paging, "COUNT_CAP", 3)
    html = client.get("/cases/").content.decode()
    assert "超过 3 件" in html and "共 4 件" not in html and "第 1 / 1 页，超过 3 条" in html
    monkeypatch.setattr(paging, "COUNT_CAP", 5)
    html = client.get("/cases/").content.decode()
    assert "共 4 件" in html and "超过" not in html
