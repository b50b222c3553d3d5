"""The pages and the API as a user meets them: a street administrator's table and branch pages,
another street's branch not found, a branch secretary's own branch only, the inspector's form, the
export, and the public stars."""

from __future__ import annotations

import io
import json

import openpyxl
import pytest
from django.test import Client

from grassroots.stars.models import StarRating, StarScheme
from grassroots.stars.services import (
    star_inspector_score,
    star_rating_publish,
    star_rating_submit,
    star_ratings_compute_all,
)

from .conftest import YEAR, inspector_criteria


@pytest.fixture
def rated(scheme, world, client_as):
    """Street 1's admin has computed their street's branches."""
    client = client_as(world.tree.user("street_admin_1"))
    response = client.post("/stars/", {"action": "compute", "year": YEAR})
    assert response.status_code == 302
    return client


def test_street_admin_sees_the_table_of_their_street(rated, world):
    html = rated.get(f"/stars/?year={YEAR}").content.decode()
    assert "网格A党支部" in html and "网格D党支部" in html and "阳光物业党支部" in html
    assert "网格E党支部" not in html
    assert "基本组织" in html and "全部重新计算" in html and "发布全区评定结果" not in html
    html = rated.get(f"/stars/?year={YEAR}&area={world.tree.communities[1].code}").content.decode()
    assert "网格C党支部" in html and "网格A党支部" not in html


def test_another_streets_branch_is_not_found_by_page_and_api(rated, world):
    other = world.branches["E"].pk
    assert rated.get(f"/stars/b/{other}/?year={YEAR}").status_code == 404
    assert rated.post(f"/stars/b/{other}/", {"action": "compute", "year": YEAR}).status_code == 404
    assert rated.get(f"/api/stars/ratings/{other}?year={YEAR}").status_code == 404
    c = inspector_criteria(StarScheme.objects.get(year=YEAR))[0]
    response = rated.post(f"/api/stars/ratings/{other}/scores", json.dumps({"year": YEAR, "criterion": c.pk, "points": "5"}),
                          content_type="application/json")
    assert response.status_code == 404
    rows = rated.get(f"/api/stars/ratings?year={YEAR}").json()
    assert {r["name"] for r in rows} == {"网格A党支部", "网格B党支部", "网格C党支部", "网格D党支部", "阳光物业党支部"}


def test_branch_page_shows_criteria_evidence_and_the_inspectors_form(rated, world, scheme):
    url = f"/stars/b/{world.branches['A'].pk}/?year={YEAR}"
    html = rated.get(url).content.decode()
    assert "议事协商会议" in html and "组织关系在本支部的党员 1 名" in html and 'name="points"' in html
    c = inspector_criteria(scheme)[0]
    response = rated.post(url, {"action": "score", "criterion": c.pk, "points": "12", "note": "", "year": YEAR})
    assert response.status_code == 200
    assert "得分须在 0–10 分之间" in response.content.decode()
    response = rated.post(url, {"action": "score", "criterion": c.pk, "points": "9", "note": "支委分工明确",
                                "year": YEAR})
    assert response.status_code == 302
    html = rated.get(url).content.decode()
    assert "支委分工明确" in html and "考评评分" in html


def test_api_scores_an_inspector_criterion_and_refuses_bad_points(rated, world, scheme):
    c = inspector_criteria(scheme)[1]
    url = f"/api/stars/ratings/{world.branches['B'].pk}/scores"
    bad = rated.post(url, json.dumps({"year": YEAR, "criterion": c.pk, "points": "abc"}), content_type="application/json")
    assert bad.status_code == 400 and "得分须为数字" in bad.json()["errors"]["points"][0]
    ok = rated.post(url, json.dumps({"year": YEAR, "criterion": c.pk, "points": "7.5", "note": "记录齐全"}),
                    content_type="application/json")
    assert ok.status_code == 200
    body = ok.json()
    line = next(s for s in body["scores"] if s["criterion"] == c.pk)
    assert (float(line["points"]), line["note"]) == (7.5, "记录齐全")
    detail = rated.get(f"/api/stars/ratings/{world.branches['B'].pk}?year={YEAR}").json()
    meetings = next(s for s in detail["scores"] if s["source"] == "meetings")
    assert "summary" in meetings["evidence"]


