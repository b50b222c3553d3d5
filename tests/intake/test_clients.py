"""API clients in the admin: the key is shown once at creation and only its hash is kept; revoking
stops the key at once; every step is audited."""

import re

import pytest

from grassroots.core.models import AuditEntry
from grassroots.intake.models import ApiClient
from grassroots.intake.services import api_client_authenticate, key_hash

pytestmark = pytest.mark.django_db


def test_admin_creates_a_client_and_shows_its_key_once(client, tree):
    client.force_login(tree.user("root"))
    form = client.get("/admin/intake/apiclient/add/").content.decode()
    assert 'name="name"' in form and 'name="key_hash"' not in form
    response = client.post("/admin/intake/apiclient/add/", {"name": "市12345平台", "source": "12345",
                                                            "district": tree.district.pk}, follow=True)
    html = response.content.decode()
    key = re.search(r"(gr_[A-Za-z0-9_-]{40})", html)[1]
    stored = ApiClient.objects.get()
    assert stored.key_hash == key_hash(key) and stored.created_by == tree.user("root")
    assert api_client_authenticate(key) == stored
    page = client.get(f"/admin/intake/apiclient/{stored.pk}/change/").content.decode()
    assert key not in page and stored.key_prefix in page  # never shown again
    assert AuditEntry.objects.filter(action="intake.client_create").count() == 1


def test_admin_revokes_a_client(client, tree):
    from grassroots.intake.services import api_client_create

    api, key = api_client_create(name="城管平台", source="城管", district=tree.district, actor=None)
    client.force_login(tree.user("root"))
    client.post("/admin/intake/apiclient/", {"action": "revoke", "_selected_action": [api.pk]})
    api.refresh_from_db()
    assert not api.active and api.revoked_at is not None
    assert api_client_authenticate(key) is None
    assert AuditEntry.objects.filter(action="intake.client_revoke").count() == 1
