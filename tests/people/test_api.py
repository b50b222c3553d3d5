"""The people API: masked values only, care tags only where allowed, filters, exact look-up."""

import json

from grassroots.accounts.models import Role
from tests.factories import make_user


def ids(response):
    return {item["id"] for item in response.json()["items"]}


def test_list_is_masked_and_paginated(client_as, tree):
    response = client_as(tree.user("district_admin")).get("/api/people/residents", {"page_size": 10})
    data = response.json()
    assert data["count"] == 32 and len(data["items"]) == 10
    body = response.content.decode()
    for resident in tree.residents:
        assert resident.person.plain("id_number") not in body
        assert resident.person.plain("phone") not in body
        assert resident.person.id_number_enc not in body
    first = next(i for i in data["items"] if i["id"] == tree.residents[0].pk)
    assert first["id_number_masked"] == tree.residents[0].person.id_number_masked
    assert first["phone_masked"] == tree.residents[0].person.phone_masked
    assert not any(k.endswith(("_enc", "_index")) for k in first)
    page2 = client_as(tree.user("district_admin")).get("/api/people/residents", {"page_size": 10, "page": 2})
    assert ids(page2).isdisjoint(ids(response))


def test_detail_is_masked(client_as, tree):
    resident = tree.residents[0]
    response = client_as(tree.user("grid_worker_A")).get(f"/api/people/residents/{resident.pk}")
    data = response.json()
    assert data["name"] == resident.person.name
    assert data["id_number_masked"] == resident.person.id_number_masked
    assert data["can_reveal"] is True
    assert resident.person.plain("id_number") not in response.content.decode()
    assert resident.person.plain("phone") not in response.content.decode()


def test_filters(client_as, tree):
    client = client_as(tree.user("community_worker_1"))
    grid_b = tree.grid("B").code
    assert ids(client.get("/api/people/residents", {"area": grid_b})) == {
        r.pk for r in tree.residents if r.household.code.startswith(grid_b)}
    assert ids(client.get("/api/people/residents", {"area": tree.grid("C").code})) == set()
    assert ids(client.get("/api/people/residents", {"name": "居民2"})) == {tree.residents[1].pk}
    tagged = ids(client.get("/api/people/residents", {"care_tag": "elderly_alone"}))
    assert tagged == {r.pk for r in tree.residents[:8] if r.care_tags}
    assert client.get("/api/people/residents", {"area": "abc"}).status_code == 422


def test_care_tags_only_for_capable_roles(client_as, tree):
    tagged = tree.residents[3]
    worker = client_as(tree.user("grid_worker_A")).get(f"/api/people/residents/{tagged.pk}").json()
    assert worker["care_tags"] == ["elderly_alone"]
    assistant = make_user("assistant_A", Role.GRID_ASSISTANT, area=tree.grid("A"))
    client = client_as(assistant)
    detail = client.get(f"/api/people/residents/{tagged.pk}")
    assert detail.json()["care_tags"] is None
    assert detail.json()["can_reveal"] is False
    listing = client.get("/api/people/residents")
    assert "elderly_alone" not in listing.content.decode()
    assert all(item["care_tags"] is None for item in listing.json()["items"])
    assert ids(client.get("/api/people/residents", {"care_tag": "elderly_alone"})) == set()


def test_lookup_by_number(client_as, tree):
    client = client_as(tree.user("grid_worker_A"))
    mine, other = tree.residents[2], tree.residents[6]

    def lookup(number):
        response = client.post("/api/people/residents/lookup", json.dumps({"number": number}),
                               content_type="application/json")
        assert response.status_code == 200
        return {item["id"] for item in response.json()}

    assert lookup(mine.person.plain("id_number")) == {mine.pk}
    assert lookup(mine.person.plain("phone")) == {mine.pk}
    assert lookup(other.person.plain("id_number")) == set()
    assert lookup("13800000000") == set()


def test_other_people_endpoints(client_as, world):
    client = client_as(world.tree.user("community_worker_1"))
    members = client.get("/api/people/party-members").json()["items"]
    assert {m["id"] for m in members} == {world.party_members[p].pk for p in "AB"}
    assert all("*" in m["phone_masked"] for m in members)
    assert client.get("/api/people/party-members", {"name": "不存在"}).json()["count"] == 0
    branch = world.branches["A"].pk
    assert client.get("/api/people/party-members", {"org": branch}).json()["count"] == 1
    staff = client.get("/api/people/grid-staff").json()["items"]
    assert {s["grid_code"] for s in staff} == {world.tree.grid("A").code, world.tree.grid("B").code}
    volunteers = client.get("/api/people/volunteers").json()["items"]
    assert [v["name"] for v in volunteers] == ["志愿者1"]


def test_openapi_documents_people_and_orgs_endpoints(client_as, tree):
    response = client_as(tree.user("root")).get("/api/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in ("/api/people/residents", "/api/people/residents/{resident_id}",
                 "/api/people/residents/{resident_id}/reveal", "/api/people/residents/lookup",
                 "/api/people/party-members", "/api/people/grid-staff", "/api/people/volunteers",
                 "/api/orgs/party", "/api/orgs/party/{org_id}", "/api/orgs/units", "/api/orgs/units/{unit_id}"):
        assert path in paths, path
    resident = response.json()["components"]["schemas"]["ResidentOut"]["properties"]
    assert not any(name.endswith(("_enc", "_index")) for name in resident)
