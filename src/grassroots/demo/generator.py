"""``build_plan``: the whole demo district in memory, then the five-level Party structure over it.

    plan = build_plan(scale="zhangwan", seed=1)          # pure, deterministic, no database
    plan.counts()["areas"]["grid"] == 335
"""

from __future__ import annotations

from . import names
from .people import build_people, pick_name
from .plan import PEOPLE_LEVELS, SCALES, OrgRow, Plan, build_places, build_units, org_key, rng_for

DEFAULT_SEED = 20201225  # the day the Zhangwan article was published


def build_plan(scale: str = "zhangwan", seed: int = DEFAULT_SEED, people: str | None = None) -> Plan:
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; choose from {', '.join(SCALES)}")
    config = SCALES[scale]
    people = people or config.default_people
    if people not in PEOPLE_LEVELS:
        raise ValueError(f"unknown people level {people!r}; choose from {', '.join(PEOPLE_LEVELS)}")
    plan = Plan(scale=scale, seed=seed, people=people, district_code=config.district_code,
                district_name=config.district_name)
    build_places(plan, config, seed)
    build_units(plan, config, seed, pick_name)
    build_people(plan, config, seed)
    build_orgs(plan, seed)
    return plan


def build_orgs(plan: Plan, seed: int) -> None:
    """街道党工委 → 社区大党委 → 网格(小区)党支部 → 楼栋党小组 → 党员中心户.

    Branch secretaries and building group leaders are Party members living there when there are
    any (retired members first: the documents' "退休干部当起了小区党支部书记"); member households
    are households of Party members, a few per ten buildings.
    """
    rng = rng_for(seed, "orgs")
    members_by_grid: dict[str, list[int]] = {}
    members_by_building: dict[str, list[int]] = {}
    member_households: dict[str, int] = {}
    home = {r.person: r.household for r in plan.residents}
    for m in sorted(plan.members, key=lambda m: m.in_service):  # retired/without post first
        household = home[m.person]
        members_by_grid.setdefault(household[:15], []).append(m.person)
        members_by_building.setdefault(household[:18], []).append(m.person)
        member_households.setdefault(household, m.person)

    def member_name(pool: list[int] | None) -> str:
        return plan.persons[pool[0]].name if pool else pick_name(rng)

    known_branches = names.ZHANGWAN_KNOWN_BRANCHES if plan.scale == "zhangwan" else {}
    known_secretaries = names.ZHANGWAN_KNOWN_SECRETARIES if plan.scale == "zhangwan" else {}
    grid_names: dict[str, str] = {}
    community_names = {a.code: a.name for a in plan.areas if a.level == "community"}
    for area in plan.areas:
        if area.level == "street":
            plan.orgs.append(OrgRow(org_key("street_committee", area.code), f"{area.name}党工委",
                                    "street_committee", area.code, None, pick_name(rng)))
        elif area.level == "community":
            plan.orgs.append(OrgRow(
                org_key("community_committee", area.code), f"{area.name}大党委", "community_committee",
                area.code, org_key("street_committee", area.parent),
                known_secretaries.get(area.name) or pick_name(rng)))
        elif area.level == "grid":
            label = area.name if plan.scale == "zhangwan" else f"{community_names[area.parent]}{area.name}"
            name, secretary = known_branches.get(area.name, (f"{label}党支部", ""))
            grid_names[area.code] = label
            plan.orgs.append(OrgRow(
                org_key("grid_branch", area.code), name, "grid_branch", area.code,
                org_key("community_committee", area.parent),
                secretary or member_name(members_by_grid.get(area.code))))
        elif area.level == "building":
            plan.orgs.append(OrgRow(
                org_key("building_group", area.code), f"{grid_names[area.parent]}{area.name}党小组",
                "building_group", area.code, org_key("grid_branch", area.parent),
                member_name(members_by_building.get(area.code))))
    n_buildings = sum(1 for a in plan.areas if a.level == "building")
    chosen = sorted(rng.sample(sorted(member_households), min(len(member_households), round(n_buildings * 0.3))))
    door = {a.code: a.name for a in plan.areas if a.level == "household"}
    building_name = {a.code: a.name for a in plan.areas if a.level == "building"}
    for household in chosen:
        bcode = household[:18]
        plan.orgs.append(OrgRow(
            org_key("member_household", household),
            f"{grid_names[household[:15]]}{building_name[bcode]}{door[household]}党员中心户",
            "member_household", household, org_key("building_group", bcode),
            plan.persons[member_households[household]].name))

