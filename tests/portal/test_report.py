"""/r/new/: the resident's report, its place (map point, building, photo EXIF, address), its checks,
and the one atomic write of the case with its photos."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from grassroots.cases.models import Case, CaseAttachment, Channel
from grassroots.core import crypto
from grassroots.portal.services import title_from
from grassroots.worktime.models import Urgency
from tests.portal.conftest import IN_GRID_B, photo_bytes, upload

pytestmark = pytest.mark.django_db
URL = "/r/new/"


def form_key(client) -> str:
    html = client.get(URL).content.decode()
    return re.search(r'name="intake_key" value="([^"]+)"', html).group(1)


def post(client, **fields):
    data = {"description": "3栋2单元楼道灯坏了一周，晚上看不清。", "contact_name": "王小明",
            "contact_phone": "138 1234 5678", "lat": "32.605", "lng": "110.705"} | fields
    data.setdefault("intake_key", form_key(client))
    return client.post(URL, data)


def html_of(response) -> str:
    return response.content.decode()


def test_form_renders_for_anyone(client, tree):
    response = client.get(URL)
    html = html_of(response)
    assert response.status_code == 200
    for text in ("我要反映", "问题描述", "紧急（危及安全）", "匿名反映", "拍照或选择照片", "或搜索楼栋、小区",
                 "物业服务（保洁、维修、收费）", 'name="intake_key"', 'id="pick-map"'):
        assert text in html
    assert reverse("portal:grids") in html and 'data-tile-url=""' in html
    assert response["Cache-Control"].startswith("max-age=0")
    assert reverse("portal:index") == "/r/" and client.get("/r/").status_code == 200


def test_tile_url_is_used_when_configured(client, tree, settings):
    settings.GRASSROOTS_TILE_URL = "https://tiles.example/{z}/{x}/{y}.png"
    assert 'data-tile-url="https://tiles.example/{z}/{x}/{y}.png"' in html_of(client.get(URL))


def test_map_point_report_creates_a_case_and_shows_the_code(client, tree):
    response = post(client)
    assert response.status_code == 302 and response["Location"] == "/r/done/"
    case = Case.objects.get()
    assert case.channel == Channel.RESIDENT_WEB and case.area == tree.grid("A")
    assert (case.lat, case.lng) == (32.605, 110.705)
    assert case.title == "3栋2单元楼道灯坏了一周，晚上看不清"  # the description's first sentence
    assert case.contact_phone_masked == "138****5678" and "13812345678" not in case.contact_phone_enc
    assert case.plain_contact() == ("王小明", "13812345678")
    assert case.reporter_user is None
    html = html_of(client.get("/r/done/"))
    grouped = "-".join(case.tracking_code[i:i + 4] for i in (0, 4, 8))
    assert grouped in html and f'href="/r/t/{case.tracking_code}/"' in html
    assert "网格1" in html


def test_an_anonymous_report_keeps_its_result_in_the_browser_not_in_a_session(client, tree):
    """The result page's note is a signed cookie: an anonymous submit writes no session row (one read
    and one write transaction less on the intake's hot path), and the result page still shows the code."""
    from django.contrib.sessions.models import Session

    key = form_key(client)
    before = Session.objects.count()
    assert post(client, intake_key=key).status_code == 302
    case = Case.objects.get()
    assert case.tracking_code[:4] in html_of(client.get("/r/done/"))
    assert Session.objects.count() == before
    assert Client().get("/r/done/")["Location"] == URL  # another browser has no result to show


def test_title_from_description():
    assert title_from("3栋2单元楼道灯坏了一周，晚上看不清。楼下也是") == "3栋2单元楼道灯坏了一周，晚上看不清"
    assert title_from("3栋2单元楼道灯坏了一周，晚上完全看不清路，老人孩子上下楼很危险。") == "3栋2单元楼道灯坏了一周"
    assert title_from("  小区门口垃圾三天没人清运  ") == "小区门口垃圾三天没人清运"
    long = "我家楼上每天晚上十一点以后都在装修电钻声音非常大严重影响休息已经持续两个月了"
    assert title_from(long) == long[:20] + "…"
    assert title_from("噪音。") == "噪音"


def test_given_title_is_kept(client, tree):
    post(client, title="楼道灯")
    assert Case.objects.get().title == "楼道灯"


