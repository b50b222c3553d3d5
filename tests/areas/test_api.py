import json

from grassroots.areas.models import Area
from tests.factories import square


def test_roots_and_children(tree, client_as):
    client = client_as(tree.user("community_worker_1"))
    roots = client.get("/api/areas/roots").json()
    assert [r["code"] for r in roots] == [tree.communities[0].code]
    assert roots[0]["children_count"] == 2 and roots[0]["level_label"] == "社区/村"
    kids = client.get(f"/api/areas/{tree.communities[0].code}/children").json()
    assert [k["name"] for k in kids] == ["网格1", "网格2"]
    assert kids[0]["parent_code"] == tree.communities[0].code
    assert kids[0]["map_url"] == f"/areas/map/?area={tree.grid('A').code}"


def test_detail(tree, client_as):
    grid = tree.grid("A")
    data = client_as(tree.user("grid_worker_A")).get(f"/api/areas/{grid.code}").json()
    assert data["full_name"] == "张湾区测试街道1测试社区1-1网格1"
    assert [p["visible"] for p in data["path"]] == [False, False, False, True]
    assert data["has_boundary"] is True


def test_street_detail_lists_its_party_committee(tree, client_as):
    data = client_as(tree.user("street_admin_1")).get(f"/api/areas/{tree.streets[0].code}").json()
    assert data["party_orgs"][0]["name"] == "测试街道1党工委"


def test_grids_geojson(tree, client_as):
    data = client_as(tree.user("street_admin_1")).get(f"/api/areas/{tree.streets[0].code}/grids.geojson").json()
    assert data["type"] == "FeatureCollection"
    assert len(data["features"]) == 4
    props = data["features"][0]["properties"]
    assert props["url"] == f"/areas/{tree.grid('A').code}/" and props["community_name"] == "测试社区1-1"


def test_locate(tree, client_as):
    client = client_as(tree.user("community_worker_1"))
    data = client.get("/api/areas/locate", {"lat": "32.605", "lng": "110.715"}).json()
    assert data["grid"]["code"] == tree.grid("B").code
    assert data["full_name"] == "张湾区测试街道1测试社区1-1网格2"
    bad = client.get("/api/areas/locate", {"lat": "abc", "lng": "110.7"})
    assert bad.status_code == 422 and "不是数字" in bad.json()["detail"]
    outside = client.get("/api/areas/locate", {"lat": "32.5", "lng": "110.7"})
    assert outside.status_code == 404 and "不在任何网格内" in outside.json()["detail"]


def test_locate_on_border_picks_the_visible_grid(tree, client_as):
    lng = tree.grid("B").boundary["coordinates"][0][0][0]
    data = client_as(tree.user("grid_worker_B")).get("/api/areas/locate", {"lat": 32.605, "lng": lng}).json()
    assert data["grid"]["code"] == tree.grid("B").code


def test_import(tree, client_as):
    a = tree.grid("A")
    body = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": a.code}, "geometry": square(110.701, 32.601, 0.008)}]}
    client = client_as(tree.user("community_worker_1"))
    response = client.post(f"/api/areas/{tree.communities[0].code}/grids/import", json.dumps(body),
                           content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json() == {"updated": [a.code], "skipped": [], "count": 1}
    assert Area.objects.get(pk=a.pk).boundary == square(110.701, 32.601, 0.008)


def test_import_errors(tree, client_as):
    a = tree.grid("A")
    body = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": a.code}, "geometry": square(110.705, 32.60)}]}
    client = client_as(tree.user("community_worker_1"))
    response = client.post(f"/api/areas/{tree.communities[0].code}/grids/import", json.dumps(body),
                           content_type="application/json")
    assert response.status_code == 422
    assert "重叠约" in response.json()["errors"][0]
    grid_worker = client_as(tree.user("grid_worker_A"))
    response = grid_worker.post(f"/api/areas/{a.code}/grids/import", json.dumps(body),
                                content_type="application/json")
    assert response.status_code == 403
    assert "没有" in response.json()["detail"]


def test_api_needs_login(tree, client):
    assert client.get("/api/areas/roots").status_code == 401
