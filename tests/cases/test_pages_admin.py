"""The Chinese admin: 分级响应规则 are editable; a case shows its whistle tasks read-only."""

from __future__ import annotations

from grassroots.cases import services as svc
from grassroots.cases.models import Category, TierRule, WhistleTask


def test_tier_rules_are_listed_and_editable_in_chinese(client_as, tree):
    client = client_as(tree.user("root"))
    html = client.get("/admin/cases/tierrule/").content.decode()
    assert "分级响应规则" in html and "小事协商在网格" in html and "任意" in html
    category = Category.objects.get(code="01")
    response = client.post("/admin/cases/tierrule/add/", {"category": category.pk, "urgency": "general",
                                                          "tier": "community", "note": "测试规则"})
    assert response.status_code == 302, response.content.decode()[:2000]
    rule = TierRule.objects.get(note="测试规则")
    assert rule.category == category and rule.tier == "community"
    response = client.post(f"/admin/cases/tierrule/{rule.pk}/change/", {"category": category.pk, "urgency": "general",
                                                                         "tier": "street", "note": "测试规则"})
    rule.refresh_from_db()
    assert response.status_code == 302 and rule.tier == "street"


def test_a_duplicate_tier_rule_is_refused(client_as, tree):
    client = client_as(tree.user("root"))
    existing = TierRule.objects.filter(category__isnull=False).first()
    response = client.post("/admin/cases/tierrule/add/", {"category": existing.category_id,
                                                          "urgency": existing.urgency, "tier": "street"})
    assert response.status_code == 200 and TierRule.objects.filter(category=existing.category,
                                                                   urgency=existing.urgency).count() == 1


def test_case_admin_shows_whistle_tasks_read_only(client_as, tree, new_case):
    case = new_case("A")
    svc.case_accept(case=case, actor=tree.user("root"))
    svc.case_whistle(case=case, lead=tree.units["dept"], actor=tree.user("root"), note="更换线路")
    assert WhistleTask.objects.filter(case=case).count() == 1
    html = client_as(tree.user("root")).get(f"/admin/cases/case/{case.pk}/change/").content.decode()
    assert "吹哨任务" in html and "区住建局" in html and "更换线路" in html
    assert 'name="whistle_tasks-0-task"' not in html  # read-only: no inputs
