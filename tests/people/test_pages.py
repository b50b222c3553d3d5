"""The people pages: filters, exact search, pagination, masking, care tags, escaping."""

import pytest

from grassroots.accounts.models import Role
from grassroots.people.models import Resident
from grassroots.people.services import person_upsert
from tests.factories import make_user


def residents_of(tree, letter):
    grid = tree.grid(letter)
    return [r for r in tree.residents if r.household.code.startswith(grid.code)]


def link(resident):
    return f'href="/people/residents/{resident.pk}/"'


def test_grid_worker_sees_own_grid_only(client_as, tree):
    html = client_as(tree.user("grid_worker_A")).get("/people/residents/").content.decode()
    for r in residents_of(tree, "A"):
        assert link(r) in html
    for r in tree.residents:
        if r not in residents_of(tree, "A"):
            assert link(r) not in html


def test_list_shows_masked_numbers_never_plain(client_as, tree):
    html = client_as(tree.user("community_worker_1")).get("/people/residents/").content.decode()
    person = tree.residents[0].person
    assert person.id_number_masked in html
    assert person.phone_masked in html
    assert person.plain("id_number") not in html
    assert person.plain("phone") not in html
    assert person.id_number_enc not in html


def test_area_filter_and_picker_limited_to_own_areas(client_as, tree):
    client = client_as(tree.user("community_worker_1"))
    page = client.get("/people/residents/")
    html = page.content.decode()
    assert f'value="{tree.grid("A").code}"' in html
    assert f'value="{tree.grid("C").code}"' not in html
    assert f'value="{tree.streets[0].code}"' not in html
    html = client.get("/people/residents/", {"area": tree.grid("B").code}).content.decode()
    assert all(link(r) in html for r in residents_of(tree, "B"))
    assert not any(link(r) in html for r in residents_of(tree, "A"))


def test_area_outside_scope_is_rejected_not_shown(client_as, tree):
    client = client_as(tree.user("community_worker_1"))
    html = client.get("/people/residents/", {"area": tree.grid("C").code}).content.decode()
    assert not any(link(r) in html for r in residents_of(tree, "C"))
    assert "errorlist" in html or "error" in html


def test_name_filter(client_as, tree):
    html = client_as(tree.user("district_admin")).get("/people/residents/", {"name": "居民12"}).content.decode()
    assert link(tree.residents[11]) in html
    assert link(tree.residents[0]) not in html


def test_exact_number_search_through_blind_index(client_as, tree):
    client = client_as(tree.user("grid_worker_A"))
    mine, other = tree.residents[1], residents_of(tree, "B")[0]
    html = client.post("/people/residents/", {"number": mine.person.plain("id_number")}).content.decode()
    assert link(mine) in html
    assert sum(link(r) in html for r in tree.residents) == 1
    html = client.post("/people/residents/", {"number": mine.person.plain("phone")}).content.decode()
    assert link(mine) in html
    html = client.post("/people/residents/", {"number": other.person.plain("id_number")}).content.decode()
    assert link(other) not in html
    assert "没有符合条件的居民" in html


def test_pagination(client_as, tree, monkeypatch):
    from grassroots.people import views

    monkeypatch.setattr(views, "PAGE_SIZE", 10)
    client = client_as(tree.user("district_admin"))
    first = client.get("/people/residents/").content.decode()
    assert "第 1 / 4 页，共 32 条" in first
    assert "?page=2" in first
    second = client.get("/people/residents/", {"page": 2}).content.decode()
    assert link(tree.residents[10]) in second
    assert link(tree.residents[0]) not in second


def test_care_tags_shown_to_grid_worker(client_as, tree):
    client = client_as(tree.user("grid_worker_A"))
    html = client.get("/people/residents/").content.decode()
    assert "独居老人" in html
    html = client.get("/people/residents/", {"care_tag": "elderly_alone"}).content.decode()
    tagged = [r for r in residents_of(tree, "A") if r.care_tags]
    assert tagged and all(link(r) in html for r in tagged)
    assert not any(link(r) in html for r in residents_of(tree, "A") if not r.care_tags)


