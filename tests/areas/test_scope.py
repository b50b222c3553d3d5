"""Every page and API endpoint of the Area tree answers 404 for an area outside the user's scope."""

import io
import json

import pytest

from grassroots.areas.models import Area
from grassroots.core.models import AuditEntry
from tests.factories import square

# (method, url template) — {code} is the foreign area's code
ENDPOINTS = [
    ("get", "/areas/{code}/"),
    ("get", "/areas/{code}/children/"),
    ("get", "/areas/map/?area={code}"),
    ("get", "/areas/{code}/boundaries.geojson"),
    ("upload", "/areas/{code}/boundaries/import/"),
    ("get", "/api/areas/{code}"),
    ("get", "/api/areas/{code}/children"),
    ("get", "/api/areas/{code}/grids.geojson"),
    ("json", "/api/areas/{code}/grids/import"),
]

# user → areas they must not reach
FOREIGN = {
    "grid_worker_A": lambda t: [t.grid("B"), t.buildings[2], t.households[4], t.communities[0]],
    "community_worker_1": lambda t: [t.communities[1], t.grid("C"), t.grid("D"), t.buildings[8],
                                     t.households[16], t.streets[0], t.streets[1], t.district],
    "street_admin_1": lambda t: [t.streets[1], t.communities[2], t.grid("E")],
}


def _feature_collection(tree) -> dict:
    b = tree.grid("B")
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": b.code}, "geometry": square(110.711, 32.601, 0.008)}]}


def _request(client, method: str, url: str, tree):
    if method == "get":
        return client.get(url)
    body = json.dumps(_feature_collection(tree))
    if method == "json":
        return client.post(url, body, content_type="application/json")
    upload = io.BytesIO(body.encode())
    upload.name = "grids.geojson"
    return client.post(url, {"file": upload})


@pytest.mark.parametrize(("method", "template"), ENDPOINTS)
@pytest.mark.parametrize("username", sorted(FOREIGN))
def test_foreign_areas_are_404(tree, client_as, username, method, template):
    client = client_as(tree.user(username))
    for area in FOREIGN[username](tree):
        response = _request(client, method, template.format(code=area.code), tree)
        assert response.status_code == 404, (username, template, area.code, response.status_code)
        assert area.name not in response.content.decode()
    assert Area.objects.get(pk=tree.grid("B").pk).boundary == tree.grid("B").boundary
    assert not AuditEntry.objects.filter(action="area.grid_boundaries_import").exists()


@pytest.mark.parametrize(("method", "template"), ENDPOINTS)
def test_own_areas_are_reachable(tree, client_as, method, template):
    client = client_as(tree.user("community_worker_1"))
    response = _request(client, method, template.format(code=tree.communities[0].code), tree)
    assert response.status_code in (200, 302), (template, response.status_code)


@pytest.mark.parametrize(("user", "point"), [("grid_worker_A", (32.605, 110.715)),
                                              ("community_worker_1", (32.605, 110.725))])
def test_locate_does_not_reveal_foreign_grids(tree, client_as, user, point):
    response = client_as(tree.user(user)).get("/api/areas/locate", {"lat": point[0], "lng": point[1]})
    assert response.status_code == 404
    assert "网格" in response.json()["detail"] and "420303" not in response.content.decode()


def test_unknown_code_is_404(tree, client_as):
    client = client_as(tree.user("root"))
    assert client.get("/areas/999999/").status_code == 404
    assert client.get("/api/areas/999999").status_code == 404
