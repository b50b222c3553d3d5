"""The demo district as plain Python rows: a pure function of (scale, seed), no database access.

``build_plan(scale="zhangwan", seed=1)`` returns a :class:`Plan`; ``loader.load_plan`` writes it.
Keeping the plan separate makes determinism cheap to test (compare two plans) and the loader dumb.
Rows refer to each other by stable keys: areas by code, Party orgs by ``"<level>:<area code>"``,
units by name, people by their index in ``Plan.persons``.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from . import names
from .geometry import Rect, allocate, points_inside, rect_around, tile

REFERENCE_DATE = date(2025, 1, 1)  # "today" for ages, so a seed gives the same data every day


@dataclass(frozen=True)
class Scale:
    key: str
    district_code: str
    district_name: str
    unit_prefix: str  # prefix of department/utility names
    center: tuple[float, float]  # lng, lat
    size: tuple[float, float]  # degrees of longitude, latitude
    communities: int
    grids: int
    buildings: int
    cobuild: int
    default_people: str
    in_service: int | None = None  # exact count (else a share of working-age residents)


SCALES = {
    "zhangwan": Scale("zhangwan", "420303", "张湾区", "张湾区", (110.78, 32.65), (0.16, 0.10),
                      34, 335, 1077, 84, "full", in_service=2497),
    "changchun": Scale("changchun", "220100", "长春市", "长春市", (125.32, 43.88), (0.40, 0.28),
                       437, 2995, 2 * 2995, 220, "light"),
}
PEOPLE_LEVELS = ("full", "light", "none")


@dataclass
class AreaRow:
    code: str
    name: str
    level: str
    parent: str | None
    boundary: dict | None = None
    lat: float | None = None
    lng: float | None = None
    address: str = ""


@dataclass
class OrgRow:
    key: str
    name: str
    level: str
    area: str
    parent: str | None
    secretary: str = ""


@dataclass
class UnitRow:
    key: str  # = name (unique in the district)
    kind: str
    area: str
    contact: str = ""
    contact_phone_masked: str = ""
    address: str = ""
    credit_code: str = ""
    party_org: str | None = None


@dataclass
class SeatRow:
    unit: str
    committee: str
    holder: str
    title: str


@dataclass
class DutyRow:
    unit: str
    category: tuple[str, ...]
    area: str
    note: str


@dataclass
class PersonRow:
    name: str
    gender: str
    birth: date
    id_number: str
    phone: str


@dataclass
class ResidentRow:
    person: int
    household: str
    relation: str
    care_tags: list[str]
    moved_in: date


@dataclass
class MemberRow:
    person: int
    org: str
    employer: str | None
    in_service: bool
    joined_on: date


@dataclass
class StaffRow:
    person: int
    grid: str
    role: str


@dataclass
class VolunteerRow:
    person: int
    area: str
    skills: str
    team: str


@dataclass
class Plan:
    scale: str
    seed: int
    people: str
    district_code: str
    district_name: str
    areas: list[AreaRow] = field(default_factory=list)
    orgs: list[OrgRow] = field(default_factory=list)
    units: list[UnitRow] = field(default_factory=list)
    seats: list[SeatRow] = field(default_factory=list)
    duties: list[DutyRow] = field(default_factory=list)
    persons: list[PersonRow] = field(default_factory=list)
    residents: list[ResidentRow] = field(default_factory=list)
    members: list[MemberRow] = field(default_factory=list)
    staff: list[StaffRow] = field(default_factory=list)
    volunteers: list[VolunteerRow] = field(default_factory=list)

    def at_level(self, level: str) -> list[AreaRow]:
        return [a for a in self.areas if a.level == level]

    def counts(self) -> dict:
        return {
            "areas": dict(Counter(a.level for a in self.areas)),
            "party_orgs": dict(Counter(o.level for o in self.orgs)),
            "units": dict(Counter(u.kind for u in self.units)),
            "committee_seats": len(self.seats),
            "duties": len(self.duties),
            "persons": len(self.persons),
            "residents": len(self.residents),
            "party_members": len(self.members),
            "in_service_party_members": sum(m.in_service for m in self.members),
            "grid_staff": len(self.staff),
            "volunteers": len(self.volunteers),
        }


def org_key(level: str, area_code: str) -> str:
    return f"{level}:{area_code}"


def rng_for(seed: int, part: str) -> random.Random:
    """One generator per part of the plan, so changing one part leaves the others as they were."""
    return random.Random(f"grassroots-demo:{seed}:{part}")


# --- places --------------------------------------------------------------------------------------

def _street_layout(scale: Scale, rng: random.Random) -> list[tuple[str, list[str], list[str]]]:
    if scale.key == "zhangwan":
        return names.ZHANGWAN_STREETS
    streets = names.CHANGCHUN_STREETS
    counts = allocate(scale.communities, [rng.uniform(0.6, 1.4) for _ in streets], minimum=4)
    prefixes, suffixes = names.CHANGCHUN_COMMUNITY_PARTS
    pool = [p + s for s in suffixes for p in prefixes]
    rng.shuffle(pool)
    layout, i = [], 0
    for street, n in zip(streets, counts, strict=True):
        base = street.removesuffix("街道")
        layout.append((street, pool[i:i + n], [f"{base}路", f"{base}大街", f"{base}南街"]))
        i += n
    return layout


def _compound_names(scale: Scale, community: str, n: int, taken: set[str], rng: random.Random) -> list[str]:
    if scale.key != "zhangwan":
        return [f"第{i + 1}网格" for i in range(n)]
    out = [g for g in names.ZHANGWAN_KNOWN_GRIDS.get(community, [])][:n]
    local = community.removesuffix("社区")
    while len(out) < n:
        style, suffix = rng.random(), rng.choice(names.COMPOUND_SUFFIXES)
        if style < 0.4:
            name = local + suffix
        elif style < 0.85:
            brand = rng.choice(names.COMPOUND_BRANDS)
            if set(brand) & set(suffix):  # no 御景丽景, 馨苑名苑
                continue
            name = brand + suffix
        else:
            name = "东风" + rng.choice(names.DONGFENG_PLANTS) + rng.choice(names.DONGFENG_QUARTERS)
        if name.endswith(("东区", "西区", "南区", "北区", "一期", "二期")):
            name = name[:-2] + "小区" + name[-2:]
        if name not in taken and name not in out:
            out.append(name)
    taken.update(out)
    return out


def _door_numbers(n: int, rng: random.Random) -> list[str]:
    """``n`` door numbers like 3单元502室: units of two flats per floor, filled unit by unit."""
    units = 1 if n <= 10 else rng.choice([2, 2, 3])
    per_unit = -(-n // units)
    floors = -(-per_unit // 2)
    doors = [f"{u}单元{f}{r:02d}室" for u in range(1, units + 1)
             for f in range(1, floors + 1) for r in (1, 2)]
    return doors[:n]


def build_places(plan: Plan, scale: Scale, seed: int) -> None:
    rng = rng_for(seed, "places")
    dc = scale.district_code
    district_rect = rect_around(*scale.center, *scale.size)
    lng, lat = district_rect.center
    plan.areas.append(AreaRow(dc, scale.district_name, "district", None, district_rect.geojson(), lat, lng))
    layout = _street_layout(scale, rng)
    weights = [rng.uniform(0.6, 1.6) for _ in range(scale.communities)]
    community_grids = allocate(scale.grids, weights, minimum=3)
    grid_buildings = allocate(scale.buildings, [rng.lognormvariate(0, 0.5) for _ in range(scale.grids)], 1)
    street_weights, ci = [], 0
    for _street, communities, _roads in layout:
        street_weights.append(sum(community_grids[ci:ci + len(communities)]))
        ci += len(communities)
    street_rects = tile(district_rect, street_weights)
    ci = gi = 0
    taken: set[str] = set()
    for s, ((street, communities, roads), srect) in enumerate(zip(layout, street_rects, strict=True), 1):
        scode = f"{dc}{s:03d}"
        _area(plan, scode, street, "street", dc, srect)
        crects = tile(srect, [community_grids[ci + k] for k in range(len(communities))])
        for c, (community, crect) in enumerate(zip(communities, crects, strict=True), 1):
            ccode = f"{scode}{c:03d}"
            _area(plan, ccode, community, "community", scode, crect,
                  address=f"{rng.choice(roads)}{rng.randint(1, 199)}号")
            n_grids = community_grids[ci]
            ci += 1
            bcounts = grid_buildings[gi:gi + n_grids]
            gi += n_grids
            grects = tile(crect, [b + 1 for b in bcounts])
            gnames = _compound_names(scale, community, n_grids, taken, rng)
            for g, (gname, grect, nb) in enumerate(zip(gnames, grects, bcounts, strict=True), 1):
                gcode = f"{ccode}{g:03d}"
                road = rng.choice(roads)
                gaddr = names.ZHANGWAN_KNOWN_ADDRESSES.get(gname) or f"{road}{rng.randint(1, 299)}号"
                _area(plan, gcode, gname, "grid", ccode, grect, address=gaddr)
                _buildings(plan, gcode, gname, gaddr, grect, nb, rng)


def _area(plan: Plan, code: str, name: str, level: str, parent: str, rect: Rect, address: str = "") -> None:
    lng, lat = rect.center
    plan.areas.append(AreaRow(code, name, level, parent, rect.geojson(), lat, lng, address))


def _buildings(plan: Plan, gcode: str, gname: str, gaddr: str, rect: Rect, n: int,
               rng: random.Random) -> None:
    for b, (lng, lat) in enumerate(points_inside(rect, n, rng), 1):
        bcode = f"{gcode}{b:03d}"
        bname = f"{b}栋"
        plan.areas.append(AreaRow(bcode, bname, "building", gcode, None, lat, lng, f"{gaddr}{gname}{bname}"))
        if plan.people == "none":
            continue
        households = rng.randint(8, 16) if plan.people == "full" else 4
        for h, door in enumerate(_door_numbers(households, rng), 1):
            plan.areas.append(AreaRow(f"{bcode}{h:04d}", door, "household", bcode))


# --- units ---------------------------------------------------------------------------------------

_CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def credit_code(district_code: str, rng: random.Random, kind: str = "91") -> str:
    """A unified social credit code (GB 32100) with valid check characters."""
    body = "".join(rng.choice("0123456789") for _ in range(8))
    org_check = 11 - sum(int(d) * w for d, w in zip(body, _ORG_WEIGHTS, strict=True)) % 11
    body += {10: "X", 11: "0"}.get(org_check, str(org_check))
    first17 = kind + district_code + body.replace("X", "9" if rng.random() < 0.5 else "8")
    total = sum(_CREDIT_CHARS.index(ch) * w for ch, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return first17 + _CREDIT_CHARS[(31 - total % 31) % 31]


def _cobuild_names(scale: Scale, rng: random.Random) -> list[str]:
    if scale.key == "zhangwan":
        return list(names.ZHANGWAN_COBUILD_KNOWN[: scale.cobuild])
    reserved = {scale.unit_prefix + short for short, _ in names.DEPARTMENTS + names.UTILITIES}
    pool = [form.format(word) for form in names.CHANGCHUN_COBUILD_FORMS
            for word in names.CHANGCHUN_COBUILD_WORDS if form.format(word) not in reserved]
    rng.shuffle(pool)
    return pool[: scale.cobuild]


def _property_names(scale: Scale, n: int, rng: random.Random) -> list[str]:
    city = "十堰" if scale.key == "zhangwan" else "长春"
    pool = [form.replace("十堰", city).format(brand + extra)
            for form in names.PROPERTY_FORMS for brand in names.PROPERTY_BRANDS
            for extra in ("", "嘉", "华", "顺", "达", "兴")]
    first = pool[0]  # 十堰阳光物业服务有限公司: the red property company of 阳光栖谷小区
    rest = pool[1:]
    rng.shuffle(rest)
    return [first, *rest][:n]


def seat_titles(unit_name: str) -> list[str]:
    """Plausible titles of a unit's member in a community big Party committee (兼职委员)."""
    for words, titles in names.COBUILD_TITLES:
        if any(w in unit_name for w in words):
            return titles
    return names.COBUILD_TITLES[-1][1]