def test_double_submit_creates_one_case(client, tree):
    key = form_key(client)
    first = post(client, intake_key=key, photos=[upload("a.jpg")])
    second = post(client, intake_key=key, photos=[upload("a.jpg")])
    assert first.status_code == second.status_code == 302
    assert Case.objects.count() == 1 and CaseAttachment.objects.count() == 1
    assert "您已提交过这条诉求" in html_of(client.get("/r/done/"))


def test_each_form_gets_a_fresh_key(client, tree):
    assert form_key(client) != form_key(client)


def test_another_channels_key_typed_into_the_form_does_not_fetch_its_case(client, tree):
    from grassroots.cases.services import case_receive

    theirs, _ = case_receive(title="API 来的诉求", body="系统对接推送", channel=Channel.API, area=tree.grid("A"),
                             intake_key="order-000000000123")
    response = post(client, intake_key="order-000000000123")
    assert response.status_code == 302
    html = html_of(client.get("/r/done/"))
    assert theirs.tracking_code not in html and "您已提交过" not in html
    mine = Case.objects.exclude(pk=theirs.pk).get()
    assert mine.intake_key.startswith("r:") and "order" not in mine.intake_key


def test_a_missing_or_short_key_still_submits(client, tree):
    post(client, intake_key="")
    post(client, intake_key="abc")
    assert Case.objects.count() == 2 and not Case.objects.exclude(intake_key="").exists()


def test_point_outside_every_grid_is_refused_in_chinese(client, tree):
    response = post(client, lat="31.0", lng="121.0")
    assert response.status_code == 400
    assert "您在地图上选的位置不在本区任何网格内" in html_of(response)
    assert not Case.objects.exists()


@pytest.mark.parametrize("lat, lng, message", [
    ("abc", "110.7", "纬度“abc”不是数字"),
    ("132.6", "110.7", "纬度 132.6 超出范围"),
    ("110.705", "32.605", "是否把经度和纬度填反了"),
    ("32.6", "", "地图位置不完整"),
    ("nan", "110.7", "不是有效数字"),
])
def test_bad_coordinates_are_refused(client, tree, lat, lng, message):
    response = post(client, lat=lat, lng=lng)
    assert response.status_code == 400 and message in html_of(response)
    assert not Case.objects.exists()


def test_no_place_at_all_asks_for_one(client, tree):
    response = post(client, lat="", lng="")
    assert response.status_code == 400
    assert "请告诉我们问题在哪里" in html_of(response) and not Case.objects.exists()


def test_address_only_places_the_case_in_the_district(client, tree):
    post(client, lat="", lng="", address="人民路12号门口")
    case = Case.objects.get()
    assert case.area is None and case.district_code == tree.district.code and case.address == "人民路12号门口"
    assert "工作人员会按您填写的地址核实" in html_of(client.get("/r/done/"))


def test_building_chosen_from_the_list(client, tree):
    building = tree.buildings[3]  # grid B's second building
    found = html_of(client.get(reverse("portal:buildings"), {"building_q": "网格2 2栋"}))
    assert f'value="{building.code}"' in found and "测试社区1-1 · 网格2 · 2栋" in found
    assert "没有找到" in html_of(client.get(reverse("portal:buildings"), {"building_q": "不存在的楼"}))
    post(client, lat="", lng="", building=building.code)
    case = Case.objects.get()
    assert case.area == building and case.area_code.startswith(tree.grid("B").code)


def test_unknown_building_is_refused(client, tree):
    response = post(client, building="420303999999999999")
    assert response.status_code == 400 and "所选楼栋不存在" in html_of(response)


def test_photo_exif_location_is_used_when_no_point_is_chosen(client, tree):
    photo = upload("IMG_2001.jpg", photo_bytes(gps=IN_GRID_B))
    response = post(client, lat="", lng="", photos=[photo])
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.area == tree.grid("B") and (case.lat, case.lng) == pytest.approx(IN_GRID_B)
    assert "已按照片中的拍摄位置定位" in html_of(client.get("/r/done/"))


def test_photo_taken_outside_the_grids_is_not_used(client, tree):
    response = post(client, lat="", lng="", photos=[upload(data=photo_bytes(gps=(39.9, 116.4)))])
    assert response.status_code == 400 and "请告诉我们问题在哪里" in html_of(response)


def test_map_point_wins_over_the_photo_location(client, tree):
    post(client, photos=[upload(data=photo_bytes(gps=IN_GRID_B))])
    assert Case.objects.get().area == tree.grid("A")


