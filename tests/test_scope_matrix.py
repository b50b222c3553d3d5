"""The scope matrix: every people/orgs page and API endpoint, every role, objects in three grids and
two communities. A user sees exactly the objects under their areas (detail 200, present in lists),
and nothing else (detail 404, absent from lists); anonymous callers are sent to the login page
(pages) or get 401 (API). Revealing a number is allowed and audited exactly where a resident is
visible, and is a 404 that writes nothing anywhere else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from grassroots.core.models import AuditEntry
from tests.people.world import World

USERS = [
    "grid_worker_A", "grid_worker_B", "community_worker_1", "community_worker_2", "street_admin_1",
    "district_admin", "dept_handler", "nobody", "root",
]

# Who may see an object placed in grid A/B/C, community 1/2, or at the district.
VIEWERS = {
    "A": {"grid_worker_A", "community_worker_1", "street_admin_1", "district_admin", "root"},
    "B": {"grid_worker_B", "community_worker_1", "street_admin_1", "district_admin", "root"},
    "C": {"community_worker_2", "street_admin_1", "district_admin", "root"},
    "c1": {"community_worker_1", "street_admin_1", "district_admin", "root"},
    "c2": {"community_worker_2", "street_admin_1", "district_admin", "root"},
    # only units live here: the department's own handler sees their unit
    "district": {"district_admin", "root", "dept_handler"},
}


@dataclass(frozen=True)
class Resource:
    name: str
    page_list: str
    page_detail: str
    api_list: str
    api_detail: str
    objects: Callable[[World], dict]


RESOURCES = [
    Resource("residents", "/people/residents/", "/people/residents/{pk}/",
             "/api/people/residents", "/api/people/residents/{pk}",
             lambda w: {p: w.residents[p] for p in "ABC"}),
    Resource("party_members", "/people/party-members/", "/people/party-members/{pk}/",
             "/api/people/party-members", "/api/people/party-members/{pk}",
             lambda w: {p: w.party_members[p] for p in "ABC"}),
    Resource("grid_staff", "/people/grid-staff/", "/people/grid-staff/{pk}/",
             "/api/people/grid-staff", "/api/people/grid-staff/{pk}",
             lambda w: {p: w.grid_staff[p] for p in "ABC"}),
    Resource("volunteers", "/people/volunteers/", "/people/volunteers/{pk}/",
             "/api/people/volunteers", "/api/people/volunteers/{pk}",
             lambda w: {p: w.volunteers[p] for p in ("c1", "c2")}),
    Resource("party_orgs", "/orgs/party/", "/orgs/party/{pk}/",
             "/api/orgs/party", "/api/orgs/party/{pk}",
             lambda w: {**{p: w.branches[p] for p in "ABC"}, "c1": w.committees["c1"],
                        "c2": w.committees["c2"]}),
    Resource("units", "/orgs/units/", "/orgs/units/{pk}/",
             "/api/orgs/units", "/api/orgs/units/{pk}",
             lambda w: {p: w.units[p] for p in ("c1", "c2", "district")}),
]
IDS = [r.name for r in RESOURCES]


@pytest.mark.parametrize("username", USERS)
@pytest.mark.parametrize("resource", RESOURCES, ids=IDS)
def test_pages(client, world, resource, username):
    client.force_login(world.tree.user(username))
    listing = client.get(resource.page_list)
    assert listing.status_code == 200
    html = listing.content.decode()
    for place, obj in resource.objects(world).items():
        url = resource.page_detail.format(pk=obj.pk)
        visible = username in VIEWERS[place]
        assert (f'href="{url}"' in html) is visible, (place, url)
        assert client.get(url).status_code == (200 if visible else 404), (place, url)


@pytest.mark.parametrize("username", USERS)
@pytest.mark.parametrize("resource", RESOURCES, ids=IDS)
def test_api(client, world, resource, username):
    client.force_login(world.tree.user(username))
    listing = client.get(resource.api_list, {"page_size": 100})
    assert listing.status_code == 200
    data = listing.json()
    listed = {item["id"] for item in data["items"]}
    assert data["count"] == len(listed)
    for place, obj in resource.objects(world).items():
        visible = username in VIEWERS[place]
        assert (obj.pk in listed) is visible, place
        detail = client.get(resource.api_detail.format(pk=obj.pk))
        assert detail.status_code == (200 if visible else 404), place
        if visible:
            assert detail.json()["id"] == obj.pk


@pytest.mark.parametrize("resource", RESOURCES, ids=IDS)
def test_anonymous(client, world, resource):
    obj = next(iter(resource.objects(world).values()))
    for url in (resource.page_list, resource.page_detail.format(pk=obj.pk)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")
    for url in (resource.api_list, resource.api_detail.format(pk=obj.pk)):
        assert client.get(url).status_code == 401


@pytest.mark.parametrize("username", USERS)
def test_reveal_matrix(client, world, username):
    client.force_login(world.tree.user(username))
    for place in "ABC":
        resident = world.residents[place]
        visible = username in VIEWERS[place]
        before = AuditEntry.objects.filter(action="person.reveal").count()
        page = client.post(f"/people/residents/{resident.pk}/reveal/phone/")
        api = client.post(f"/api/people/residents/{resident.pk}/reveal", {"field": "id_number"},
                          content_type="application/json")
        after = AuditEntry.objects.filter(action="person.reveal").count()
        if visible:
            assert (page.status_code, api.status_code) == (200, 200), place
            assert resident.person.plain("phone") in page.content.decode()
            assert api.json()["value"] == resident.person.plain("id_number")
            assert after - before == 2
        else:
            assert (page.status_code, api.status_code) == (404, 404), place
            assert resident.person.plain("phone") not in page.content.decode()
            assert after == before


def test_anonymous_reveal(client, world):
    resident = world.residents["A"]
    assert client.post(f"/people/residents/{resident.pk}/reveal/phone/").status_code == 302
    api = client.post(f"/api/people/residents/{resident.pk}/reveal", {"field": "phone"},
                      content_type="application/json")
    assert api.status_code == 401
    assert not AuditEntry.objects.filter(action="person.reveal").exists()
