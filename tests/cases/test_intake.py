"""Every channel comes in through case_receive: the 分级响应 rules pick the tier and the owning team,
and a double submit (the same form key, or the same hotline id) creates one case."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from grassroots.cases.models import Case, CaseEvent, Category, Channel, Tier, TierRule
from grassroots.cases.services import case_receive
from grassroots.cases.taxonomy import DEFAULT_TIER_RULES, category_code_by_path
from grassroots.cases.tiers import route_for, tier_for

CODES = category_code_by_path()


def category(*names: str) -> Category:
    return Category.objects.get(code=CODES[names])


def receive(tree, **kwargs):
    values = {"title": "楼道灯不亮", "body": "3栋2单元楼道灯坏了一周。", "channel": Channel.RESIDENT_WEB,
              "area": tree.grid("A")}
    values.update(kwargs)
    return case_receive(**values)


def test_default_rules_are_seeded_for_every_path(db):
    assert TierRule.objects.count() == len(DEFAULT_TIER_RULES)
    assert TierRule.objects.get(category__isnull=True, urgency="").tier == Tier.GRID


@pytest.mark.parametrize(("names", "urgency", "tier"), [
    ((), "general", Tier.GRID),  # no category: 小事协商在网格
    (("城乡建设", "住房保障与房地产", "物业服务"), "general", Tier.GRID),  # deeper rule beats its parent
    (("城乡建设", "住房保障与房地产", "房屋租赁"), "general", Tier.COMMUNITY),  # inherits the second level
    (("城乡建设", "城乡规划", "违章建筑"), "general", Tier.STREET),
    (("交通运输", "出租车管理", "运价监管"), "general", Tier.DEPARTMENT),
    (("城乡建设", "住房保障与房地产", "物业服务"), "utility", Tier.GRID),  # category rule for any urgency wins
    ((), "utility", Tier.DEPARTMENT),
    ((), "emergency", Tier.STREET),
])
def test_most_specific_rule_wins(db, names, urgency, tier):
    cat = category(*names) if names else None
    assert tier_for(category=cat, urgency=urgency)[0] == tier


def test_team_is_the_area_at_the_tier(tree):
    grid = tree.grid("A")
    building = tree.buildings[0]
    assert route_for(area=building, category=None, urgency="general").team == grid
    assert route_for(area=grid, category=None, urgency="complex").team == tree.streets[0]
    assert route_for(area=grid, category=None, urgency="utility").team == tree.streets[0]
    assert route_for(area=grid, category=None, urgency="general", tier=Tier.COMMUNITY).team == tree.communities[0]
    # Only the district is known: the street tier, owned by the district's dispatchers (兜底).
    nowhere = route_for(area=None, category=None, urgency="general")
    assert nowhere.tier == Tier.STREET and nowhere.team is None and "兜底" in nowhere.rule


def test_rule_edits_take_effect(tree):
    rule = TierRule.objects.get(category__isnull=True, urgency="")
    rule.tier = Tier.COMMUNITY
    rule.save()  # (as the admin does: the in-memory copy is dropped at once)
    case, _ = receive(tree)
    assert case.tier == Tier.COMMUNITY and case.assigned_area == tree.communities[0]
    TierRule.objects.all().delete()
    case, _ = receive(tree, title="另一件事")
    assert case.tier == Tier.STREET and case.assigned_area == tree.streets[0]


def test_first_event_records_the_route(tree):
    case, created = receive(tree, urgency="complex")
    assert created and case.tier == Tier.STREET and case.assigned_area == tree.streets[0]
    event = CaseEvent.objects.get(case=case)
    assert event.data["tier"] == "street" and event.data["to_name"] == tree.streets[0].name
    assert "难事化解在街道" in event.data["rule"]
    assert case.first_deadline == case.deadline is not None


def test_same_intake_key_twice_creates_one_case(tree):
    first, created = receive(tree, intake_key="form-7f3a")
    again, created_again = receive(tree, intake_key="form-7f3a", title="改了标题也一样")
    assert created and not created_again and again.pk == first.pk
    assert Case.objects.count() == 1 and CaseEvent.objects.count() == 1


def test_hotline_id_is_unique_per_district_and_source(tree):
    a, _ = receive(tree, channel=Channel.HOTLINE, external_source="12345", external_id="GD2026-0001",
                   area=None, district_code=tree.district.code)
    b, created = receive(tree, channel=Channel.HOTLINE, external_source="12345", external_id="GD2026-0001",
                         area=None, district_code=tree.district.code)
    assert not created and a.pk == b.pk
    c, created = receive(tree, channel=Channel.API, external_source="市城管系统", external_id="GD2026-0001",
                         area=None, district_code=tree.district.code)
    assert created and c.pk != a.pk


def test_overlong_keys_and_address_are_refused(tree):
    with pytest.raises(ValidationError) as err:
        receive(tree, address="地" * 201)
    assert "地址不能超过200个字" in str(err.value)
    with pytest.raises(ValidationError):
        receive(tree, intake_key="k" * 65)
    assert Case.objects.count() == 0


def test_hotline_call_time_starts_the_limit_and_its_own_deadline_is_kept(tree):
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    sh = ZoneInfo("Asia/Shanghai")
    called = datetime(2026, 9, 30, 16, 0, tzinfo=sh)  # before National Day: due 15 Oct 17:30
    case, _ = receive(tree, channel=Channel.HOTLINE, external_source="12345", external_id="A1", received_at=called)
    assert case.deadline_started_at == called
    assert timezone.localtime(case.deadline) == datetime(2026, 10, 15, 17, 30, tzinfo=sh)
    assert CaseEvent.objects.get(case=case).data["received_at"].startswith("2026-09-30T")
    own = timezone.now() + timedelta(days=3)
    case, _ = receive(tree, channel=Channel.HOTLINE, external_source="12345", external_id="A2", deadline=own)
    assert case.deadline == case.first_deadline == own
    with pytest.raises(ValidationError, match="不能晚于现在"):
        receive(tree, external_id="A3", external_source="12345", received_at=timezone.now() + timedelta(days=1))
    with pytest.raises(ValidationError, match="应晚于受理时间"):
        receive(tree, external_id="A4", external_source="12345", received_at=called, deadline=called)


def test_likes_belong_to_the_case_and_a_newer_count_replaces_the_old(tree):
    """A message board's votes come in with the case; a later count replaces them (audited when a
    count changes), and a bad count saves nothing."""
    from grassroots.cases.services import case_likes_update
    from grassroots.core.models import AuditEntry

    case, created = receive(tree, likes=7, dislikes=1, external_source="board", external_id="m1")
    assert created and (case.likes, case.dislikes) == (7, 1)
    case_likes_update(case=case, likes=9, actor=None)
    case.refresh_from_db()
    assert (case.likes, case.dislikes) == (9, 1)
    assert AuditEntry.objects.filter(action="case.likes", object_id=str(case.pk)).count() == 1
    case_likes_update(case=case, likes=9, dislikes=None)  # nothing new: nothing written
    assert AuditEntry.objects.filter(action="case.likes").count() == 1
    for bad in (-1, 1.5, True, "3"):
        with pytest.raises(ValidationError):
            receive(tree, likes=bad, external_source="board", external_id=f"bad-{bad}")
        with pytest.raises(ValidationError):
            case_likes_update(case=case, likes=bad)
    assert Case.objects.count() == 1 and Case.objects.get().likes == 9


def test_the_callers_rows_commit_with_the_case_or_not_at_all(tree):
    """``also=``: a channel's own rows (a receipt, photos) are written in the case's transaction."""
    seen = []
    case, created = receive(tree, intake_key="also-1", also=seen.append)
    assert created and seen == [case]

    def broken(case):
        CaseEvent.objects.filter(case=case).count()  # the case is there, inside the transaction
        raise ValidationError({"photos": ["照片无法保存"]})

    before = Case.objects.count()
    with pytest.raises(ValidationError):
        receive(tree, intake_key="also-2", also=broken)
    assert Case.objects.count() == before  # nothing of the failed submit is left
    assert not Case.objects.filter(intake_key="also-2").exists()
    again, created = receive(tree, intake_key="also-1", also=seen.append)
    assert again == case and not created and seen == [case]  # a repeat submit calls nothing again