@pytest.fixture
def assistant_A(tree):
    return make_user("assistant_A", Role.GRID_ASSISTANT, area=tree.grid("A"))


def test_care_tags_hidden_from_roles_without_capability(client_as, tree, assistant_A):
    client = client_as(assistant_A)
    tagged = next(r for r in residents_of(tree, "A") if r.care_tags)
    html = client.get("/people/residents/").content.decode()
    assert link(tagged) in html
    assert "独居老人" not in html and "关爱标签" not in html
    # the filter is not offered and is ignored if sent anyway (it must not reveal who is tagged)
    html = client.get("/people/residents/", {"care_tag": "elderly_alone"}).content.decode()
    assert all(link(r) in html for r in residents_of(tree, "A"))
    detail = client.get(f"/people/residents/{tagged.pk}/").content.decode()
    assert "独居老人" not in detail and "关爱标签" not in detail
    assert "显示完整号码" not in detail


def test_resident_role_sees_own_household_only(client_as, tree):
    me = tree.residents[5]
    housemate = Resident.objects.create(
        person=person_upsert(name="同住人", district_code="420303"), household=me.household)
    user = make_user("resident_5", Role.RESIDENT, area=me.household)
    client = client_as(user)
    html = client.get("/people/residents/").content.decode()
    assert link(me) in html and link(housemate) in html
    assert sum(link(r) in html for r in tree.residents) == 1
    assert "独居老人" not in html
    assert client.get(f"/people/residents/{tree.residents[4].pk}/").status_code == 404
    detail = client.get(f"/people/residents/{me.pk}/").content.decode()
    assert "显示完整号码" not in detail
    assert "同住人" in detail


def test_detail_page_masked_with_reveal_button(client_as, tree):
    resident = tree.residents[0]
    html = client_as(tree.user("grid_worker_A")).get(f"/people/residents/{resident.pk}/").content.decode()
    assert resident.person.id_number_masked in html
    assert resident.person.plain("id_number") not in html
    assert resident.person.plain("phone") not in html
    assert "显示完整号码" in html
    assert f'hx-post="/people/residents/{resident.pk}/reveal/phone/"' in html


def test_html_in_names_is_escaped(client_as, tree):
    evil = '<script>alert("x")</script>'
    resident = tree.residents[0]
    resident.person.name = evil
    resident.person.save()
    client = client_as(tree.user("grid_worker_A"))
    for url in ("/people/residents/", f"/people/residents/{resident.pk}/", "/people/residents/?name=script"):
        html = client.get(url).content.decode()
        assert evil not in html
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_users_without_capability_see_explanation(client_as, tree):
    for name in ("dept_handler", "nobody"):
        html = client_as(tree.user(name)).get("/people/residents/").content.decode()
        assert "无权查看居民信息" in html
        assert not any(link(r) in html for r in tree.residents)


def test_other_lists(client_as, world):
    client = client_as(world.tree.user("grid_worker_A"))
    html = client.get("/people/party-members/").content.decode()
    assert world.party_members["A"].person.name in html
    assert world.party_members["A"].person.phone_masked in html
    assert world.party_members["A"].person.plain("phone") not in html
    html = client.get("/people/party-members/", {"name": "不存在"}).content.decode()
    assert "没有符合条件的党员" in html
    html = client.get("/people/grid-staff/").content.decode()
    assert "网格员A" in html and "网格员B" not in html
    html = client.get("/people/volunteers/").content.decode()
    assert "志愿者1" not in html  # volunteers serve a community: grid A's worker is below it
    html = client_as(world.tree.user("community_worker_1")).get("/people/volunteers/").content.decode()
    assert "志愿者1" in html and "志愿者2" not in html


def test_resident_detail_shows_other_parts(client_as, world):
    resident = world.residents["A"]
    html = client_as(world.tree.user("grid_worker_A")).get(f"/people/residents/{resident.pk}/").content.decode()
    assert "其他身份" in html and "网格A党支部" in html
