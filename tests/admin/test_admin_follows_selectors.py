"""The admin lists exactly what the page's selector gives each staff user (issue 15), and a row
outside that list cannot be opened."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import RequestFactory

from grassroots.accounts.models import Role
from grassroots.cases.models import Case
from grassroots.cases.selectors import cases_visible_to
from grassroots.hotspots.models import MonthlyProblem
from grassroots.hotspots.selectors import problems_visible_to
from grassroots.intake.models import HotlineImport
from grassroots.intake.selectors import hotline_jobs_visible_to
from grassroots.registers.models import ImportJob
from grassroots.registers.selectors import jobs_visible_to
from grassroots.wishes.models import Wish
from grassroots.wishes.selectors import managed as wishes_managed
from tests.factories import make_user

AUDITED = [(ImportJob, jobs_visible_to), (HotlineImport, hotline_jobs_visible_to),
           (Case, cases_visible_to), (MonthlyProblem, problems_visible_to), (Wish, wishes_managed)]


def staff(username, role, area):
    user = make_user(username, role, area=area, is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=[
        "view_importjob", "view_hotlineimport", "view_case", "view_monthlyproblem", "view_wish"]))
    return user


@pytest.fixture
def people(tree):
    return {
        "district": staff("d_admin", Role.DISTRICT_ADMIN, tree.district),
        "street0": staff("s0_admin", Role.STREET_ADMIN, tree.streets[0]),
        "street1": staff("s1_admin", Role.STREET_ADMIN, tree.streets[1]),
        "community": staff("c_worker", Role.COMMUNITY_WORKER, tree.communities[0]),
    }


@pytest.mark.django_db
def test_admin_queryset_equals_selector(people):
    for user in people.values():
        ImportJob.objects.create(register="residents", file="x.xlsx", original_name=f"{user}.xlsx",
                                 created_by=user)
    request = RequestFactory().get("/admin/")
    for user in people.values():
        request.user = user
        for model, selector in AUDITED:
            model_admin = admin.site._registry[model]
            got = set(model_admin.get_queryset(request).values_list("pk", flat=True))
            assert got == set(selector(user).values_list("pk", flat=True)), (user, model.__name__)


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
