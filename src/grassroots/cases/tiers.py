"""分级响应: which tier a new case starts at, and which team (grid, community, street) owns it there.

需求收集在楼院、小事协商在网格、大事解决在社区、难事化解在街道、专业事项到部门. The tier comes from the
``TierRule`` table (category and urgency, most specific rule wins); the team is the area at that
tier that contains the case. A case whose place is known only to the district — or a department
matter — is owned by the street above it, and with no street at all by the district (兜底).
"""

from __future__ import annotations

from dataclasses import dataclass

from grassroots.areas.geo import team_area
from grassroots.areas.models import Area
from grassroots.core.memo import memoized

from .models import Category, Tier, TierRule

# The length of the area code of the team that owns a case at each tier.
TEAM_CODE_LENGTH = {
    Tier.BUILDING: 15,  # no staff at the building: the grid team collects it
    Tier.GRID: 15,
    Tier.COMMUNITY: 12,
    Tier.STREET: 9,
    Tier.DEPARTMENT: 9,  # the street dispatches to the department (吹哨 or 派单)
}


@dataclass(frozen=True)
class Route:
    tier: str
    team: Area | None  # None: only the district is known; the district's dispatchers own it
    rule: str  # why, for the timeline


def _parents() -> dict[int, int | None]:
    return dict(Category.objects.values_list("pk", "parent_id"))


def _rules() -> dict[tuple[int | None, str], tuple[str, str]]:
    """(category id, urgency) → (tier, why) for every rule."""
    return {(r.category_id, r.urgency): (r.tier, f"{r}（{r.note}）" if r.note else str(r))
            for r in TierRule.objects.select_related("category")}


def _ancestors(category: Category | None) -> list[int | None]:
    """The category's id, its parents' ids, then None (the rule for every category)."""
    parents = memoized("cases.category_parents", _parents)
    ids: list[int | None] = []
    node = category.pk if category is not None else None
    while node is not None:
        ids.append(node)
        node = parents.get(node)
    return [*ids, None]


def tier_for(*, category: Category | None, urgency: str) -> tuple[str, str]:
    """(tier, why): the most specific rule — deepest category first, then a rule for this urgency
    before one for any urgency. Without any rule: the street (兜底). The rules and the category tree
    are small and read for every new case, so they are kept in memory for a few seconds (core/memo.py)."""
    rules = memoized("cases.tier_rules", _rules)
    for category_id in _ancestors(category):
        for u in (urgency, ""):
            found = rules.get((category_id, u))
            if found is not None:
                return found
    return Tier.STREET, "无适用规则，由街道兜底"


def team_for(*, area: Area | None, tier: str) -> Area | None:
    """The team at ``tier`` above ``area``, or the most local team there is when the place is coarser."""
    if area is None:
        return None
    length = TEAM_CODE_LENGTH[tier]
    code = area.code[:length]
    if code == area.code:
        return area
    return team_area(code)


def route_for(*, area: Area | None, category: Category | None, urgency: str, tier: str = "") -> Route:
    """The tier (given, or by the rules) and the owning team of a new case."""
    why = "指定层级"
    if not tier:
        tier, why = tier_for(category=category, urgency=urgency)
    if area is None and tier in (Tier.BUILDING, Tier.GRID, Tier.COMMUNITY):
        tier, why = Tier.STREET, "未能确定地点，由街道兜底"
    return Route(tier=tier, team=team_for(area=area, tier=tier), rule=why)
