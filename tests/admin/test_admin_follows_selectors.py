"""The admin lists exactly what the page's selector gives each staff user (issue 15), and a row
outside that list cannot be opened."""

from datetime import date, timedelta

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import RequestFactory
from django.utils import timezone

from grassroots.accounts.models import Role
from grassroots.cases.models import Case
from grassroots.cases.selectors import cases_visible_to
from grassroots.core import crypto
from grassroots.hotspots.models import MonthlyProblem
from grassroots.hotspots.selectors import problems_visible_to
from grassroots.intake.models import HotlineImport
from grassroots.intake.selectors import hotline_jobs_visible_to
from grassroots.matching import selectors as matching
from grassroots.matching.models import Agreement, Match, Need, Project, Resource
from grassroots.matching.services import agreement_create, match_accept, need_add, resource_add
from grassroots.notifications.models import OutboxMessage
from grassroots.orgs.models import Unit, UnitKind
from grassroots.people.models import Person
from grassroots.portal import accounts
from grassroots.portal.models import HouseholdClaim
from grassroots.portal.selectors_accounts import claims_visible_to
from grassroots.registers.models import ImportJob
from grassroots.registers.selectors import jobs_visible_to
from grassroots.service.services import unit_register, unit_registration_decide
from grassroots.volunteers.models import Activity, Signup
from grassroots.volunteers.selectors import can_organise, managed_activities, managed_signups
from grassroots.volunteers.services import activity_create, signup, team_create, volunteer_for
from grassroots.wishes.models import Wish
from grassroots.wishes.selectors import managed as wishes_managed
from tests.factories import make_user, resident_user

# (model, the selector of the page that lists it)
AUDITED = [(ImportJob, jobs_visible_to), (HotlineImport, hotline_jobs_visible_to),
           (Case, cases_visible_to), (MonthlyProblem, problems_visible_to), (Wish, wishes_managed),
           (HouseholdClaim, claims_visible_to), (Activity, managed_activities), (Signup, managed_signups),
           (Resource, matching.resources_visible_to), (Need, matching.needs_visible_to),
           (Match, matching.matches_visible_to), (Project, matching.projects_visible_to),
           (Agreement, matching.agreements_visible_to)]
# The models whose rows the ``places`` fixture makes in community 1 (street 1) and community 3 (street 2).
PLACED = [HouseholdClaim, Activity, Signup, Resource, Need, Match, Project, Agreement]


def staff(username, role, area=None, unit=None):
    user = make_user(username, role, area=area, unit=unit, is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=[
        f"view_{model._meta.model_name}" for model, _selector in AUDITED],
        content_type__app_label__in={model._meta.app_label for model, _selector in AUDITED}))
    return user


@pytest.fixture
def cobuild_unit(tree):
    return Unit.objects.create(name="区人民医院", kind=UnitKind.COBUILD, area=tree.district)


@pytest.fixture
def people(tree, cobuild_unit):
    return {
        "district": staff("d_admin", Role.DISTRICT_ADMIN, tree.district),
        "street0": staff("s0_admin", Role.STREET_ADMIN, tree.streets[0]),
        "street1": staff("s1_admin", Role.STREET_ADMIN, tree.streets[1]),
        "community": staff("c_worker", Role.COMMUNITY_WORKER, tree.communities[0]),
        # sees grid A's residents but handles no cases: no claims to review
        "assistant": staff("g_assistant", Role.GRID_ASSISTANT, tree.grid("A")),
        "grid": staff("g_worker", Role.GRID_WORKER, tree.grid("A")),
        # sees the whole district's areas, but the matching board and volunteers' page refuse a leader
        "leader": staff("leader", Role.LEADER, tree.district),
        "unit": staff("u_staff", Role.DEPARTMENT_HANDLER, unit=cobuild_unit),  # the unit's own rows
    }


def _claim(household, phone: str, id17: str) -> HouseholdClaim:
    accounts.signin_code_send(phone=phone)
    text = OutboxMessage.objects.filter(address_index=crypto.blind_index(phone)).order_by("-pk").first().text
    signed = accounts.signin_code_verify(phone=phone, code=text.split("验证码是 ")[1][:6])
    return accounts.household_claim_submit(account=signed.account, name="新住户", household=household,
                                           id_number=crypto.id_number_with_check(id17)).claim


@pytest.fixture
def places(tree, people, cobuild_unit):
    """The same rows in community 1 (street 1, grid A) and community 3 (street 2), each written through
    its app's services by the staff of that place: {"here": {model: row}, "there": {model: row}}."""
    start = timezone.now() + timedelta(hours=1)
    volunteer = resident_user(tree, 1)
    # Grid A's worker lives in community 3 and leads its volunteer team, which runs the activity there.
    leader = people["grid"]
    Person.objects.filter(pk=tree.residents[16].person_id).update(user=leader)
    leader.refresh_from_db()
    team = team_create(community=tree.communities[2], actor=people["street1"], name="红马甲服务队",
                       leader=volunteer_for(leader, tree.communities[2]))
    made = {}
    for side, community, grid, household, manager, n in (
            ("here", tree.communities[0], tree.grid("A"), tree.households[0], tree.user("community_worker_1"), 1),
            ("there", tree.communities[2], tree.grid("E"), tree.households[16], people["street1"], 2)):
        activity = activity_create(community=community, actor=manager, title=f"清理楼道{n}", place="3栋",
                                   starts_at=start, ends_at=start + timedelta(hours=2), slots=5,
                                   team=team if side == "there" else None)
        reg = unit_register(unit=cobuild_unit, community=community, actor=manager, services="义诊",
                            contact_name="王医生", contact_phone="13812345678")
        unit_registration_decide(registration=reg, actor=manager, approve=True)
        resource = resource_add(community=community, actor=manager, kind="service", title=f"义诊{n}",
                                unit=cobuild_unit if side == "here" else None)
        need = need_add(actor=manager, area=grid, title=f"老人想量血压{n}", kind="service", source="survey")
        match = match_accept(need=need, resource=resource, actor=manager, deadline=date.today() + timedelta(days=30))
        made[side] = {
            HouseholdClaim: _claim(household, f"1391234000{n}", f"4203031990010112{n}"),
            Activity: activity,
            Signup: signup(activity=activity, user=volunteer),
            Resource: resource, Need: need, Match: match, Project: match.project,
            Agreement: agreement_create(unit=cobuild_unit, community=community, actor=manager, year=2026,
                                        signed_on=date(2026, 3, 1), items=[("unit", "每季度义诊一次", None)]),
        }
    return made


