"""What the demo's walk (``casework``) looks up, loaded once: places, units, categories, people,
and who acts for a case — its dispatcher, its holder, the staff of its place."""

from __future__ import annotations

import random
from datetime import datetime

from grassroots.cases.models import Case, Category
from grassroots.cases.sweep import unrated_close_days
from grassroots.worktime.selectors import limits_load, overrides_load

from .caseplan import CaseRow
from .names import ZHANGWAN_STREETS


class Desk:
    """Everything the walk looks up, loaded once: places, units, categories, people, staff."""

    def __init__(self, plan, *, crew, area_ids: dict[str, int], unit_ids: dict[str, int], person_ids: list[int],
                 end: datetime):
        from grassroots.areas.models import Area
        from grassroots.orgs.models import Unit
        from grassroots.people.models import Person

        self.plan, self.crew, self.end = plan, crew, end
        self.areas = {a.code: a for a in Area.objects.exclude(level="household")}
        self.names = {a.code: a.name for a in plan.areas if a.level != "household"}
        self.grids_of: dict[str, list[str]] = {}
        for code in self.names:
            if len(code) == 15:
                self.grids_of.setdefault(code[:12], []).append(code)
        self.communities = [c for c in self.names if len(c) == 12]
        self.units = {u.name: u for u in Unit.objects.select_related("area").filter(pk__in=unit_ids.values())}
        cats = {c.pk: c for c in Category.objects.all()}
        for c in cats.values():  # parents in memory: routing walks the chain without queries
            c.parent = cats.get(c.parent_id)
        self.categories = {tuple(c.path_names()): c for c in cats.values()}
        self.duties = {d.category: d.unit for d in plan.duties}
        self.property_units: dict[str, list[str]] = {}
        for u in plan.units:
            if u.kind == "property":
                self.property_units.setdefault(u.area, []).append(u.key)
        self.departments = [u.key for u in plan.units if u.kind in ("department", "utility")]
        users = {p: uid for p, uid in Person.objects.filter(pk__in=person_ids, user__isnull=False)
                 .values_list("pk", "user_id")}
        self.person_ids = person_ids
        self.person_user = users
        self.roads = {}
        for i, (_street, _communities, roads) in enumerate(ZHANGWAN_STREETS, 1):
            self.roads[f"{plan.district_code}{i:03d}"] = roads
        self.overrides = overrides_load()
        self.limits = limits_load()
        self.unrated_days = unrated_close_days()
        self.cases: dict[int, int] = {}  # row index → case pk

    # --- who --------------------------------------------------------------------------------------

    def dispatcher(self, case: Case):
        code = case.assigned_area.code if case.assigned_area_id else case.scope_code
        code = code[:12] if len(code) >= 12 else code[:9] if len(code) >= 9 else code[:6]
        return self.crew.by_code(code)

    def holder(self, case: Case):
        if case.assigned_user_id:
            return self.crew.member
        if case.assigned_unit_id:
            return self.crew.unit.get(case.assigned_unit_id)
        return self.crew.by_code(case.assigned_area.code) if case.assigned_area_id else self.crew.district

    def place_staff(self, case: Case):
        return self.crew.grid.get(case.scope_code[:15]) if len(case.scope_code) >= 15 else None

    # --- what -------------------------------------------------------------------------------------

    def category(self, path: tuple[str, ...]) -> Category | None:
        while path and path not in self.categories:
            path = path[:-1]
        return self.categories.get(path)

    def duty_unit(self, path: tuple[str, ...]) -> str | None:
        for n in range(len(path), 0, -1):
            if path[:n] in self.duties:
                return self.duties[path[:n]]
        return None

    def places(self, row: CaseRow, rng: random.Random) -> dict[str, str]:
        grid = row.grid
        community, street = grid[:12], grid[:9]
        siblings = [c for c in self.grids_of.get(community, []) if c != grid]
        streets = [c for c in self.roads if c != street]
        roads = list(self.roads.get(street, ["人民路"]))
        rng.shuffle(roads)
        building = self.names.get(row.building, "1栋")
        return {
            "district": self.plan.district_name, "city": "十堰市", "province": "湖北省",
            "street": self.names[street], "street2": self.names[rng.choice(streets)] if streets else self.names[street],
            "community": self.names[community], "estate": self.names[grid], "building": building,
            "estate2": self.names[rng.choice(siblings)] if siblings else self.names[grid],
            "community2": self.names[rng.choice([c for c in self.communities if c != community])],
            "road": roads[0], "road2": roads[1 % len(roads)], "road3": roads[2 % len(roads)],
            "reply_date": "", "phone": f"{rng.randint(0, 9999999):07d}", "year": str(row.at.year),
        }
