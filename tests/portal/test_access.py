"""Who sees what: a resident sees only their own cases and photos; photos are served to staff who can
see the case, the reporting account, or the browser that opened the tracking page; staff enter
patrol and walk-in cases only where they work."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from PIL import Image

from grassroots.cases.attachments import attachments_add
from grassroots.cases.models import Case, Channel, Tier
from tests.portal.conftest import IN_GRID_B, photo_bytes, upload

pytestmark = pytest.mark.django_db


def html_of(response) -> str:
    return response.content.decode()


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def my_case(tree, resident, new_case):
    case = new_case(actor=resident, title="我家楼下的路灯坏了")
    attachments_add(case=case, files=[upload("my.jpg", photo_bytes(gps=IN_GRID_B))], actor=resident)
    return case


def test_mine_lists_only_my_cases(client_as, tree, resident, other_resident, new_case, my_case):
    theirs = new_case(actor=other_resident, title="他人的噪音投诉")
    staff_entered = new_case(title="网格巡查的问题", channel=Channel.PATROL, actor=tree.user("grid_worker_A"))
    html = html_of(client_as(resident).get("/r/mine/"))
    assert "我家楼下的路灯坏了" in html and my_case.tracking_code in html
    assert theirs.title not in html and theirs.tracking_code not in html and staff_entered.title not in html
    assert "1 张照片" in html and "已提交，等待受理" in html

    html = html_of(client_as(other_resident).get("/r/mine/"))
    assert theirs.title in html and my_case.title not in html and my_case.tracking_code not in html


def test_mine_needs_login(client, tree):
    response = client.get("/r/mine/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_photos_served_to_the_reporter_and_not_to_another_resident(client_as, tree, resident, other_resident,
                                                                   my_case):
    att = my_case.attachments.get()
    url, thumb = f"/r/attachments/{att.pk}/", f"/r/attachments/{att.pk}/thumb/"
    mine = client_as(resident).get(url)
    assert mine.status_code == 200 and mine["Content-Type"] == "image/jpeg"
    assert "private" in mine["Cache-Control"] and mine["X-Content-Type-Options"] == "nosniff"
    assert "my.jpg" not in mine["Content-Disposition"]
    data = body_of(mine)
    assert not Image.open(io.BytesIO(data)).getexif() and b"TestPhone" not in data
    assert client_as(resident).get(thumb).status_code == 200

    other = Client()
    other.force_login(other_resident)
    assert other.get(url).status_code == 404 and other.get(thumb).status_code == 404
    assert Client().get(url).status_code == 404  # anonymous, without the code
    assert Client().get("/r/attachments/999999/").status_code == 404


def test_photos_served_to_the_session_that_opened_the_tracking_page(tree, my_case):
    att = my_case.attachments.get()
    browser = Client()
    assert browser.get(f"/r/attachments/{att.pk}/").status_code == 404
    html = html_of(browser.get(f"/r/t/{my_case.tracking_code}/"))
    assert f"/r/attachments/{att.pk}/thumb/" in html
    assert browser.get(f"/r/attachments/{att.pk}/").status_code == 200
    assert browser.get(f"/r/attachments/{att.pk}/thumb/")["Content-Type"] == "image/jpeg"
    assert Client().get(f"/r/attachments/{att.pk}/").status_code == 404  # another browser still not


def test_a_forged_or_copied_note_opens_nothing(tree, my_case, other_resident):
    """The browser's note is signed: editing it, or carrying one signed in as another account, gives
    no photo."""
    from django.core import signing

    from grassroots.portal import note

    att = my_case.attachments.get()
    browser = Client()
    browser.cookies[note.COOKIE] = signing.dumps({"u": None, "cases": [my_case.pk], "last": {}}, salt="other")
    assert browser.get(f"/r/attachments/{att.pk}/").status_code == 404
    browser.cookies[note.COOKIE] = "x" * 5000
    assert browser.get(f"/r/attachments/{att.pk}/").status_code == 404
    assert browser.get("/r/done/").status_code == 302  # no report of this browser's to show

    opener = Client()
    opener.get(f"/r/t/{my_case.tracking_code}/")
    assert opener.get(f"/r/attachments/{att.pk}/").status_code == 200
    other = Client()
    other.force_login(other_resident)
    other.cookies[note.COOKIE] = opener.cookies[note.COOKIE].value  # an anonymous browser's note, signed in
    assert other.get(f"/r/attachments/{att.pk}/").status_code == 404


def test_signing_out_forgets_the_cases_opened_while_signed_in(tree, other_resident, my_case):
    att = my_case.attachments.get()
    phone = Client()
    phone.force_login(other_resident)
    phone.get(f"/r/t/{my_case.tracking_code}/")
    assert phone.get(f"/r/attachments/{att.pk}/").status_code == 200
    phone.post("/logout/")
    assert phone.get(f"/r/attachments/{att.pk}/").status_code == 404


def test_photos_served_to_staff_in_scope_only(tree, my_case):
    att = my_case.attachments.get()
    url = f"/r/attachments/{att.pk}/"
    for name, expected in [("grid_worker_A", 200), ("community_worker_1", 200), ("street_admin_1", 200),
                           ("district_admin", 200), ("grid_worker_B", 404), ("community_worker_2", 404),
                           ("dept_handler", 404), ("nobody", 404)]:
        c = Client()
        c.force_login(tree.user(name))
        assert c.get(url).status_code == expected, name


def test_missing_thumbnail_is_rebuilt(tree, resident, my_case):
    from django.core.files.storage import default_storage

    from grassroots.cases.attachments import thumbnail_name

    att = my_case.attachments.get()
    default_storage.delete(thumbnail_name(att.file.name))
    c = Client()
    c.force_login(resident)
    response = c.get(f"/r/attachments/{att.pk}/thumb/")
    assert response.status_code == 200 and Image.open(io.BytesIO(body_of(response))).format == "JPEG"
    assert default_storage.exists(thumbnail_name(att.file.name))


# --- staff entry ---------------------------------------------------------------------------------------


def staff_post(client, **fields):
    import re

    html = html_of(client.get("/r/staff/new/"))
    key = re.search(r'name="intake_key" value="([^"]+)"', html).group(1)
    data = {"description": "巡查发现2栋门口井盖缺失", "channel": Channel.PATROL, "lat": "32.605",
            "lng": "110.705", "intake_key": key} | fields
    return client.post("/r/staff/new/", data)


def test_grid_worker_enters_a_patrol_report_in_their_grid(client_as, tree):
    client = client_as(tree.user("grid_worker_A"))
    html = html_of(client.get("/r/staff/new/"))
    assert "录入诉求" in html and "巡查上报" in html and "窗口登记" in html and "反映人姓名" in html
    response = staff_post(client, photos=[upload("well.jpg")])
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.channel == Channel.PATROL and case.area == tree.grid("A") and case.reporter_user is None
    assert case.attachments.get().uploaded_by == tree.user("grid_worker_A")
    html = html_of(client.get("/r/done/"))
    assert "请把查询码告诉反映人" in html and "再录入一条" in html


def test_walk_in_with_the_residents_contact_and_a_tier(client_as, tree):
    client = client_as(tree.user("community_worker_1"))
    staff_post(client, channel=Channel.WALK_IN, contact_name="赵大妈", contact_phone="13900001111",
               tier=Tier.COMMUNITY, lat="32.605", lng="110.715")
    case = Case.objects.get()
    assert case.channel == Channel.WALK_IN and case.tier == Tier.COMMUNITY
    assert case.assigned_area == tree.communities[0] and case.area == tree.grid("B")
    assert case.plain_contact() == ("赵大妈", "13900001111") and case.reporter_user is None


def test_grid_worker_cannot_enter_a_case_in_another_grid(client_as, tree):
    client = client_as(tree.user("grid_worker_A"))
    response = staff_post(client, lat="32.605", lng="110.715")  # grid B
    assert response.status_code == 400
    assert "只有该网格、社区的工作人员可以录入巡查或窗口诉求" in html_of(response)
    assert not Case.objects.exists()


def test_staff_entry_is_for_staff_only(client, client_as, tree, resident):
    assert client.get("/r/staff/new/").status_code == 302  # to the login page
    assert client_as(resident).get("/r/staff/new/").status_code == 403
    assert client_as(tree.user("nobody")).get("/r/staff/new/").status_code == 403


def test_resident_form_cannot_be_turned_into_a_staff_channel(client, tree):
    import re

    html = html_of(client.get("/r/new/"))
    key = re.search(r'name="intake_key" value="([^"]+)"', html).group(1)
    client.post("/r/new/", {"description": "测试", "lat": "32.605", "lng": "110.705", "intake_key": key,
                            "channel": Channel.PATROL, "tier": Tier.STREET})
    case = Case.objects.get()
    assert case.channel == Channel.RESIDENT_WEB and case.tier != Tier.STREET


def test_bad_tier_and_channel_are_refused(client_as, tree):
    client = client_as(tree.user("grid_worker_A"))
    response = staff_post(client, channel="hotline", tier="moon")
    html = html_of(response)
    assert response.status_code == 400
    assert "请选择来源：巡查上报或窗口登记" in html and "请从列表中选择响应层级" in html
    assert not Case.objects.exists()
