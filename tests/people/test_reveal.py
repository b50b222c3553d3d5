"""Revealing a full ID number or phone: permission-checked, audited once, plain only in the response."""

import pytest

from grassroots.accounts.models import Role
from grassroots.core.models import AuditEntry
from tests.factories import make_user


def reveals():
    return AuditEntry.objects.filter(action="person.reveal")


def test_page_reveal_allowed_and_audited_once(client_as, tree):
    resident = tree.residents[0]
    user = tree.user("grid_worker_A")
    response = client_as(user).post(f"/people/residents/{resident.pk}/reveal/phone/")
    assert response.status_code == 200
    assert resident.person.plain("phone") in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    entry = reveals().get()
    assert entry.actor == user
    assert entry.object_id == str(resident.person.pk)
    assert entry.detail["field"] == "phone"
    assert entry.detail["via_area"] == resident.household.code
    assert resident.person.plain("phone") not in str(entry.detail)


def test_page_reveal_id_number(client_as, tree):
    resident = tree.residents[0]
    response = client_as(tree.user("grid_worker_A")).post(f"/people/residents/{resident.pk}/reveal/id_number/")
    assert resident.person.plain("id_number") in response.content.decode()
    assert reveals().count() == 1


def test_page_reveal_needs_post(client_as, tree):
    resident = tree.residents[0]
    response = client_as(tree.user("grid_worker_A")).get(f"/people/residents/{resident.pk}/reveal/phone/")
    assert response.status_code == 405
    assert not reveals().exists()


def test_page_reveal_unknown_field_is_404(client_as, tree):
    resident = tree.residents[0]
    response = client_as(tree.user("grid_worker_A")).post(f"/people/residents/{resident.pk}/reveal/name/")
    assert response.status_code == 404
    assert not reveals().exists()


def test_page_reveal_other_grid_is_404_and_writes_nothing(client_as, tree):
    other = tree.residents[4]  # grid B
    response = client_as(tree.user("grid_worker_A")).post(f"/people/residents/{other.pk}/reveal/phone/")
    assert response.status_code == 404
    assert other.person.plain("phone") not in response.content.decode()
    assert not reveals().exists()


@pytest.fixture
def assistant_A(tree):
    return make_user("assistant_A", Role.GRID_ASSISTANT, area=tree.grid("A"))


def test_page_reveal_without_capability_is_403_in_chinese(client_as, tree, assistant_A):
    resident = tree.residents[0]
    response = client_as(assistant_A).post(f"/people/residents/{resident.pk}/reveal/phone/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "您没有查看完整个人信息的权限" in html
    assert resident.person.plain("phone") not in html
    assert not reveals().exists()


def test_api_reveal_allowed_and_audited_once(client_as, tree):
    resident = tree.residents[0]
    response = client_as(tree.user("community_worker_1")).post(
        f"/api/people/residents/{resident.pk}/reveal", {"field": "id_number"}, content_type="application/json")
    assert response.status_code == 200
    assert response.json() == {"field": "id_number", "value": resident.person.plain("id_number")}
    assert "no-store" in response["Cache-Control"]
    assert reveals().count() == 1


def test_api_reveal_refusals_write_nothing(client_as, tree, assistant_A):
    a_resident, c_resident = tree.residents[0], tree.residents[8]
    url = "/api/people/residents/{}/reveal"
    body = {"field": "phone"}
    client = client_as(assistant_A)
    denied = client.post(url.format(a_resident.pk), body, content_type="application/json")
    assert denied.status_code == 403
    assert denied.json()["detail"] == "您没有查看完整个人信息的权限"
    client = client_as(tree.user("community_worker_1"))
    assert client.post(url.format(c_resident.pk), body, content_type="application/json").status_code == 404
    bad = client.post(url.format(a_resident.pk), {"field": "name"}, content_type="application/json")
    assert bad.status_code == 422
    for name in ("dept_handler", "nobody"):
        response = client_as(tree.user(name)).post(url.format(a_resident.pk), body,
                                                   content_type="application/json")
        assert response.status_code == 404
    assert not reveals().exists()


def test_api_reveal_requires_csrf_for_session_clients(tree):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(tree.user("grid_worker_A"))
    response = client.post(f"/api/people/residents/{tree.residents[0].pk}/reveal", {"field": "phone"},
                           content_type="application/json")
    assert response.status_code == 403
    assert not reveals().exists()
