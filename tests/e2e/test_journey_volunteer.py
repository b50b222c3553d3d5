"""A volunteer on a phone (390 px) signs up for an activity, checks in and out by typing the code the
organiser's phone shows (a QR code and its digits), and sees the hours the organiser confirmed."""

from datetime import timedelta

import pytest
from django.utils import timezone

from grassroots.volunteers.models import Signup
from grassroots.volunteers.services import activity_create
from tests.e2e.conftest import login
from tests.factories import build_tree, resident_user

pytestmark = pytest.mark.e2e


@pytest.fixture
def phones(browser):
    contexts = [browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True,
                                    has_touch=True) for _ in range(2)]
    yield [c.new_page() for c in contexts]
    for c in contexts:
        c.close()


def test_volunteer_signs_up_checks_in_and_out_by_code_and_sees_the_hours(live_server, transactional_db, phones,
                                                                         screenshot_dir):
    tree = build_tree()
    resident_user(tree, 1)
    start = timezone.now() + timedelta(minutes=30)
    activity = activity_create(community=tree.communities[0], actor=tree.user("community_worker_1"),
                               title="清理小区楼道杂物", place="测试社区1-1 1栋", starts_at=start,
                               ends_at=start + timedelta(hours=2), slots=10)
    volunteer, organiser = phones

    login(volunteer, live_server, "resident_1")
    volunteer.goto(f"{live_server.url}/v/")
    volunteer.click("text=清理小区楼道杂物")
    volunteer.click("button:has-text('我要报名')")
    volunteer.wait_for_selector("#my-signup >> text=已报名")

    login(organiser, live_server, "community_worker_1")
    organiser.goto(f"{live_server.url}/v/a/{activity.pk}/")
    organiser.click("button:has-text('出示签到码')")
    organiser.wait_for_selector("#code-digits")
    assert organiser.locator(".check-code svg").count() == 1
    assert organiser.evaluate("document.documentElement.scrollWidth") <= 390
    organiser.screenshot(path=str(screenshot_dir / "volunteer_code_390.png"), full_page=True)
    code_in = organiser.inner_text("#code-digits").strip()

    volunteer.click("a:has-text('签到')")
    volunteer.fill("#code", code_in)
    volunteer.click("button:has-text('确定')")
    volunteer.wait_for_selector("#my-signup >> text=已签到")

    Signup.objects.filter(activity=activity).update(checked_in_at=timezone.now() - timedelta(hours=2))  # 2 h later
    organiser.click("button:has-text('出示签退码')")
    organiser.wait_for_selector(".check-code[data-kind=out]")
    code_out = organiser.inner_text("#code-digits").strip()
    volunteer.click("a:has-text('签退')")
    volunteer.fill("#code", code_out)
    volunteer.click("button:has-text('确定')")
    volunteer.wait_for_selector("#my-signup >> text=已签退")
    assert "2.0 小时" in volunteer.inner_text("#my-signup") and "待确认" in volunteer.inner_text("#my-signup")

    organiser.reload()
    organiser.click("#roster button:has-text('确认时长')")
    organiser.wait_for_selector("text=已确认时长")
    volunteer.goto(f"{live_server.url}/v/me/")
    assert "累计已确认志愿时长 2.0 小时" in volunteer.inner_text("main")
    volunteer.screenshot(path=str(screenshot_dir / "volunteer_hours_390.png"), full_page=True)
    assert volunteer.locator("a:has-text('志愿服务时长证明')").count() == 1