def test_bad_photo_writes_nothing_and_names_the_file(client, tree, stored_files):
    response = post(client, photos=[upload("good.jpg"), upload("virus.jpg", b"MZ not an image")])
    html = html_of(response)
    assert response.status_code == 400
    assert "文件“virus.jpg”不是 JPEG、PNG 或 WebP 格式的照片" in html and "照片需要重新选择" in html
    assert not Case.objects.exists() and not CaseAttachment.objects.exists() and stored_files() == []


def test_seven_photos_are_refused(client, tree):
    response = post(client, photos=[upload(f"p{i}.jpg") for i in range(7)])
    assert response.status_code == 400 and "最多上传 6 张照片（您选了 7 张）" in html_of(response)
    assert not Case.objects.exists()


def test_all_problems_are_reported_at_once(client, tree):
    response = post(client, description="", contact_phone="12345", photos=[upload("x.jpg", b"junk")])
    html = html_of(response)
    for text in ("请填写问题描述", "联系电话“12345”有误", "文件“x.jpg”不是"):
        assert text in html


def test_photos_are_stored_with_the_case(client, tree, stored_files):
    post(client, photos=[upload("a.jpg", photo_bytes(gps=IN_GRID_B)), upload("b.webp", photo_bytes("WEBP"))])
    case = Case.objects.get()
    assert [a.content_type for a in case.attachments.all()] == ["image/jpeg", "image/webp"]
    assert len(stored_files()) == 4


def test_five_megabyte_description_is_refused_with_a_message(client, tree):
    response = post(client, description="a" * (5 * 1024 * 1024))
    html = html_of(response)
    assert response.status_code == 400
    assert "问题描述不能超过5000个字（现有5242880个字）" in html
    assert "描述太长，下面只保留了前5000个字" in html and len(response.content) < 200_000
    assert not Case.objects.exists()


def test_request_larger_than_the_upload_limit_gets_a_page_not_a_crash(client, tree):
    response = post(client, description="长" * (5 * 1024 * 1024))  # 15 MB of UTF-8
    assert response.status_code == 413
    assert "提交的文字太多" in html_of(response) and not Case.objects.exists()


def test_html_is_stored_as_typed_and_shown_as_text(client, tree):
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    post(client, description=evil + " 楼道灯坏了", address="<b>3栋</b>", contact_name="<i>王</i>")
    case = Case.objects.get()
    assert case.body == evil + " 楼道灯坏了" and case.address == "<b>3栋</b>"
    html = html_of(client.get(f"/r/t/{case.tracking_code}/"))
    assert "<script>alert" not in html and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "<b>3栋</b>" not in html and "&lt;b&gt;3栋&lt;/b&gt;" in html


def test_emergency_and_utility_categories_set_the_urgency(client, tree):
    from grassroots.portal.selectors import common_categories

    water = next(c for c in common_categories() if c.label == "停水、供水")
    post(client, emergency="on")
    post(client, category=water.code)
    post(client, category=water.code, emergency="on")
    assert [c.urgency for c in Case.objects.order_by("pk")] == [Urgency.EMERGENCY, Urgency.UTILITY,
                                                                Urgency.EMERGENCY]
    assert Case.objects.order_by("pk")[1].category.code == water.code


def test_unknown_category_is_refused(client, tree):
    response = post(client, category="99")
    assert response.status_code == 400 and "所选类别不存在" in html_of(response)


def test_anonymous_keeps_the_contact_for_the_call_back(client, tree):
    post(client, anonymous="on")
    case = Case.objects.get()
    assert case.anonymous and case.plain_contact() == ("王小明", "13812345678")


def test_invalid_phone_is_refused(client, tree):
    response = post(client, contact_phone="1234")
    assert response.status_code == 400
    assert "联系电话“1234”有误：手机号应为11位数字（以1开头），固定电话应带区号" in html_of(response)


def test_logged_in_resident_is_linked_to_the_case(client, tree, resident):
    client.force_login(resident)
    assert 'value="王小明"' in html_of(client.get(URL))  # the contact name is prefilled
    post(client)
    case = Case.objects.get()
    assert case.reporter_user == resident
    assert crypto.decrypt(case.contact_name_enc) == "王小明"


def test_grid_outlines_are_public_and_hold_no_personal_data(client, tree):
    response = client.get(reverse("portal:grids"))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/geo+json")
    data = response.json()
    assert len(data["features"]) == 8
    assert {tuple(sorted(f["properties"])) for f in data["features"]} == {
        ("code", "community_code", "community_name", "name")}
    assert "居民" not in response.content.decode()
    assert client.get(reverse("portal:grids"), {"d": "999999"}).status_code == 404
