"""Scope: a pair is shown, merged or dismissed only by someone who may see both cases (404 otherwise),
by page and by API; the live list on the staff form shows only the user's cases."""

import pytest
from django.urls import reverse

from grassroots.cases.models import Case
from grassroots.duplicates.models import DuplicateCandidate

from .conftest import LAMP, LAMP_AGAIN


@pytest.fixture
def across(report):
    """The same problem reported on both sides of the border of grid B (community 1) and grid C
    (community 2), about 75 m apart."""
    first = report(LAMP, lat=32.605, lng=110.7196)
    second = report(LAMP_AGAIN, lat=32.605, lng=110.7204)
    assert first.area_code[:12] != second.area_code[:12]
    return first, second, DuplicateCandidate.objects.get(case=second, candidate=first)


def test_a_pair_across_communities_is_found_but_shown_to_neither_community(across, tree, client_as):
    first, second, row = across
    for name in ("community_worker_1", "community_worker_2", "grid_worker_A"):
        client = client_as(tree.user(name))
        assert client.get(reverse("duplicates:pair", args=[row.pk])).status_code == 404
        assert client.post(reverse("duplicates:merge", args=[row.pk])).status_code == 404
        assert client.post(reverse("duplicates:dismiss", args=[row.pk])).status_code == 404
        assert client.post(f"/api/duplicates/candidates/{row.pk}/merge", {}, content_type="application/json"
                           ).status_code == 404
        assert client.post(f"/api/duplicates/candidates/{row.pk}/dismiss").status_code == 404
    second.refresh_from_db()
    assert second.status == Case.Status.REPORTED
    # the street above both sees and decides
    street = tree.user("street_admin_1")
    assert f"疑似与 #{first.code} 重复" in client_as(street).get(
        reverse("cases:detail", args=[second.pk])).content.decode()


def test_the_api_lists_candidates_only_of_visible_cases(across, tree, client_as):
    first, second, row = across
    assert client_as(tree.user("community_worker_2")).get(
        f"/api/duplicates/cases/{second.pk}/candidates").json() == []  # the other side is not theirs
    assert client_as(tree.user("community_worker_1")).get(
        f"/api/duplicates/cases/{second.pk}/candidates").status_code == 404
    rows = client_as(tree.user("street_admin_1")).get(f"/api/duplicates/cases/{second.pk}/candidates").json()
    assert [(r["case"]["code"], r["original"]["code"]) for r in rows] == [(second.code, first.code)]


def test_the_api_merges_once_and_dismisses(report, tree, client_as):
    first = report(LAMP)
    second = report(LAMP_AGAIN)
    row = DuplicateCandidate.objects.get(case=second)
    client = client_as(tree.user("community_worker_1"))
    listed = client.get(f"/api/duplicates/cases/{second.pk}/candidates").json()
    assert listed[0]["can_decide"] and listed[0]["strong"] and listed[0]["distance_m"] is not None
    url = f"/api/duplicates/candidates/{row.pk}/merge"
    ok = client.post(url, {"note": ""}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["merged_into_code"] == first.code
    again = client.post(url, {"note": ""}, content_type="application/json")
    assert again.status_code in (404, 409)  # merged: no longer an open pair, or refused by the table
    third = report(LAMP_AGAIN, lat=32.6049)
    row3 = DuplicateCandidate.objects.get(case=third, candidate=first)
    assert client_as(tree.user("grid_worker_A")).post(
        f"/api/duplicates/candidates/{row3.pk}/dismiss").status_code == 403
    done = client_as(tree.user("community_worker_1")).post(f"/api/duplicates/candidates/{row3.pk}/dismiss")
    assert done.status_code == 200
    assert DuplicateCandidate.objects.get(pk=row3.pk).dismissed_at is not None


def test_the_live_list_on_the_staff_form_shows_the_users_cases_only(across, tree, client_as):
    first, second, _row = across
    params = {"description": LAMP_AGAIN, "lat": "32.605", "lng": "110.7200", "d": tree.district.code}
    page = client_as(tree.user("community_worker_1")).get(reverse("duplicates:similar"), params).content.decode()
    assert first.code in page and second.code not in page and "附近已有类似诉求正在办理" in page
    page = client_as(tree.user("community_worker_2")).get(reverse("duplicates:similar"), params).content.decode()
    assert second.code in page and first.code not in page
    assert "13900001111" not in page  # never a contact


def test_residents_and_visitors_get_no_live_list(across, tree, client, client_as):
    params = {"description": LAMP_AGAIN, "lat": "32.605", "lng": "110.7200", "d": tree.district.code}
    assert client.get(reverse("duplicates:similar"), params).status_code == 302  # to the login page
    assert client_as(tree.user("nobody")).get(reverse("duplicates:similar"), params).status_code == 403


def test_the_staff_form_has_the_live_slot_and_the_resident_form_does_not(tree, client, client_as):
    staff = client_as(tree.user("grid_worker_A")).get(reverse("portal:staff_new")).content.decode()
    assert 'id="dup-live"' in staff
    client.logout()
    assert 'id="dup-live"' not in client.get(reverse("portal:new")).content.decode()
