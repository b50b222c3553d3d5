"""Every change to who may do what is on the audit trail: a role granted, changed or taken away in the admin
(on its own page or in the account's inline), and an account's flags, groups and permissions."""

from __future__ import annotations

import pytest

from grassroots.accounts.models import Role, RoleAssignment
from grassroots.core.models import AuditEntry
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def audits(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("pk"))


def test_roles_granted_changed_and_revoked_on_the_role_page_are_audited(client_as, tree):
    root = make_user("root_admin", is_staff=True, is_superuser=True)
    clerk = make_user("clerk")
    client = client_as(root)
    community = tree.communities[0]
    added = client.post("/admin/accounts/roleassignment/add/",
                        {"user": clerk.pk, "role": Role.GRID_WORKER, "area": tree.grid("A").pk, "unit": ""})
    assert added.status_code == 302, added.content.decode()[:2000]
    row = RoleAssignment.objects.get(user=clerk)
    [grant] = audits("role.grant")
    assert grant.actor == root and grant.district_code == tree.district.code
    assert grant.detail == {"user": clerk.pk, "username": "clerk", "role": Role.GRID_WORKER,
                            "area": tree.grid("A").code, "unit": None}
    changed = client.post(f"/admin/accounts/roleassignment/{row.pk}/change/",
                          {"user": clerk.pk, "role": Role.COMMUNITY_WORKER, "area": community.pk, "unit": ""})
    assert changed.status_code == 302
    [change] = audits("role.change")
    assert change.detail["role"] == Role.COMMUNITY_WORKER and change.detail["area"] == community.code
    assert change.detail["before"]["role"] == Role.GRID_WORKER and change.detail["before"]["area"] == tree.grid("A").code
    deleted = client.post(f"/admin/accounts/roleassignment/{row.pk}/delete/", {"post": "yes"})
    assert deleted.status_code == 302 and not RoleAssignment.objects.filter(user=clerk).exists()
    [revoke] = audits("role.revoke")
    assert revoke.detail["role"] == Role.COMMUNITY_WORKER and revoke.actor == root


def test_bulk_delete_of_roles_writes_one_row_each(client_as, tree):
    root = make_user("root_admin", is_staff=True, is_superuser=True)
    rows = [RoleAssignment.objects.create(user=make_user(f"c{n}"), role=Role.GRID_WORKER, area=tree.grid("A"))
            for n in range(3)]
    response = client_as(root).post("/admin/accounts/roleassignment/", {
        "action": "delete_selected", "_selected_action": [r.pk for r in rows], "post": "yes"})
    assert response.status_code == 302
    assert sorted(e.detail["username"] for e in audits("role.revoke")) == ["c0", "c1", "c2"]


def test_the_account_page_audits_its_roles_and_its_powers(client_as, tree):
    root = make_user("root_admin", is_staff=True, is_superuser=True)
    clerk = make_user("clerk")
    form = {"username": "clerk", "display_name": "", "first_name": "", "last_name": "", "email": "",
            "is_active": "on", "is_staff": "on",
            "roles-TOTAL_FORMS": "1", "roles-INITIAL_FORMS": "0", "roles-MIN_NUM_FORMS": "0",
            "roles-MAX_NUM_FORMS": "1000",
            "roles-0-role": Role.GRID_WORKER, "roles-0-area": tree.grid("B").pk, "roles-0-unit": "",
            "roles-0-user": clerk.pk, "roles-0-id": ""}
    response = client_as(root).post(f"/admin/accounts/user/{clerk.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:3000]
    [grant] = audits("role.grant")
    assert grant.detail["area"] == tree.grid("B").code and grant.actor == root
    [powers] = audits("user.permissions")
    assert powers.detail["changed"] == ["is_staff"] and powers.detail["is_staff"] is True
    assert powers.object_id == str(clerk.pk)
