"""/api/evaluation: the status codes and bodies."""

from __future__ import annotations

from grassroots.evaluation.models import DispatchEvaluation, UnitEvaluation


def post(client, path, body):
    return client.post(f"/api/evaluation/{path}", body, content_type="application/json")


def test_unit_evaluation_lifecycle(client_as, tree, dispatched):
    client = client_as(tree.user("community_worker_1"))
    body = {"case": dispatched.pk, "unit": tree.units["dept"].pk, "speed": 4, "attitude": 5, "result": 3}
    early = post(client, "units", body)
    assert early.status_code == 422 and "还没有答复" in early.json()["detail"]
    from tests.evaluation.conftest import reply
    reply(dispatched, by=tree.user("dept_handler"))

    bad = post(client, "units", {**body, "speed": 7, "result": 0})
    assert bad.status_code == 422
    assert bad.json()["errors"] == {"speed": ["办理速度请选择 1–5 分"], "result": ["办理结果请选择 1–5 分"]}

    made = post(client, "units", {**body, "comment": "好"})
    assert made.status_code == 201
    out = made.json()
    assert (out["speed"], out["attitude"], out["result"], out["unit_name"], out["area_name"]) == (
        4, 5, 3, "区住建局", "测试社区1-1")
    again = post(client, "units", body)
    assert again.status_code == 409 and "已评价过" in again.json()["detail"]
    assert UnitEvaluation.objects.count() == 1
    assert [e["id"] for e in client.get(f"/api/evaluation/units?case={dispatched.pk}").json()] == [out["id"]]


def test_dispatch_evaluation_codes(client_as, tree, dispatched, people):
    body = {"case": dispatched.pk, "unit": tree.units["dept"].pk, "clear": 5, "owner": 4, "deadline": 4}
    assert post(client_as(tree.user("grid_worker_A")), "dispatches", body).status_code == 403
    assert post(client_as(tree.user("dept_handler")), "dispatches", {**body, "case": 10**12}).status_code == 404
    assert post(client_as(tree.user("dept_handler")), "dispatches", {**body, "unit": 10**12}).status_code == 404
    made = post(client_as(tree.user("dept_handler")), "dispatches", body)
    assert made.status_code == 201 and made.json()["owner"] == 4
    assert post(client_as(tree.user("dept_handler")), "dispatches", body).status_code == 409
    assert DispatchEvaluation.objects.count() == 1


def test_rankings_and_codes(client_as, tree):
    client = client_as(tree.user("street_admin_1"))
    ok = client.get("/api/evaluation/rankings/units?start=2026-03-01&end=2026-04-01")
    assert ok.status_code == 200 and ok.json() == {"start": "2026-03-01", "end": "2026-04-01", "rows": []}
    bad = client.get("/api/evaluation/rankings/units?start=2026-04-01&end=2026-03-01")
    assert bad.status_code == 422 and bad.json()["errors"] == {"end": ["结束日期（不含）应晚于开始日期"]}
    level = client.get("/api/evaluation/rankings/dispatches?level=grid")
    assert level.status_code == 422 and "street" in level.json()["detail"]
    assert client_as(tree.user("nobody")).get("/api/evaluation/rankings/units").status_code == 403
    assert client_as(tree.user("nobody")).get("/api/evaluation/units").status_code == 403


def test_anonymous_is_refused(client):
    assert client.get("/api/evaluation/units").status_code == 401
    assert client.get("/evaluation/").status_code == 302