def test_a_branch_secretary_sees_their_own_branch_only_and_cannot_score(rated, world, secretary_a, scheme, client):
    client.force_login(secretary_a)
    html = client.get(f"/stars/?year={YEAR}").content.decode()
    assert "网格A党支部" in html and "网格B党支部" not in html and "全部重新计算" not in html
    own = client.get(f"/stars/b/{world.branches['A'].pk}/?year={YEAR}")
    assert own.status_code == 200 and 'name="points"' not in own.content.decode()
    assert client.get(f"/stars/b/{world.branches['B'].pk}/?year={YEAR}").status_code == 404
    assert client.get(f"/api/stars/ratings/{world.branches['B'].pk}?year={YEAR}").status_code == 404
    # the property company's branch sits in grid A too: the grid's secretary sees both
    assert {r["name"] for r in client.get(f"/api/stars/ratings?year={YEAR}").json()} == {"网格A党支部", "阳光物业党支部"}
    c = inspector_criteria(scheme)[0]
    assert client.post(f"/stars/b/{world.branches['A'].pk}/", {"action": "score", "criterion": c.pk, "points": "9",
                                                                "year": YEAR}).status_code == 404
    response = client.post(f"/api/stars/ratings/{world.branches['A'].pk}/scores",
                           json.dumps({"year": YEAR, "criterion": c.pk, "points": "9"}), content_type="application/json")
    assert response.status_code == 404


def test_people_without_a_role_get_no_table(world, client_as):
    assert client_as(world.tree.user("nobody")).get("/stars/").status_code == 403


def test_export_opens_with_openpyxl(rated, world):
    response = rated.get(f"/stars/export.xlsx?year={YEAR}")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [f"{YEAR}年星级评定", "评定明细", "评定标准"]
    rows = list(book.worksheets[0].values)
    assert rows[0][:5] == ("党支部", "所在区域", "区域编码", "星级", "总分")
    assert {r[0] for r in rows[1:]} == {"网格A党支部", "网格B党支部", "网格C党支部", "网格D党支部", "阳光物业党支部"}
    assert len(list(book.worksheets[2].values)) == 12  # header + eleven criteria


def test_public_page_shows_published_stars_only(world, scheme):
    admin = world.tree.user("district_admin")
    star_ratings_compute_all(scheme=scheme, actor=admin)
    anonymous = Client()
    code = world.tree.communities[0].code
    assert "还没有发布" in anonymous.get(f"/stars/public/{code}/").content.decode()
    for rating in StarRating.objects.filter(scheme=scheme):
        for c in inspector_criteria(scheme):
            star_inspector_score(rating=rating, criterion=c, points="10", actor=admin)
    star_rating_submit(scheme=scheme, actor=admin)
    star_rating_publish(scheme=scheme, actor=admin)
    html = anonymous.get(f"/stars/public/{code}/").content.decode()
    assert "网格A党支部" in html and "网格B党支部" in html and "网格C党支部" not in html
    a = StarRating.objects.get(org=world.branches["A"], status="published")
    assert "★" * a.stars + "☆" * (5 - a.stars) in html
    assert anonymous.get("/stars/public/999999001001/").status_code == 404


def test_pages_in_english(rated, world, settings):
    rated.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = rated.get(f"/stars/?year={YEAR}").content.decode()
    assert "Party branch star rating" in html and "Basic organisation" in html and "Recompute all" in html
    html = rated.get(f"/stars/b/{world.branches['A'].pk}/?year={YEAR}").content.decode()
    assert "Ratings by year" in html and "Scored by an inspector" in html
