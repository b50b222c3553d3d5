"""The Django admin is scoped like the pages: a staff user with a community role sees and edits only
that community's rows; encrypted columns and plain numbers never appear; care tags only where
allowed; superusers see everything."""

import pytest
from django.contrib.auth.models import Permission

from grassroots.accounts.models import Role, RoleAssignment
from grassroots.areas.models import Area
from grassroots.core.models import AuditEntry
from grassroots.people.models import Person, Resident
from tests.factories import make_user

MODELS = ["resident", "person", "partymember", "gridstaff", "volunteer", "partyorg", "unit",
          "committeeseat", "duty", "area", "user", "roleassignment", "auditentry", "case", "category",
          "importjob"]


def grant(user, *codenames):
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))


@pytest.fixture
def staff_c1(world):
    """A staff user who is the community worker of community 1 (grids A and B)."""
    user = make_user("staff_c1", Role.COMMUNITY_WORKER, area=world.tree.communities[0], is_staff=True)
    grant(user, *[f"view_{m}" for m in MODELS], "add_resident", "change_resident", "change_person",
          "add_area", "change_area")
    return user


def changelist(client, model_path, **params):
    response = client.get(f"/admin/{model_path}/", params)
    assert response.status_code == 200, model_path
    return response.content.decode()


def test_admin_index_in_chinese(client_as, world, staff_c1):
    html = client_as(staff_c1).get("/admin/").content.decode()
    assert "基层治理平台" in html and "居民" in html
    assert client_as(world.tree.user("root")).get("/admin/").status_code == 200


def test_resident_changelist_only_own_community(client_as, world, staff_c1):
    html = changelist(client_as(staff_c1), "people/resident")
    tree = world.tree
    community1 = tree.communities[0].code
    for resident in tree.residents:
        shown = f"/admin/people/resident/{resident.pk}/change/" in html
        assert shown is resident.household.code.startswith(community1), resident.household.code


def test_out_of_scope_change_view_is_not_found(client_as, world, staff_c1):
    client = client_as(staff_c1)
    other = world.residents["C"]
    response = client.get(f"/admin/people/resident/{other.pk}/change/")
    assert response.status_code == 302 and response["Location"] == "/admin/"
    person = other.person
    assert client.get(f"/admin/people/person/{person.pk}/change/").status_code == 302


@pytest.mark.parametrize("model_path, inside, outside", [
    ("people/partymember", lambda w: w.party_members["A"], lambda w: w.party_members["C"]),
    ("people/gridstaff", lambda w: w.grid_staff["B"], lambda w: w.grid_staff["C"]),
    ("people/volunteer", lambda w: w.volunteers["c1"], lambda w: w.volunteers["c2"]),
    ("people/person", lambda w: w.residents["A"].person, lambda w: w.residents["C"].person),
    ("orgs/partyorg", lambda w: w.branches["A"], lambda w: w.branches["C"]),
    ("orgs/unit", lambda w: w.units["c1"], lambda w: w.units["c2"]),
    ("orgs/committeeseat", lambda w: w.seat, None),
    ("areas/area", lambda w: w.tree.grid("B"), lambda w: w.tree.grid("C")),
])
def test_other_changelists_scoped(client_as, world, staff_c1, model_path, inside, outside):
    html = changelist(client_as(staff_c1), model_path)
    assert f"/admin/{model_path}/{inside(world).pk}/change/" in html
    if outside:
        assert f"/admin/{model_path}/{outside(world).pk}/change/" not in html


def test_area_changelist_excludes_ancestors_and_other_branches(client_as, world, staff_c1):
    html = changelist(client_as(staff_c1), "areas/area")
    tree = world.tree
    assert f"/admin/areas/area/{tree.district.pk}/change/" not in html
    assert f"/admin/areas/area/{tree.streets[0].pk}/change/" not in html
    assert f"/admin/areas/area/{tree.communities[0].pk}/change/" in html


def test_users_and_roles_scoped(client_as, world, staff_c1):
    client = client_as(staff_c1)
    html = changelist(client, "accounts/user")
    users = world.tree.users
    for name in ("grid_worker_A", "grid_worker_B", "community_worker_1"):
        assert f"/admin/accounts/user/{users[name].pk}/change/" in html
    for name in ("community_worker_2", "street_admin_1", "district_admin", "dept_handler", "nobody", "root"):
        assert f"/admin/accounts/user/{users[name].pk}/change/" not in html
    html = changelist(client, "accounts/roleassignment")
    for ra in RoleAssignment.objects.all():
        inside = ra.area is not None and ra.area.code.startswith(world.tree.communities[0].code)
        assert (f"/admin/accounts/roleassignment/{ra.pk}/change/" in html) is inside


