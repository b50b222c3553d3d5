"""Likes from the channels that have them: an optional 点赞数 (and 点踩数) column in a hotline file,
``likes``/``dislikes`` in the push API; a newer count on a re-import replaces the old one (audited);
a bad count names the row and column and imports nothing."""

from __future__ import annotations

import json

import pytest

from grassroots.cases.models import Case
from grassroots.core.models import AuditEntry
from grassroots.intake.hotline_fields import guess_mapping
from tests.hotspots.conftest import voted_messages
from tests.intake.conftest import run, xlsx_bytes

pytestmark = pytest.mark.django_db
HEADERS = ["工单编号", "留言时间", "留言标题", "留言详情", "所属网格", "点赞数", "反对数"]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def api_key(tree):
    from grassroots.intake.services import api_client_create

    _client, key = api_client_create(name="市民留言板", source="board", district=tree.district,
                                     actor=tree.user("root"))
    return key


def _rows(tree, likes=None):
    rows = []
    for i, msg in enumerate(voted_messages()[:6]):
        rows.append([msg["id"], msg["submitted_at"], msg["title"], msg["body"], tree.grids[i % 3].name,
                     msg["likes"] if likes is None else likes, msg["dislikes"]])
    return rows


def test_the_likes_column_is_recognised():
    mapping = guess_mapping(HEADERS)
    assert mapping["likes"] == "点赞数" and mapping["dislikes"] == "反对数"
    assert guess_mapping(["工单号", "内容", "附议数"])["likes"] == "附议数"
    assert "likes" not in guess_mapping(["工单号", "内容"])  # optional


def test_import_keeps_the_likes_and_a_reimport_updates_them(tree):
    admin = tree.user("district_admin")
    job = run(admin, xlsx_bytes(HEADERS, _rows(tree)))
    assert job.status == "done", job.errors
    expected = {m["id"]: (m["likes"], m["dislikes"]) for m in voted_messages()[:6]}
    assert {c.external_id: (c.likes, c.dislikes) for c in Case.objects.all()} == expected
    assert sum(v[0] for v in expected.values()) > 0
    again = run(admin, xlsx_bytes(HEADERS, _rows(tree, likes=40)))
    assert again.status == "done" and again.created_count == 0
    assert set(Case.objects.values_list("likes", flat=True)) == {40}
    assert AuditEntry.objects.filter(action="case.likes").count() == sum(1 for v in expected.values() if v[0])


def test_a_bad_count_names_row_and_column_and_imports_nothing(tree):
    rows = _rows(tree)
    rows[2][5] = "很多"
    job = run(tree.user("district_admin"), xlsx_bytes(HEADERS, rows))
    assert job.status == "failed" and not Case.objects.exists()
    (error,) = [e for e in job.errors if e["column"] == "点赞数"]
    assert error["row"] == 4 and "不小于0的整数" in error["message"]


def test_push_api_takes_likes(client, tree, api_key):
    msg = voted_messages()[0]
    body = {"external_id": msg["id"], "title": msg["title"], "content": msg["body"], "lat": 32.605, "lng": 110.705,
            "likes": msg["likes"], "dislikes": 0}
    r = client.post("/api/intake/cases", json.dumps(body, ensure_ascii=False), content_type="application/json",
                    HTTP_X_API_KEY=api_key)
    assert r.status_code == 201
    assert Case.objects.get().likes == msg["likes"] == 9
    r = client.post("/api/intake/cases", json.dumps({**body, "likes": 12}), content_type="application/json",
                    HTTP_X_API_KEY=api_key)
    assert r.status_code == 200 and Case.objects.get().likes == 12
    for bad in (-1, "many", 1.5, True):
        r = client.post("/api/intake/cases", json.dumps({**body, "external_id": "x2", "likes": bad}),
                        content_type="application/json", HTTP_X_API_KEY=api_key)
        assert r.status_code == 400 and "点赞数" in r.json()["errors"]["likes"], bad
    assert Case.objects.count() == 1
