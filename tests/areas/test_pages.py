import io
import json

from django.urls import reverse

from grassroots.areas.models import Area
from grassroots.core.models import AuditEntry
from grassroots.orgs.models import PartyLevel, PartyOrg
from tests.factories import square


def test_tree_starts_at_the_users_roots(tree, client_as):
    page = client_as(tree.user("grid_worker_A")).get(reverse("areas:tree")).content.decode()
    assert "网格1" in page and tree.grid("A").code in page
    assert "网格2" not in page and "测试社区1-1" not in page
    assert f'hx-get="/areas/{tree.grid("A").code}/children/"' in page


def test_superuser_sees_every_district(tree, client_as):
    other = Area.objects.create(code="110101", name="东城区", level="district")
    page = client_as(tree.user("root")).get(reverse("areas:tree")).content.decode()
    assert "张湾区" in page and other.name in page
    assert "2 个街道/乡镇" in page


def test_children_partial_shows_counts_party_org_and_map_link(tree, client_as):
    community = tree.communities[0]
    PartyOrg.objects.create(name="网格1党支部", level=PartyLevel.GRID_BRANCH, area=tree.grid("A"))
    client = client_as(tree.user("community_worker_1"))
    html = client.get(reverse("areas:children", args=[community.code]), HTTP_HX_REQUEST="true")
    assert html.status_code == 200
    text = html.content.decode()
    assert "<html" not in text  # a fragment for htmx
    assert "网格1" in text and "网格2" in text and "2 个楼栋" in text
    assert "网格1党支部" in text
    assert f"/areas/map/?area={tree.grid('A').code}" in text


def test_tree_shows_the_street_party_committee(tree, client_as):
    page = client_as(tree.user("street_admin_1")).get(reverse("areas:tree")).content.decode()
    assert "测试街道1党工委" in page


def test_detail_page(tree, client_as):
    grid = tree.grid("A")
    page = client_as(tree.user("community_worker_1")).get(reverse("areas:detail", args=[grid.code]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "张湾区 / 测试街道1 / 测试社区1-1 / 网格1" in text
    assert "1栋" in text and "2栋" in text
    assert "上传并更新边界" in text  # a community worker may import
    grid_page = client_as(tree.user("grid_worker_A")).get(reverse("areas:detail", args=[grid.code]))
    assert "上传并更新边界" not in grid_page.content.decode()  # a grid worker may only download
    assert "下载网格边界" in grid_page.content.decode()


def test_map_page(tree, client_as):
    client = client_as(tree.user("community_worker_1"))
    page = client.get(reverse("areas:map")).content.decode()  # defaults to the user's own area
    assert "测试社区1-1 · 网格地图" in page
    assert f'data-geojson-url="/api/areas/{tree.communities[0].code}/grids.geojson"' in page
    assert "vendor/leaflet/leaflet.js" in page
    assert 'data-tile-url=""' in page  # no tile server configured: outlines only
    building = tree.buildings[0]
    page = client.get(reverse("areas:map"), {"area": building.code}).content.decode()
    assert "网格1 · 网格地图" in page


def test_map_page_with_tiles(tree, client_as, settings):
    settings.GRASSROOTS_TILE_URL = "https://tiles.example/{z}/{x}/{y}.png"
    page = client_as(tree.user("root")).get(reverse("areas:map"), {"area": tree.streets[0].code})
    assert 'data-tile-url="https://tiles.example/{z}/{x}/{y}.png"' in page.content.decode()
    assert "测试社区1-2" in page.content.decode()  # the street's communities to switch to


def test_map_page_without_any_role(tree, client_as):
    page = client_as(tree.user("nobody")).get(reverse("areas:map"))
    assert page.status_code == 200
    assert "您还没有可查看的区域" in page.content.decode()


def test_pages_need_login(tree, client):
    assert client.get(reverse("areas:tree")).status_code == 302
    assert client.get(reverse("areas:map")).status_code == 302


def test_export_download(tree, client_as):
    client = client_as(tree.user("grid_worker_A"))
    response = client.get(reverse("areas:boundaries_export", args=[tree.grid("A").code]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert [f["properties"]["code"] for f in data["features"]] == [tree.grid("A").code]


def _upload(data) -> io.BytesIO:
    f = io.BytesIO(json.dumps(data, ensure_ascii=False).encode())
    f.name = "grids.geojson"
    return f


def test_upload_from_the_page(tree, client_as):
    a = tree.grid("A")
    client = client_as(tree.user("community_worker_1"))
    data = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": a.code}, "geometry": square(110.701, 32.601, 0.008)}]}
    url = reverse("areas:boundaries_import", args=[tree.communities[0].code])
    response = client.post(url, {"file": _upload(data)}, follow=True)
    assert "已更新 1 个网格的边界" in response.content.decode()
    assert Area.objects.get(pk=a.pk).boundary == square(110.701, 32.601, 0.008)
    assert AuditEntry.objects.filter(action="area.grid_boundaries_import", actor=tree.user("community_worker_1"))


def test_upload_errors_are_shown_in_chinese(tree, client_as):
    a = tree.grid("A")
    client = client_as(tree.user("community_worker_1"))
    url = reverse("areas:boundaries_import", args=[tree.communities[0].code])
    bad = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": a.code}, "geometry": square(110.705, 32.60)}]}
    text = client.post(url, {"file": _upload(bad)}, follow=True).content.decode()
    assert "网格边界未导入" in text and "重叠约" in text and "网格2" in text
    f = io.BytesIO(b"{oops")
    f.name = "x.geojson"
    assert "不是有效的 JSON" in client.post(url, {"file": f}, follow=True).content.decode()
    assert "请选择要上传的 GeoJSON 文件" in client.post(url, {}, follow=True).content.decode()
    assert Area.objects.get(pk=a.pk).boundary == a.boundary


def test_grid_worker_cannot_upload_even_for_own_grid(tree, client_as):
    a = tree.grid("A")
    client = client_as(tree.user("grid_worker_A"))
    data = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": a.code}, "geometry": square(110.701, 32.601, 0.008)}]}
    response = client.post(reverse("areas:boundaries_import", args=[a.code]), {"file": _upload(data)})
    assert response.status_code == 403
    assert Area.objects.get(pk=a.pk).boundary == a.boundary
