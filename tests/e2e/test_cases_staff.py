"""A community dispatcher works through the staff case pages: the list (time left, overdue marked),
the dispatch board (bulk accept, then a bulk dispatch that fails for one case and writes nothing,
then one that works), and the detail page's action panel (an HTMX dispatch; a stale second click
gets the engine's message next to the form)."""

import io
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from grassroots.cases.attachments import attachments_add
from grassroots.cases.models import Case, Category
from grassroots.cases.services import case_create
from grassroots.orgs.models import Duty
from tests.e2e.conftest import login, menu
from tests.factories import build_tree

pytestmark = pytest.mark.e2e


def make_cases(tree):
    leaf = Category.objects.filter(code__startswith="0102", level=3).first()
    Duty.objects.create(unit=tree.units["property"], category=leaf, area=tree.communities[0])
    texts = [("A", "3栋楼道灯坏了一周", "阳光小区3栋2单元", 32.6052, 110.7046),
             ("A", "小区门口垃圾堆放多日无人清运", "阳光小区南门", 32.6021, 110.7031),
             ("B", "楼上漏水，天花板发霉", "幸福家园5栋", 32.6071, 110.7152),
             ("B", "夜间施工噪音扰民", "幸福家园东侧工地", 32.6088, 110.7177)]
    cases = [case_create(title=t, body=f"{t}，请尽快处理。联系人下午在家。", channel="resident_web",
                         area=tree.grid(g), category=leaf, address=a, lat=lat, lng=lng,
                         contact_name="张三丰", contact_phone="13812345678")
             for g, t, a, lat, lng in texts]
    Case.objects.filter(pk=cases[3].pk).update(deadline=timezone.now() - timedelta(hours=6))
    Case.objects.filter(pk=cases[2].pk).update(deadline=timezone.now() + timedelta(hours=3),
                                               warned_at=timezone.now())
    return cases


def photo(colour) -> ContentFile:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), colour).save(out, "JPEG")
    return ContentFile(out.getvalue(), name="photo.jpg")


def test_dispatcher_list_board_and_detail(live_server, transactional_db, page, screenshot_dir, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    tree = build_tree()
    cases = make_cases(tree)
    attachments_add(case=cases[0], files=[photo("#8a9bb0"), photo("#b0a08a")], actor=None)
    login(page, live_server, "community_worker_1")

    menu(page, "诉求办理", "诉求清单")
    page.wait_for_url("**/cases/")
    assert page.locator("table.cases tbody tr").count() == 4
    assert "已超时" in page.locator(f"tr[data-case='{cases[3].code}']").inner_text()
    assert "138****5678" in page.content() and "13812345678" not in page.content()
    page.screenshot(path=str(screenshot_dir / "cases_list.png"), full_page=True)

    menu(page, "诉求办理", "派单台")
    page.wait_for_url("**/cases/board/")
    assert "★ 阳光物业" in page.locator(f"tr[data-case='{cases[0].code}']").inner_text()
    page.check("#tick-all")
    assert page.locator("#tick-count").inner_text() == "4"
    page.click("button[value=accept]")
    page.wait_for_url("**/cases/board/")
    assert "已受理 4 件诉求" in page.locator(".messages").inner_text()

    # a colleague rejects one of the cases meanwhile: the bulk dispatch names it and does nothing
    from grassroots.cases.services import case_reject
    case_reject(case=cases[1], reason="属于物业合同纠纷，请向人民法院起诉", actor=tree.user("community_worker_1"))
    page.check(f"input[name=cases][value='{cases[0].pk}']")
    page.check(f"input[name=cases][value='{cases[1].pk}']")
    page.select_option("select[name=to_unit]", str(tree.units["property"].pk))
    page.click("button[value=dispatch]")
    failures = page.locator(".failures")
    failures.wait_for()
    assert cases[1].code in failures.inner_text() and "没有执行任何操作" in failures.inner_text()
    page.screenshot(path=str(screenshot_dir / "cases_board.png"), full_page=True)
    assert Case.objects.get(pk=cases[0].pk).status == "accepted"

    page.click(f"tr[data-case='{cases[0].code}'] td.title a")
    page.wait_for_url(f"**/cases/{cases[0].pk}/")
    page.wait_for_selector("#case-map[data-loaded='true']")
    assert page.locator("#case-map .leaflet-interactive").count() >= 2  # the grid outline and the point
    page.wait_for_function("() => Array.from(document.querySelectorAll('.photos img')).every(i => i.complete && i.naturalWidth > 0)")
    assert page.locator(".photos img").count() == 2
    panel = page.locator("#actions")
    assert panel.locator("details.action summary").all_inner_texts()[:2] == ["派单", "就地办理"]
    page.click("#action-dispatch summary")
    page.select_option("#id_dispatch-to_unit", str(tree.units["property"].pk))
    page.fill("#id_dispatch-note", "请物业今天内更换灯泡")
    page.screenshot(path=str(screenshot_dir / "cases_detail_panel.png"), full_page=True)
    with page.expect_navigation():
        page.click("#action-dispatch button[type=submit]")
    assert "已派单" in page.locator(".messages").inner_text()
    assert "已派单" in page.locator(".page-head").inner_text()
    assert "请物业今天内更换灯泡" in page.locator(".timeline").inner_text()

    # a stale page: a colleague dispatches the case meanwhile; this click shows the engine's message
    page.goto(f"{live_server.url}/cases/{cases[2].pk}/")
    from grassroots.cases.services import case_dispatch
    case_dispatch(case=cases[2], to_unit=tree.units["dept"], actor=tree.user("street_admin_1"))
    page.click("#action-dispatch summary")
    page.select_option("#id_dispatch-to_unit", str(tree.units["property"].pk))
    page.click("#action-dispatch button[type=submit]")
    error = page.locator("#action-dispatch .form-errors")
    error.wait_for()
    assert "当前状态为“已派单”，不能派单" in error.inner_text()
    page.screenshot(path=str(screenshot_dir / "cases_detail_stale.png"), full_page=False)

    page.goto(f"{live_server.url}/cases/{cases[3].pk}/")  # overdue, accepted: the whistle form
    page.click("#action-whistle summary")
    page.check(f"#action-whistle input[name=whistle-lead][value='{tree.units['dept'].pk}']")
    page.check(f"#action-whistle input[name=whistle-assisting][value='{tree.units['property'].pk}']")
    page.fill(f"#id_whistle-task_{tree.units['property'].pk}", "夜间断开工地临时用电")
    page.locator("#actions").screenshot(path=str(screenshot_dir / "cases_detail_whistle.png"))

    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{live_server.url}/cases/{cases[2].pk}/")
    page.screenshot(path=str(screenshot_dir / "cases_detail_mobile.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375 + 1
    page.goto(f"{live_server.url}/cases/")
    page.screenshot(path=str(screenshot_dir / "cases_list_mobile.png"), full_page=True)