def admin_rows(user, model) -> set[int]:
    request = RequestFactory().get("/admin/")
    request.user = user
    return set(admin.site._registry[model].get_queryset(request).values_list("pk", flat=True))


def change_url(row) -> str:
    return f"/admin/{row._meta.app_label}/{row._meta.model_name}/{row.pk}/change/"


@pytest.mark.django_db
def test_admin_queryset_equals_selector(people, places):
    for user in people.values():
        ImportJob.objects.create(register="residents", file="x.xlsx", original_name=f"{user}.xlsx",
                                 created_by=user)
    for user in people.values():
        for model, selector in AUDITED:
            assert admin_rows(user, model) == set(selector(user).values_list("pk", flat=True)), (user, model.__name__)


@pytest.mark.django_db
def test_a_community_worker_sees_their_community_and_cannot_open_another(client, people, places):
    worker = people["community"]
    client.force_login(worker)
    for model in PLACED:
        here, there = places["here"][model], places["there"][model]
        assert admin_rows(worker, model) == {here.pk}, model.__name__
        assert client.get(f"/admin/{model._meta.app_label}/{model._meta.model_name}/").status_code == 200
        assert client.get(change_url(here)).status_code == 200, model.__name__
        assert client.get(change_url(there)).status_code in (302, 403, 404), model.__name__


@pytest.mark.django_db
def test_who_sees_what_is_the_pages_rule_not_the_area(people, places):
    here, there = places["here"], places["there"]
    # A grid assistant sees grid A's residents, but only case handlers review claims.
    assert admin_rows(people["assistant"], HouseholdClaim) == set()
    assert admin_rows(people["grid"], HouseholdClaim) == {here[HouseholdClaim].pk}
    # Grid A's worker leads community 3's volunteer team: its activity and roster are theirs to run.
    assert admin_rows(people["grid"], Activity) == {there[Activity].pk}
    assert admin_rows(people["grid"], Signup) == {there[Signup].pk}
    # A leader sees every area, yet the matching board and the activities' page are not theirs.
    for model in (Activity, Signup, Resource, Need, Match, Project, Agreement):
        assert admin_rows(people["leader"], model) == set(), model.__name__
    # A unit's own staff read their unit's resources, projects and agreements wherever it serves.
    assert admin_rows(people["unit"], Resource) == {here[Resource].pk}
    assert admin_rows(people["unit"], Project) == {here[Project].pk}
    assert admin_rows(people["unit"], Agreement) == {here[Agreement].pk, there[Agreement].pk}
    assert admin_rows(people["unit"], Need) == set()
    # A street admin dispatches for the street's communities.
    for model in PLACED:
        assert admin_rows(people["street1"], model) == {there[model].pk}, model.__name__


@pytest.mark.django_db
def test_the_matching_pages_open_what_the_selectors_list(client, people, places):
    """The need, project and agreement pages open a row exactly when the admin lists it."""
    pages = {Need: "/m/needs/{}/", Project: "/m/projects/{}/", Agreement: "/m/agreements/{}/"}
    for name in ("community", "unit", "leader", "street1"):
        user = people[name]
        client.force_login(user)
        for model, url in pages.items():
            listed = admin_rows(user, model)
            for side in ("here", "there"):
                row = places[side][model]
                status = client.get(url.format(row.pk)).status_code
                assert (status == 200) == (row.pk in listed), (name, model.__name__, side, status)


@pytest.mark.django_db
def test_a_roster_shows_to_exactly_the_users_whose_admin_lists_the_activity(people, places):
    for user in people.values():
        for side in ("here", "there"):
            activity = places[side][Activity]
            assert can_organise(user, activity) == (activity.pk in admin_rows(user, Activity)), (user, side)


@pytest.mark.django_db
def test_district_admin_does_not_see_street_admins_import_jobs(client, people):
    own = ImportJob.objects.create(register="residents", file="a.xlsx", original_name="own.xlsx",
                                   created_by=people["district"])
    other = ImportJob.objects.create(register="residents", file="b.xlsx", original_name="street.xlsx",
                                     created_by=people["street0"])
    client.force_login(people["district"])
    html = client.get("/admin/registers/importjob/").content.decode()
    assert "own.xlsx" in html and "street.xlsx" not in html
    assert client.get(f"/admin/registers/importjob/{own.pk}/change/").status_code == 200
    assert client.get(f"/admin/registers/importjob/{other.pk}/change/").status_code in (302, 403, 404)
