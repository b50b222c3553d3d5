"""The top bar offers each role its pages, and the dashboard leads with the worker's to-do."""

from __future__ import annotations

import re

import pytest

from grassroots.accounts.models import Role
from grassroots.cases import services as svc
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def nav_links(html: str) -> set[str]:
    nav = html.split('<nav class="mainnav">', 1)[1].split("</nav>", 1)[0]
    return set(re.findall(r'href="([^"]+)"', nav))


@pytest.mark.parametrize(("user", "offered", "not_offered"), [
    ("community_worker_1", {"/cases/", "/cases/board/", "/r/staff/new/", "/intake/hotline/", "/assessment/",
                            "/people/residents/", "/registers/"}, {"/r/new/", "/r/me/", "/reports/", "/stars/"}),
    ("grid_worker_A", {"/cases/", "/r/staff/new/", "/assessment/"}, {"/cases/board/", "/intake/hotline/",
                                                                     "/registers/", "/reports/", "/stars/"}),
    ("street_admin_1", {"/cases/", "/assessment/", "/reports/", "/stars/", "/command/"}, {"/r/new/"}),
    ("dept_handler", {"/cases/"}, {"/cases/board/", "/r/staff/new/", "/people/residents/", "/registers/"}),
    ("resident", {"/r/new/", "/r/me/"}, {"/cases/", "/assessment/", "/areas/"}),
])
def test_menu_follows_the_roles(client_as, tree, user, offered, not_offered):
    if user == "resident":
        tree.users["resident"] = make_user("resident", Role.RESIDENT, area=tree.households[0])
    links = nav_links(client_as(tree.user(user)).get("/").content.decode())
    assert offered <= links, offered - links
    assert not links & not_offered, links & not_offered


def test_dashboard_counts_the_workers_own_cases(client_as, tree, new_case):
    cw1 = tree.user("community_worker_1")
    new_case("A")
    accepted = new_case("B")
    svc.case_accept(case=accepted, actor=cw1)
    new_case("C")  # community 2: not community 1's
    supervised = new_case("A", title="督办的")
    svc.case_supervise(case=supervised, actor=cw1, note="三日内办结")
    done = new_case("A", title="办结了也督办过")
    svc.case_supervise(case=done, actor=cw1, note="x")
    svc.case_reject(case=done, reason="不属于受理范围，请向法院起诉", actor=cw1)
    html = client_as(cw1).get("/").content.decode()
    counts = dict(re.findall(r'href="/cases/\?group=(\w+)"><span class="num">(\d+)</span>', html))
    assert counts["pending"] == "2"  # A and the supervised one; C is another community's
    assert counts["supervised"] == "1"  # the rejected case is not work any more
    assert "派单台：" in html and "条未读消息" in html
    assert "我的待办" not in client_as(make_user("r9", Role.RESIDENT, area=tree.households[1])).get("/").content.decode()


@pytest.mark.django_db
def test_dashboard_shows_the_streets_problems_of_the_month_to_its_staff_only(client_as, tree):
    from datetime import date, timedelta

    from grassroots.hotspots.models import MonthlyProblem

    street1, street2 = tree.streets[0], tree.streets[1]
    for street, title in ((street1, "自来水水质问题"), (street2, "夜市油烟扰民")):
        MonthlyProblem.objects.create(street=street, title=title, source="rising", source_key=title,
                                      lead_unit=tree.units["dept"], plan="排查水管", month="2026-11",
                                      deadline=date.today() + timedelta(days=20))
    page = client_as(tree.user("community_worker_1")).get("/").content.decode()
    assert "每月一题" in page and "自来水水质问题" in page and "夜市油烟扰民" not in page
    other = make_user("grid_worker_E", Role.GRID_WORKER, area=tree.grid("E"))  # a grid of the second street
    page = client_as(other).get("/").content.decode()
    assert "夜市油烟扰民" in page and "自来水水质问题" not in page