def build_units(plan: Plan, scale: Scale, seed: int, pick_name) -> None:
    rng = rng_for(seed, "units")
    dc = scale.district_code
    communities = plan.at_level("community")
    by_name = {c.name: c for c in communities}
    home = communities[:]
    rng.shuffle(home)

    def unit(name, kind, area, address=""):
        row = UnitRow(name, kind, area, contact=pick_name(rng),
                      contact_phone_masked=f"1{rng.randint(3, 9)}{rng.randint(0, 9)}****{rng.randint(0, 9999):04d}",
                      address=address, credit_code=credit_code(dc, rng, "12" if kind == "department" else "91"))
        plan.units.append(row)
        return row

    for i, name in enumerate(_cobuild_names(scale, rng)):
        community = by_name["高家湾社区"] if name == "东风公司总医院" else home[i % len(home)]
        row = unit(name, "cobuild", community.code, community.address)
        street_communities = [c for c in communities if c.code[:9] == community.code[:9] and c is not community]
        seats = [community, *rng.sample(street_communities, min(len(street_communities), rng.randint(0, 3)))]
        for c in seats:
            plan.seats.append(SeatRow(row.key, org_key("community_committee", c.code), pick_name(rng),
                                      rng.choice(seat_titles(name))))
    overrides = {**names.ZHANGWAN_DEPARTMENT_NAMES, **names.ZHANGWAN_UTILITY_NAMES} if scale.key == "zhangwan" else {}
    for kind, catalogue in (("department", names.DEPARTMENTS), ("utility", names.UTILITIES)):
        for short, paths in catalogue:
            row = unit(overrides.get(short, f"{scale.unit_prefix}{short}"), kind, dc)
            for path in paths:
                plan.duties.append(DutyRow(row.key, path, dc, f"{short}负责“{'/'.join(path)}”类诉求"))
    _property_companies(plan, scale, rng, unit)
    social = names.SOCIAL_ORGS if scale.key == "zhangwan" else [
        f"长春市{w}社会工作服务中心" for w in names.CHANGCHUN_COBUILD_WORDS[:20]]
    for name in social:
        community = next((c for c in communities if c.name in name), None)
        if community is None and name.startswith("十堰市红卫红"):
            community = by_name.get("红卫社区")
        unit(name, "social", community.code if community else dc, community.address if community else "")


def _property_companies(plan: Plan, scale: Scale, rng: random.Random, unit) -> None:
    communities = plan.at_level("community")
    grids_of: dict[str, list[AreaRow]] = {}
    for g in plan.at_level("grid"):
        if g.name != "放马坪":  # a "三无小区" without a property company
            grids_of.setdefault(g.parent, []).append(g)
    count = max(6, scale.grids // 14)
    for i, name in enumerate(_property_names(scale, count, rng)):
        community = communities[i % len(communities)]
        free = grids_of.get(community.code, [])
        if not free:
            continue
        take = 1 if i == 0 else min(len(free), rng.randint(1, 3))
        served, grids_of[community.code] = free[:take], free[take:]
        row = unit(name, "property", community.code, served[0].address)
        if i == 0 or rng.random() < 0.65:  # 红色物业: joined to the compound's Party branch (联建)
            row.party_org = org_key("grid_branch", served[0].code)
