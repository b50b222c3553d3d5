"""议事协商 end to end: a resident proposes a topic on the phone, neighbours support it, the community
puts it on the council's agenda, a household vote passes it, the resolution is tracked to done with a
photo as evidence, and it shows on the public 为民办实事 list."""

from datetime import timedelta

import pytest
from django.utils import timezone

from grassroots.deliberation.models import Resolution, Rules, Topic, Vote
from tests.e2e.conftest import login
from tests.factories import build_tree
from tests.portal.conftest import photo_bytes

pytestmark = pytest.mark.e2e


@pytest.fixture
def phone_context(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True,
                                  has_touch=True)
    yield context
    context.close()


def test_topic_to_vote_to_resolution_to_the_public_list(live_server, transactional_db, phone_context, page,
                                                        screenshot_dir, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    tree = build_tree()
    from grassroots.deliberation.services import series_create
    from tests.deliberation.conftest import verified

    people = [verified(tree, n) for n in range(1, 5)]  # households of community 1
    Rules.objects.create(community=tree.communities[0], topic_threshold=2)
    series_create(community=tree.communities[0], actor=tree.user("community_worker_1"), kind="council")

    p = phone_context.new_page()
    login(p, live_server, people[0].username)
    p.goto(f"{live_server.url}/d/")
    p.click("text=提出议题")
    p.select_option("select[name=area]", tree.communities[0].code)
    p.fill("input[name=title]", "小区增设电动车充电棚")
    p.fill("textarea[name=body]", "电动车推进楼道充电有火灾隐患，建议在5栋旁空地建充电棚。")
    p.click("form button.primary")
    p.wait_for_selector("#topic[data-status=gathering]")
    assert p.evaluate("document.documentElement.scrollWidth") <= 390
    p.screenshot(path=str(screenshot_dir / "deliberation_topic_390.png"), full_page=True)
    topic = Topic.objects.get()

    for neighbour in people[1:2]:  # the proposer's own support and one neighbour's reach the threshold
        login(p, live_server, neighbour.username)
        p.goto(f"{live_server.url}/d/topics/{topic.pk}/")
        p.click("text=支持这个议题")
        p.wait_for_selector("text=您已支持")
    assert Topic.objects.get().status == "ready"

    login(page, live_server, "community_worker_1")
    page.goto(f"{live_server.url}/d/manage/")
    page.fill("input[name=starts_at]", timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=place]", "社区议事厅")
    page.click("button[value=meeting]")
    page.wait_for_selector("#agenda >> text=小区增设电动车充电棚")
    assert Topic.objects.get().status == "agenda"
    page.fill("#votes input[name=question]", "是否在5栋旁建电动车充电棚")
    page.select_option("#votes select[name=topic]", str(topic.pk))
    page.fill("#votes input[name=closes_at]", (timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"))
    page.click("button[value=vote]")
    page.wait_for_selector("#vote[data-status=open]")
    vote = Vote.objects.get()

    for voter, choice in zip(people, ["yes", "yes", "yes", "no"], strict=True):
        login(p, live_server, voter.username)
        p.goto(f"{live_server.url}/d/votes/{vote.pk}/")
        p.click(f"button[value={choice}]")
        p.wait_for_selector("#voted")
    p.screenshot(path=str(screenshot_dir / "deliberation_voted_390.png"), full_page=True)

    page.goto(f"{live_server.url}/d/votes/{vote.pk}/")
    page.click("button[value=close]")
    page.wait_for_selector("text=表决通过")
    page.screenshot(path=str(screenshot_dir / "deliberation_vote_result.png"), full_page=True)
    meeting = vote.meeting
    page.goto(f"{live_server.url}/d/manage/meetings/{meeting.pk}/")
    page.fill("textarea[name=minutes]", "经居民议事会表决（同意3、反对1），在5栋旁建设电动车充电棚。")
    page.click("button[value=minutes]")
    form = page.locator("#resolutions form")
    form.locator("select[name=topic]").select_option(str(topic.pk))
    form.locator("input[name=title]").fill("5栋旁建设电动车充电棚")
    form.locator("input[name=deadline]").fill(str(timezone.localdate() + timedelta(days=60)))
    form.locator("select[name=owner_unit]").select_option(str(tree.units["property"].pk))
    form.locator("select[name=owner_kind]").select_option("unit")
    form.locator("input[name=practical]").check()
    form.locator("button[value=resolution]").click()
    page.wait_for_selector("#resolutions >> text=5栋旁建设电动车充电棚")
    resolution = Resolution.objects.get()

    page.goto(f"{live_server.url}/d/resolutions/{resolution.pk}/")
    page.fill("input[name=text]", "充电棚已建成并通电，可停30辆")
    page.fill("input[name=progress]", "100")
    page.locator("input[name=photo]").set_input_files({"name": "shed.jpg", "mimeType": "image/jpeg",
                                                       "buffer": photo_bytes(size=(640, 480), colour="#336699")})
    page.click("button[value=progress]")
    page.wait_for_selector("#resolution[data-status=done]")
    assert Resolution.objects.get().status == "done"

    p.goto(f"{live_server.url}/d/practical/{tree.communities[0].code}/")
    item = p.locator(f'li[data-resolution="{resolution.pk}"]')
    assert item.get_attribute("data-status") == "done"
    assert "充电棚已建成" in item.inner_text() and "佐证照片" in item.inner_text()
    assert p.evaluate("document.documentElement.scrollWidth") <= 390
    p.screenshot(path=str(screenshot_dir / "deliberation_practical_390.png"), full_page=True)
