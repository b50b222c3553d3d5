"""The files the workers make — a street's monthly report, a community's quarterly 双报到 feedback —
opened as a person would (the PDF's text, every cell of the .xlsx): a user's own file holds their
place and nothing of another's, and another place's file cannot be downloaded by them at all."""

from __future__ import annotations

import re

import pytest

from tests.scope.test_every_url import WHO, body_text
from tests.scope.world import build_world
from tests.scope.world_gaps import make_reports

pytestmark = pytest.mark.django_db

KINDS = ("pdf", "xlsx")


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    world = build_world()
    make_reports(world, "s1")
    from grassroots.service.feedback import feedback_run

    feedback_run(world.objects["service.feedbackjob"]["c1"])
    return world


def forbidden_markers(world, username: str, text: str) -> list[str]:
    who = WHO[username]
    found = [m for m, tags in world.markers.items() if m in text and who.forbidden(tags)]
    return [m for m in found if m not in world.bounded or re.search(rf"(?<!\d){m}(?!\d)", text)]


def download(client, user, path: str):
    client.force_login(user)
    return client.get(path)


def test_files_of_reports_and_feedback(client, world):
    """One world (the files take a second each to make), three checks per file kind."""
    for kind in KINDS:
        own_report_holds_only_its_street(client, world, kind)
        another_streets_report_cannot_be_downloaded(client, world, kind)
        a_communitys_feedback_file_is_its_own(client, world, kind)


def own_report_holds_only_its_street(client, world, kind):
    report = world.objects["reports.monthlyreport"]["s1"]
    for path in (f"/reports/{report.pk}/{kind}/", f"/api/reports/{report.pk}/{kind}"):
        response = download(client, world.users["street_admin_1"], path)
        assert response.status_code == 200, path
        text = body_text(response)
        assert "MKRs1mpZ" in text  # street 1's problem of the month: the file was read
        assert "MKRs2mpZ" not in text
        assert forbidden_markers(world, "street_admin_1", text) == []


def another_streets_report_cannot_be_downloaded(client, world, kind):
    report = world.objects["reports.monthlyreport"]["s2"]
    paths = (f"/reports/{report.pk}/{kind}/", f"/api/reports/{report.pk}/{kind}")
    for path in paths:  # the file is there: the district administrator reads street 2's problem in it
        response = download(client, world.users["district_admin"], path)
        assert response.status_code == 200 and "MKRs2mpZ" in body_text(response), path
    for username in ("street_admin_1", "community_worker_1", "grid_worker_A", "dept_handler", "resident_A"):
        for path in paths:
            response = download(client, world.users[username], path)
            assert response.status_code in (403, 404), (username, path, response.status_code)
            assert "MKRs2mpZ" not in body_text(response)


def a_communitys_feedback_file_is_its_own(client, world, kind):
    own, other = world.objects["service.feedbackjob"]["c1"], world.objects["service.feedbackjob"]["c3"]
    response = download(client, world.users["community_worker_1"], f"/s/community/feedback/{own.pk}/{kind}/")
    assert response.status_code == 200
    text = body_text(response)
    assert world.people.party_members["B"].person.name in text  # c1's registered member: the file was read
    assert forbidden_markers(world, "community_worker_1", text) == []
    for username in ("community_worker_1", "street_admin_1", "grid_worker_A", "dept_handler"):
        response = download(client, world.users[username], f"/s/community/feedback/{other.pk}/{kind}/")
        assert response.status_code in (403, 404), (username, response.status_code)