def test_superuser_sees_everything(client_as, world):
    client = client_as(world.tree.user("root"))
    html = changelist(client, "people/resident")
    assert all(f"/admin/people/resident/{r.pk}/change/" in html for r in world.tree.residents)
    html = changelist(client, "orgs/unit")
    assert all(f"/admin/orgs/unit/{u.pk}/change/" in html for u in world.units.values())


def test_encrypted_and_plain_values_never_shown(client_as, world, staff_c1):
    person = world.residents["A"].person
    for user in (staff_c1, world.tree.user("root")):
        client = client_as(user)
        for url in ("/admin/people/person/", f"/admin/people/person/{person.pk}/change/",
                    "/admin/people/resident/", f"/admin/people/resident/{world.residents['A'].pk}/change/"):
            html = client.get(url).content.decode()
            assert person.id_number_masked in html or person.phone_masked in html, url
            for secret in (person.plain("id_number"), person.plain("phone"), person.id_number_enc,
                           person.phone_enc, person.id_number_index, person.phone_index):
                assert secret not in html, url
            assert "显示完整号码" not in html


def test_foreign_key_choices_limited_to_scope(client_as, world, staff_c1):
    client = client_as(staff_c1)
    person = world.residents["A"].person
    c2_household = world.residents["C"].household
    response = client.post("/admin/people/resident/add/", {
        "person": person.pk, "household": c2_household.pk, "relation": "other"})
    assert response.status_code == 200  # the form is shown again with an error
    assert "errornote" in response.content.decode() or "errorlist" in response.content.decode()
    assert not Resident.objects.filter(person=person, household=c2_household).exists()
    b_household = world.residents["B"].household
    response = client.post("/admin/people/resident/add/", {
        "person": person.pk, "household": b_household.pk, "relation": "other"})
    assert response.status_code == 302
    assert Resident.objects.filter(person=person, household=b_household).exists()


def test_autocomplete_is_scoped(client_as, world, staff_c1):
    response = client_as(staff_c1).get("/admin/autocomplete/", {
        "app_label": "people", "model_name": "resident", "field_name": "household", "term": ""})
    assert response.status_code == 200
    households = Area.objects.filter(level="household", code__startswith=world.tree.communities[0].code)
    assert len(response.json()["results"]) == min(households.count(), 20)


def test_care_tags_hidden_in_admin_without_capability(client_as, world):
    assistant = make_user("staff_assistant", Role.GRID_ASSISTANT, area=world.tree.grid("A"), is_staff=True)
    grant(assistant, "view_resident", "change_resident")
    client = client_as(assistant)
    tagged = next(r for r in world.tree.residents[:4] if r.care_tags)
    html = client.get("/admin/people/resident/").content.decode()
    assert f"/admin/people/resident/{tagged.pk}/change/" in html
    assert "独居老人" not in html
    html = client.get(f"/admin/people/resident/{tagged.pk}/change/").content.decode()
    assert "独居老人" not in html and "elderly_alone" not in html
    # saving the form does not wipe the tags it did not show
    response = client.post(f"/admin/people/resident/{tagged.pk}/change/", {
        "person": tagged.person_id, "household": tagged.household_id, "relation": "head"})
    assert response.status_code == 302
    tagged.refresh_from_db()
    assert tagged.care_tags == ["elderly_alone"]


def test_care_tags_shown_and_editable_with_capability(client_as, world, staff_c1):
    tagged = next(r for r in world.tree.residents[:4] if r.care_tags)
    client = client_as(staff_c1)
    assert "独居老人" in client.get("/admin/people/resident/").content.decode()
    response = client.post(f"/admin/people/resident/{tagged.pk}/change/", {
        "person": tagged.person_id, "household": tagged.household_id, "relation": "head",
        "care_tags": ["elderly_alone", "disabled"]})
    assert response.status_code == 302
    tagged.refresh_from_db()
    assert tagged.care_tags == ["elderly_alone", "disabled"]


def test_person_numbers_are_write_only(client_as, world, staff_c1):
    person = world.residents["A"].person
    client = client_as(staff_c1)
    response = client.post(f"/admin/people/person/{person.pk}/change/", {
        "name": person.name, "gender": person.gender, "birth_date": person.birth_date.isoformat(),
        "district_code": person.district_code, "new_phone": "13912345678", "new_id_number": ""})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.phone_masked == "139****5678"
    assert person.plain("phone") == "13912345678"
    entry = AuditEntry.objects.filter(action="person.update", object_id=str(person.pk)).latest("at")
    assert "phone" in entry.detail["fields"]
    assert "13912345678" not in str(entry.detail)
    html = client.get("/admin/people/person/", {"q": "13912345678"}).content.decode()
    assert f"/admin/people/person/{person.pk}/change/" in html  # found through the blind index


