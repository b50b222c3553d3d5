"""双报到 end to end: an in-service Party member registers on a phone (390 px), the community approves
and places them in their branch, the member takes one more post and logs a service with a photo, the
community verifies it, and the quarterly feedback opens as .xlsx and as a PDF (rendered to PNG)."""

import io
from pathlib import Path

import openpyxl
import pypdfium2
import pytest

from grassroots.service.feedback import feedback_task, quarter_of
from grassroots.service.models import FeedbackJob, MemberRegistration, ServiceRecord
from grassroots.service.services import posts_defaults_create
from tests.e2e.conftest import login
from tests.factories import build_tree, make_user
from tests.portal.conftest import photo_bytes

pytestmark = pytest.mark.e2e


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True, has_touch=True)
    yield context.new_page()
    context.close()


def test_member_registers_serves_and_the_employer_gets_the_quarterly_feedback(
        live_server, transactional_db, phone, page, screenshot_dir, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    from grassroots.orgs.models import PartyLevel, PartyOrg
    from grassroots.people.models import PartyMember
    from tests.people.world import populate

    tree = build_tree()
    world = populate(tree)
    dept = tree.units["dept"]
    dept.party_org = PartyOrg.objects.create(name="区住建局机关党支部", level=PartyLevel.GRID_BRANCH, area=tree.district)
    dept.save()
    pm = world.party_members["A"]
    PartyMember.objects.filter(pk=pm.pk).update(in_service=True, employer=dept)
    make_user("member_a")
    posts_defaults_create(community=tree.communities[0], actor=tree.user("community_worker_1"))

    p = phone
    login(p, live_server, "member_a")
    p.goto(f"{live_server.url}/s/")
    p.click("text=我要报到")
    p.select_option("#id_community", tree.communities[0].code)
    p.wait_for_selector("text=接单岗")
    p.fill("input[name=name]", pm.person.name)
    p.fill("input[name=id_number]", pm.person.plain("id_number"))
    p.check("label:has-text('接单岗') input")
    p.check("label:has-text('政策宣传岗') input")
    assert p.evaluate("document.documentElement.scrollWidth") <= 390
    p.screenshot(path=str(screenshot_dir / "service_register_390.png"), full_page=True)
    p.click("button:has-text('提交报到')")
    p.wait_for_selector("text=正在等待社区审核")

    login(page, live_server, "community_worker_1")
    page.goto(f"{live_server.url}/s/community/")
    row = page.locator(f'tr[data-registration="{MemberRegistration.objects.get().pk}"]')
    assert row.locator("select[name=branch]").input_value() == str(world.branches["A"].pk)  # where they live
    page.screenshot(path=str(screenshot_dir / "service_community_apply.png"), full_page=True)
    row.locator("button[value=yes]").click()
    page.wait_for_selector("text=已审核")
    assert MemberRegistration.objects.get().status == "approved"

    p.goto(f"{live_server.url}/s/")
    p.check("label:has-text('环境监督岗') input")
    p.click("button:has-text('保存岗位')")
    p.wait_for_selector("text=岗位已更新")
    p.click("text=记录一次服务")
    p.fill("textarea[name=what]", "入户宣传医保政策，走访8户")
    p.fill("input[name=hours]", "2.5")
    from django.utils import timezone

    p.fill("input[name=served_on]", timezone.localdate().isoformat())
    p.locator("input[name=photo]").set_input_files({"name": "IMG_3001.jpg", "mimeType": "image/jpeg",
                                                    "buffer": photo_bytes(size=(640, 480))})
    p.click("button:has-text('提交')")
    p.wait_for_selector("text=待核实 2.5 小时")

    page.goto(f"{live_server.url}/s/community/records/")
    page.locator(f'tr[data-record="{ServiceRecord.objects.get().pk}"] button[value=yes]').click()
    page.wait_for_selector("text=已核实")
    p.reload()
    assert "已核实 2.5 小时" in p.content()
    p.screenshot(path=str(screenshot_dir / "service_member_390.png"), full_page=True)

    page.goto(f"{live_server.url}/s/community/feedback/")
    page.fill("input[name=quarter]", quarter_of(timezone.localdate()))
    page.click("button:has-text('生成季度反馈')")
    page.wait_for_selector("#job")
    assert feedback_task("e2e-worker")  # the background worker's turn
    page.wait_for_selector("#job[data-status=done]", timeout=10000)  # the page polls and shows the result
    page.screenshot(path=str(screenshot_dir / "service_feedback_done.png"), full_page=True)
    with page.expect_download() as download:
        page.click("text=下载Excel")
    assert download.value.suggested_filename.endswith("双报到反馈.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    rows = [[c.value for c in r] for r in book["区住建局"].iter_rows()]
    assert rows[2][0] == pm.person.name and rows[2][5] == 2.5 and "环境监督岗" in rows[2][3]
    job = FeedbackJob.objects.get()
    pdf_bytes = page.request.get(f"{live_server.url}/s/community/feedback/{job.pk}/pdf/").body()
    pdf = pypdfium2.PdfDocument(io.BytesIO(pdf_bytes))
    try:
        pdf[1].render(scale=1.3).to_pil().save(screenshot_dir / "service_feedback_pdf_page2.png")
        assert "随机抽查名单" in pdf[1].get_textpage().get_text_range()
    finally:
        pdf.close()
