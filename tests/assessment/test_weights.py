"""Editing the weights: only the district's administrators (and superusers), every change audited,
bad values refused with a Chinese message naming the field and nothing written."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from grassroots.assessment.models import KpiSettings
from grassroots.assessment.selectors import kpi_settings_for
from grassroots.assessment.services import kpi_settings_update
from grassroots.core.models import AuditEntry

AUDITS = AuditEntry.objects.filter(action="assessment.kpi_settings_update")
GOOD = {"response_weight": "0.2", "resolution_weight": "0.4", "satisfaction_weight": "0.4",
        "basic_factor": "0.8", "response_hours": "12"}


def update(tree, actor, **values):
    return kpi_settings_update(district_code=tree.district.code, actor=actor, **{**GOOD, **values})


def test_defaults_are_the_published_formula(tree):
    p = kpi_settings_for(tree.district.code)
    assert p.pk is None
    assert p.weights == (Decimal("0.1"), Decimal("0.5"), Decimal("0.4"))
    assert (p.basic_factor, p.response_hours) == (Decimal("0.9"), 24)
    assert p.formula_text().startswith("综合得分 = 0.1 × 响应率 + 0.5 × 解决率 + 0.4 × 满意率")


@pytest.mark.parametrize("username", ["district_admin", "root"])
def test_district_admin_and_superuser_may_edit_and_it_is_audited(tree, username):
    row = update(tree, tree.user(username))
    assert row.weights == (Decimal("0.2"), Decimal("0.4"), Decimal("0.4")) and row.response_hours == 12
    entry = AUDITS.get()
    assert entry.actor == tree.user(username) and entry.district_code == tree.district.code
    assert entry.detail["previous"]["response_weight"] == "0.100"
    assert entry.detail["new"] == {"response_weight": "0.200", "resolution_weight": "0.400",
                                   "satisfaction_weight": "0.400", "basic_factor": "0.800", "response_hours": 12}
    update(tree, tree.user(username), response_weight="0.1", resolution_weight="0.5")
    assert KpiSettings.objects.count() == 1 and AUDITS.count() == 2
    assert kpi_settings_for(tree.district.code).resolution_weight == Decimal("0.5")


@pytest.mark.parametrize("username", ["street_admin_1", "community_worker_1", "grid_worker_A", "dept_handler",
                                      "nobody"])
def test_others_may_not_edit(tree, username):
    with pytest.raises(PermissionDenied, match="只有区级管理员"):
        update(tree, tree.user(username))
    assert not KpiSettings.objects.exists() and not AUDITS.exists()


def test_an_admin_of_another_district_may_not_edit(tree):
    from grassroots.accounts.models import Role
    from grassroots.areas.services import area_create
    from tests.factories import make_user

    other = area_create(name="茅箭区", code="420302", level="district")
    admin = make_user("other_admin", Role.DISTRICT_ADMIN, area=other)
    with pytest.raises(PermissionDenied):
        update(tree, admin)
    kpi_settings_update(district_code="420302", actor=admin, **GOOD)
    assert kpi_settings_for(tree.district.code).pk is None


@pytest.mark.parametrize(("values", "field", "message"), [
    ({"response_weight": "-0.1", "resolution_weight": "0.7"}, "response_weight", "响应率权重不能为负数"),
    ({"satisfaction_weight": "abc"}, "satisfaction_weight", "满意率权重“abc”不是数字"),
    ({"resolution_weight": "1.5"}, "resolution_weight", "解决率权重不能大于1"),
    ({"resolution_weight": "0.5"}, "__all__", "三项权重之和应等于1（现为1.1）"),
    ({"resolution_weight": "0.3"}, "__all__", "三项权重之和应等于1（现为0.9）"),
    ({"response_weight": "0.1234", "resolution_weight": "0.4766"}, "response_weight", "最多保留三位小数"),
    ({"basic_factor": "1.2"}, "basic_factor", "基本满意折算系数不能大于1"),
    ({"basic_factor": "NaN"}, "basic_factor", "基本满意折算系数应为0到1之间的小数"),
    ({"response_hours": "0"}, "response_hours", "响应时限应在1到720小时之间"),
    ({"response_hours": "一天"}, "response_hours", "应为整数小时"),
])
def test_bad_values_are_refused_in_chinese_and_nothing_is_written(tree, values, field, message):
    with pytest.raises(ValidationError) as caught:
        update(tree, tree.user("district_admin"), **values)
    assert message in " ".join(caught.value.message_dict[field])
    assert not KpiSettings.objects.exists() and not AUDITS.exists()


def test_a_weight_may_be_zero(tree):
    row = update(tree, tree.user("district_admin"), response_weight="0", resolution_weight="0.6")
    assert row.response_weight == 0


# --- the page ---------------------------------------------------------------------------------------


def test_page_shows_the_formula_to_everyone_with_a_case_role(client_as, tree):
    html = client_as(tree.user("community_worker_1")).get("/assessment/weights/").content.decode()
    assert "0.1 × 响应率 + 0.5 × 解决率 + 0.4 × 满意率" in html
    assert "只有区级管理员可以修改" in html and 'name="response_weight"' not in html


def test_page_post_by_a_non_admin_is_refused(client_as, tree):
    client = client_as(tree.user("street_admin_1"))
    response = client.post("/assessment/weights/", {"district": tree.district.code, **GOOD})
    assert response.status_code == 403 and "只有区级管理员可以修改考核权重和参数" in response.content.decode()
    assert not KpiSettings.objects.exists()


def test_page_edit_errors_and_history(client_as, tree):
    client = client_as(tree.user("district_admin"))
    html = client.get("/assessment/weights/").content.decode()
    assert 'name="response_weight"' in html and 'value="0.1"' in html
    response = client.post("/assessment/weights/", {**GOOD, "district": tree.district.code,
                                                    "satisfaction_weight": "0.5"})
    html = response.content.decode()
    assert response.status_code == 400 and "三项权重之和应等于1（现为1.1）" in html
    assert 'value="0.5"' in html  # what was typed is kept for correcting
    bad = client.post("/assessment/weights/", {**GOOD, "district": tree.district.code, "response_weight": "-1",
                                               "resolution_weight": "1.5"}).content.decode()
    assert "响应率权重不能为负数" in bad and "解决率权重不能大于1" in bad and 'aria-invalid="true"' in bad
    assert not KpiSettings.objects.exists()
    response = client.post("/assessment/weights/", {**GOOD, "district": tree.district.code}, follow=True)
    html = response.content.decode()
    assert "已保存" in html and "0.2 × 响应率 + 0.4 × 解决率 + 0.4 × 满意率" in html
    assert "0.1 / 0.5 / 0.4 · 0.9 · 24h" in html and "0.2 / 0.4 / 0.4 · 0.8 · 12h" in html  # the history


def test_page_of_a_district_outside_ones_scope_is_404(client_as, tree):
    from grassroots.areas.services import area_create

    area_create(name="茅箭区", code="420302", level="district")
    client = client_as(tree.user("district_admin"))
    assert client.get("/assessment/weights/?district=420302").status_code == 404
    assert client.post("/assessment/weights/", {**GOOD, "district": "420302"}).status_code == 404
    assert client_as(tree.user("root")).get("/assessment/weights/?district=420302").status_code == 200


def test_huge_input_is_refused_with_a_message(client_as, tree):
    client = client_as(tree.user("district_admin"))
    response = client.post("/assessment/weights/", {**GOOD, "district": tree.district.code,
                                                    "response_weight": "9" * 1_000_000})
    html = response.content.decode()
    assert response.status_code == 400 and "响应率权重应为0到1之间的小数" in html
    assert len(html) < 100_000 and not KpiSettings.objects.exists()


def test_saving_the_same_values_twice_audits_once(tree):
    update(tree, tree.user("district_admin"))
    update(tree, tree.user("district_admin"))  # a double-clicked 保存
    assert AUDITS.count() == 1