def test_person_admin_rejects_bad_or_duplicate_id_numbers(client_as, world, staff_c1):
    person = world.residents["A"].person
    other = world.residents["B"].person
    client = client_as(staff_c1)
    base = {"name": person.name, "gender": person.gender, "birth_date": person.birth_date.isoformat(),
            "district_code": person.district_code, "new_phone": ""}
    response = client.post(f"/admin/people/person/{person.pk}/change/", {**base, "new_id_number": "123"})
    assert "身份证号应为18位" in response.content.decode()
    response = client.post(f"/admin/people/person/{person.pk}/change/",
                           {**base, "new_id_number": other.plain("id_number")})
    assert "已登记为另一人员" in response.content.decode()
    assert Person.objects.get(pk=person.pk).id_number_index == person.id_number_index


def test_area_added_through_service(client_as, world, staff_c1):
    grid = world.tree.grid("A")
    response = client_as(staff_c1).post("/admin/areas/area/add/", {"parent": grid.pk, "name": "3栋",
                                                                  "code": "", "level": ""})
    assert response.status_code == 302
    area = Area.objects.get(parent=grid, name="3栋")
    assert area.level == "building" and area.code == grid.code + "003"
    assert AuditEntry.objects.filter(action="area.create", object_id=str(area.pk)).exists()
    outside = world.tree.grid("C")
    response = client_as(staff_c1).post("/admin/areas/area/add/", {"parent": outside.pk, "name": "9栋"})
    assert response.status_code == 200
    assert not Area.objects.filter(name="9栋").exists()


def test_audit_log_read_only_and_scoped(client_as, world, staff_c1):
    client = client_as(staff_c1)
    assert client.get("/admin/core/auditentry/add/").status_code == 403
    html = changelist(client, "core/auditentry")
    assert "person.create" not in html  # made by the test set-up, not by this user
    client_as(world.tree.user("grid_worker_A")).post(
        f"/people/residents/{world.residents['A'].pk}/reveal/phone/")
    html = changelist(client_as(world.tree.user("root")), "core/auditentry")
    assert "person.reveal" in html


def test_non_superuser_cannot_escalate(client_as, world, staff_c1):
    grant(staff_c1, "change_user", "add_user")
    client = client_as(staff_c1)
    assert client.get("/admin/accounts/user/add/").status_code == 403
    gw = world.tree.user("grid_worker_A")
    html = client.get(f"/admin/accounts/user/{gw.pk}/change/").content.decode()
    assert 'name="is_superuser"' not in html
    assert client.get(f"/admin/accounts/user/{world.tree.user('root').pk}/change/").status_code == 302


def test_the_password_of_another_places_account_cannot_be_changed(client_as, world, staff_c1):
    """The user admin's "change password" form: a staff user who may change accounts sets the password of
    an account of their community, but one of another community is not found, shows nothing of it, and
    keeps its password (the scope matrix asks the same of every user: tests/scope/rules.py)."""
    grant(staff_c1, "change_user")
    client = client_as(staff_c1)
    form = {"password1": "Another-Pass-77x", "password2": "Another-Pass-77x", "usable_password": "true"}
    own = world.tree.user("grid_worker_A")
    assert client.post(f"/admin/accounts/user/{own.pk}/password/", form).status_code == 302
    own.refresh_from_db()
    assert own.check_password("Another-Pass-77x")
    other = world.tree.user("community_worker_2")
    before = other.password
    for response in (client.get(f"/admin/accounts/user/{other.pk}/password/"),
                     client.post(f"/admin/accounts/user/{other.pk}/password/", form)):
        assert response.status_code == 404
        assert "community_worker_2" not in response.content.decode()
    other.refresh_from_db()
    assert other.password == before


def test_each_app_declares_its_choices_and_an_undeclared_model_keeps_djangos(world, staff_c1):
    """Core knows no domain app: areas, orgs, people and accounts fill the registry in their
    AppConfig.ready; a model nobody declared (a category) is not limited."""
    from grassroots.accounts.admin_scope import scoped_choices
    from grassroots.accounts.models import Capability, User
    from grassroots.cases.models import Category
    from grassroots.orgs.models import PartyOrg, Unit

    areas = scoped_choices(staff_c1, Area, Capability.VIEW_AREAS)
    community = world.tree.communities[0]
    assert areas.filter(code=community.code).exists()
    assert not areas.filter(code=world.tree.communities[1].code).exists()
    for model in (Unit, PartyOrg, Person, User):
        assert scoped_choices(staff_c1, model, Capability.VIEW_AREAS) is not None, model
    assert scoped_choices(staff_c1, Category, Capability.VIEW_AREAS) is None
