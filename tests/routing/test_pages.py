"""The routing pages and API: scoped by role — another street's settings cannot be read or
changed, another community's suggestions and corrections cannot be seen."""

import pytest

from grassroots.core.models import AuditEntry
from grassroots.routing.models import CategoryThreshold, RoutingCorrection, StreetSettings, TrainingJob
from grassroots.routing.services import case_categorize

from .helpers import level1


@pytest.mark.django_db
def test_street_staff_edit_their_street_thresholds(tree, client_as):
    street = tree.streets[0]
    client = client_as(tree.user("street_admin_1"))
    page = client.get(f"/routing/streets/{street.pk}/")
    assert page.status_code == 200 and "城乡建设" in page.content.decode()
    cat = level1("城乡建设")
    response = client.post(f"/routing/streets/{street.pk}/", {
        "policy": "all", "default_threshold": "80", f"threshold_{cat.pk}": "92"})
    assert response.status_code == 302
    row = StreetSettings.objects.get(street=street)
    assert (row.policy, row.default_threshold) == ("all", 0.8)
    assert CategoryThreshold.objects.get(street=street, category=cat).threshold == 0.92
    assert AuditEntry.objects.filter(action="routing.settings").count() == 1
    # Emptying a line removes its threshold; a bad value names the field and saves nothing.
    client.post(f"/routing/streets/{street.pk}/", {"policy": "all", "default_threshold": "80",
                                                   f"threshold_{cat.pk}": ""})
    assert not CategoryThreshold.objects.exists()
    bad = client.post(f"/routing/streets/{street.pk}/", {"policy": "off", "default_threshold": "20"})
    assert bad.status_code == 400 and "默认置信度阈值应在 30% 到 100% 之间" in bad.content.decode()
    assert StreetSettings.objects.get(street=street).policy == "all"


@pytest.mark.django_db
def test_another_streets_settings_cannot_be_read_or_changed(tree, client_as):
    other = tree.streets[1]
    street_admin = client_as(tree.user("street_admin_1"))
    assert street_admin.get(f"/routing/streets/{other.pk}/").status_code == 404
    assert street_admin.post(f"/routing/streets/{other.pk}/", {"policy": "off",
                                                               "default_threshold": "90"}).status_code == 404
    listing = street_admin.get("/routing/streets/").content.decode()
    assert tree.streets[0].name in listing and other.name not in listing
    assert not StreetSettings.objects.filter(street=other).exists()
    # A community worker reads their own street's settings, and cannot change them.
    community = client_as(tree.user("community_worker_1"))
    assert community.get(f"/routing/streets/{tree.streets[0].pk}/").status_code == 200
    assert community.post(f"/routing/streets/{tree.streets[0].pk}/", {
        "policy": "off", "default_threshold": "90"}).status_code == 403
    assert community.get(f"/routing/streets/{other.pk}/").status_code == 404
    grid = client_as(tree.user("grid_worker_A"))
    assert grid.get(f"/routing/streets/{tree.streets[0].pk}/").status_code == 404


@pytest.mark.django_db
def test_the_case_page_shows_suggestions_only_in_scope(doubtful, tree, client_as):
    html = client_as(tree.user("community_worker_1")).get(f"/cases/{doubtful.pk}/").content.decode()
    assert "采用此建议（分类、受理并派单）" in html and "置信度不足，请人工确认" in html
    assert 'id="action-categorize"' in html
    grid_html = client_as(tree.user("grid_worker_A")).get(f"/cases/{doubtful.pk}/").content.decode()
    assert "置信度不足" in grid_html and "采用此建议" not in grid_html  # sees, cannot apply
    assert client_as(tree.user("community_worker_2")).get(f"/cases/{doubtful.pk}/").status_code == 404


@pytest.mark.django_db
def test_suggestion_api_is_scoped(doubtful, tree, client_as):
    url = f"/api/routing/cases/{doubtful.pk}/suggestions"
    body = client_as(tree.user("community_worker_1")).get(url).json()
    assert body["decision"] == "suggested" and len(body["items"]) == 3
    assert body["items"][0]["category_path"] == "城乡建设" and body["items"][0]["unit_name"] == "阳光物业"
    for name in ("community_worker_2", "grid_worker_B", "dept_handler", "nobody"):
        assert client_as(tree.user(name)).get(url).status_code == 404, name
    assert client_as(tree.user("community_worker_2")).post(
        f"/api/routing/cases/{doubtful.pk}/apply", {"rank": 1}, content_type="application/json").status_code == 404


@pytest.mark.django_db
def test_apply_through_the_api(doubtful, tree, client_as):
    client = client_as(tree.user("community_worker_1"))
    response = client.post(f"/api/routing/cases/{doubtful.pk}/apply", {"rank": 1}, content_type="application/json")
    assert response.status_code == 200 and response.json()["applied_rank"] == 1
    again = client.post(f"/api/routing/cases/{doubtful.pk}/apply", {"rank": 5}, content_type="application/json")
    assert again.status_code == 422 and "没有这条分派建议" in again.json()["detail"]


@pytest.mark.django_db
def test_model_page_and_api_show_the_active_model_and_the_corrections_in_scope(doubtful, tree, client_as, new_case):
    case_categorize(case=doubtful, category=level1("交通运输"), actor=tree.user("community_worker_1"))
    page = client_as(tree.user("community_worker_1")).get("/routing/").content.decode()
    assert "test-1" in page and doubtful.code in page and "待下次训练" in page
    other = client_as(tree.user("community_worker_2")).get("/routing/").content.decode()
    assert "test-1" in other and doubtful.code not in other  # the model is shared, the correction is not
    assert client_as(tree.user("grid_worker_A")).get("/routing/").content.decode().count(doubtful.code) == 0
    info = client_as(tree.user("community_worker_1")).get("/api/routing/model").json()
    assert {m["kind"] for m in info} == {"category", "unit"} and info[0]["version"] == "test-1"
    assert client_as(tree.user("grid_worker_A")).get("/api/routing/model").status_code == 403
    assert RoutingCorrection.objects.count() == 1


@pytest.mark.django_db
def test_retrain_now_queues_one_job_and_the_worker_runs_it(tree, client_as, settings, monkeypatch):
    from django.core.management import call_command

    from grassroots.routing import training

    calls = []
    monkeypatch.setattr(training, "routing_train", lambda **kw: calls.append(kw) or {"version": "v", "train_size": 3})
    client = client_as(tree.user("street_admin_1"))
    client.post("/routing/train/")
    client.post("/routing/train/")  # a double click
    assert TrainingJob.objects.count() == 1
    assert client_as(tree.user("community_worker_1")).post("/routing/train/").status_code == 403
    call_command("worker", "--once")
    job = TrainingJob.objects.get()
    assert job.status == "done" and job.result["version"] == "v" and len(calls) == 1
    assert "已完成：新模型 v" in client.get(f"/routing/jobs/{job.pk}/").content.decode()
