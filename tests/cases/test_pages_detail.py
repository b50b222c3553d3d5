"""The staff detail page /cases/<pk>/: every field, masked contact with an audited reveal, the map,
photos, the full internal timeline, whistle tasks, and an action panel of exactly the actions
``case_actions_for`` offers. Another grid's or community's case is a 404."""

from __future__ import annotations

import json
import re

import pytest

from grassroots.accounts.models import Role
from grassroots.cases import services as svc
from grassroots.cases.models import CaseAttachment, CaseEvent, WhistleTask
from grassroots.cases.selectors import case_actions_for
from grassroots.core.models import AuditEntry
from tests.cases.pages_support import counts, dispatched_to_dept, in_progress
from tests.factories import make_user


@pytest.fixture
def case(new_case):
    return new_case("A", title="楼道灯不亮", contact_name="张三丰", contact_phone="13812345678",
                    address="阳光小区3栋", lat=32.605, lng=110.705)


def page(client, case):
    response = client.get(f"/cases/{case.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def panel_actions(html: str) -> set[str]:
    return set(re.findall(r'<details class="action[^"]*" id="action-([a-z_]+)"', html))


def test_detail_shows_the_fields_masked(client_as, tree, case):
    html = page(client_as(tree.user("grid_worker_A")), case)
    for text in (case.code, "楼道灯不亮", "3栋2单元楼道灯坏了一周", "阳光小区3栋", "网格1", "已上报", "一般",
                 "居民网页", "张*丰", "138****5678", "32.60500"):
        assert text in html, text
    assert "13812345678" not in html and "张三丰" not in html
    assert case.tracking_code not in html  # the tracking code lets its holder rate the case: not for staff


@pytest.mark.parametrize(("username", "grid"), [
    ("grid_worker_A", "B"), ("grid_worker_B", "A"), ("community_worker_2", "A"), ("community_worker_1", "C"),
    ("dept_handler", "A"), ("nobody", "A"),
])
def test_other_places_cases_are_404(client_as, tree, new_case, username, grid):
    other = new_case(grid, contact_phone="13812345678")
    client = client_as(tree.user(username))
    before = counts()
    assert client.get(f"/cases/{other.pk}/").status_code == 404
    assert client.post(f"/cases/{other.pk}/actions/accept/").status_code == 404
    assert client.post(f"/cases/{other.pk}/reveal/").status_code == 404
    assert counts() == before
    assert [e.action for e in other.events.all()] == ["report"]


def test_the_panel_shows_exactly_the_offered_actions(client_as, tree, case):
    def check(username):
        user = tree.user(username)
        html = page(client_as(user), case)
        assert panel_actions(html) == set(case_actions_for(user, case)), username
        return html

    html = check("community_worker_1")
    assert panel_actions(html) == {"accept", "reject", "merge", "escalate", "supervise", "comment", "categorize"}
    assert panel_actions(check("grid_worker_A")) == {"comment", "escalate"}  # the grid team holds it
    assert panel_actions(check("district_admin")) == panel_actions(html)
    outsider = make_user("assistant_A", Role.GRID_ASSISTANT, area=tree.grid("A"))  # may view, not act
    assert "当前没有您可以执行的操作" in page(client_as(outsider), case)
    in_progress(case, tree)
    assert {"reply", "return", "escalate"} <= panel_actions(check("dept_handler"))
    assert {"reassign", "extend", "park"} <= panel_actions(check("community_worker_1"))


def test_dispatch_choices_are_limited_to_valid_ones(client_as, tree, new_case):
    case_c = new_case("C")
    svc.case_accept(case=case_c, actor=tree.user("community_worker_2"))
    html = page(client_as(tree.user("community_worker_2")), case_c)
    form = html.split('id="action-dispatch"')[1].split("</details>")[0]
    assert "区住建局" in form and "阳光物业" not in form  # 阳光物业 serves community 1 only
    assert f'value="{tree.grid("C").code}"' in form and f'value="{tree.communities[1].code}"' in form
    assert f'value="{tree.grid("A").code}"' not in form and f'value="{tree.streets[0].code}"' not in form


def test_timeline_shows_every_event_with_actor_status_and_visibility(client_as, tree, case):
    in_progress(case, tree)
    svc.case_return(case=case, reason="不属于本局职责", actor=tree.user("dept_handler"))
    html = page(client_as(tree.user("community_worker_1")), case)
    timeline = html.split('class="timeline"')[1].split("</ol>")[0]
    for text in ("上报", "受理", "派单", "接单", "退单", "不属于本局职责", "已上报", "已受理 → 已派单",
                 "办理中 → 已退单", "交由：区住建局", "root", "dept_handler", "内部", "居民可见"):
        assert text in timeline, text
    assert timeline.count("<li") == CaseEvent.objects.filter(case=case).count()


def test_whistle_tasks_are_listed(client_as, tree, case):
    svc.case_accept(case=case, actor=tree.user("community_worker_1"))
    svc.case_whistle(case=case, lead=tree.units["dept"], assisting=[tree.units["property"]],
                     actor=tree.user("community_worker_1"), note="联合整治楼道照明")
    WhistleTask.objects.filter(case=case, unit=tree.units["property"]).update(status="replied", reply="已配合断电")
    html = page(client_as(tree.user("community_worker_1")), case)
    tasks = html.split("吹哨任务</h2>")[1].split("</section>")[0]
    assert "区住建局" in tasks and "牵头单位" in tasks and "协办单位" in tasks and "已配合断电" in tasks


def test_map_has_the_point_and_the_grid_outline(client_as, tree, case, settings):
    settings.GRASSROOTS_TILE_URL = ""
    html = page(client_as(tree.user("grid_worker_A")), case)
    data = json.loads(html.split('id="case-map-data" type="application/json">')[1].split("</script>")[0])
    assert data["point"] == [32.605, 110.705] and data["outline"]["type"] == "Polygon" and data["grid"] == "网格1"
    assert "vendor/leaflet/leaflet.js" in html and "未配置底图服务" in html


def test_map_falls_back_to_the_buildings_point(client_as, tree, new_case):
    building = tree.buildings[0]
    html = page(client_as(tree.user("grid_worker_A")), new_case(area=building))
    data = json.loads(html.split('id="case-map-data" type="application/json">')[1].split("</script>")[0])
    assert data["point"] == [building.lat, building.lng]


def test_hotline_case_without_place_has_no_map(client_as, tree, new_case):
    hotline = new_case(area=None, district_code=tree.district.code, channel="hotline")
    html = page(client_as(tree.user("district_admin")), hotline)
    assert "未标注位置" in html and "case-map-data" not in html


def test_photos_link_to_the_portals_attachment_view(client_as, tree, case):
    photo = CaseAttachment.objects.create(case=case, file="cases/x/a.jpg", content_type="image/jpeg", size=10,
                                          sha256="0" * 64, district_code=case.district_code)
    html = page(client_as(tree.user("grid_worker_A")), case)
    assert "照片 1" in html
    assert f'href="/r/attachments/{photo.pk}/"' in html and f'src="/r/attachments/{photo.pk}/thumb/"' in html


def test_html_typed_by_anyone_is_shown_as_text(client_as, tree, new_case):
    case = new_case("A", title="<b>标题</b>", body="<script>alert('x')</script>")
    in_progress(case, tree)
    svc.case_reply(case=case, reply="<img src=x onerror=alert(1)>", actor=tree.user("dept_handler"))
    html = page(client_as(tree.user("community_worker_1")), case)
    assert "<script>alert" not in html and "<img src=x" not in html and "<b>标题</b>" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "&lt;script&gt;" in html


# --- reveal ----------------------------------------------------------------------------------------


def test_reveal_shows_the_contact_and_is_audited(client_as, tree, case):
    user = tree.user("grid_worker_A")
    html = page(client_as(user), case)
    assert "查看完整联系方式" in html and f'hx-post="/cases/{case.pk}/reveal/"' in html
    response = client_as(user).post(f"/cases/{case.pk}/reveal/")
    body = response.content.decode()
    assert response.status_code == 200 and "张三丰" in body and "13812345678" in body
    assert "no-store" in response["Cache-Control"]
    entry = AuditEntry.objects.get(action="case.contact_reveal")
    assert entry.actor == user and entry.object_id == str(case.pk) and entry.detail["via_area"] == case.area_code
    assert "13812345678" not in json.dumps(entry.detail, ensure_ascii=False)


def test_reveal_needs_the_capability(client_as, tree, case):
    assistant = make_user("assistant_A", Role.GRID_ASSISTANT, area=tree.grid("A"))
    dispatched_to_dept(case, tree)
    for user in (assistant, tree.user("dept_handler")):
        html = page(client_as(user), case)
        assert "查看完整联系方式" not in html
        response = client_as(user).post(f"/cases/{case.pk}/reveal/")
        assert response.status_code == 403 and "13812345678" not in response.content.decode()
        assert "没有查看完整联系方式的权限" in response.content.decode()
    assert not AuditEntry.objects.filter(action="case.contact_reveal").exists()


def test_reveal_needs_post(client_as, tree, case):
    assert client_as(tree.user("grid_worker_A")).get(f"/cases/{case.pk}/reveal/").status_code == 405
    assert not AuditEntry.objects.filter(action="case.contact_reveal").exists()


def test_anonymous_case_hides_the_name_until_revealed(client_as, tree, new_case):
    case = new_case("A", anonymous=True, contact_name="李四", contact_phone="13900001111")
    html = page(client_as(tree.user("grid_worker_A")), case)
    assert "匿名" in html and "李四" not in html
    body = client_as(tree.user("grid_worker_A")).post(f"/cases/{case.pk}/reveal/").content.decode()
    assert "李四" in body and "仅用于回访" in body
