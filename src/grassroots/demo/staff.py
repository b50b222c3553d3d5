"""The staff who work the demo's cases: one account per grid, community, street and unit.

The demo accounts (``accounts.py``) are the staff of their own places (``grid`` works 阳光栖谷小区,
``community`` 阳光社区, ``street`` 汉江路街道, ``dept`` 张湾区住建局, ``district`` the district);
every other place and unit gets a generated account ``demo.<role>.<code>`` with the same password,
so any grid's or unit's queue can be opened by logging in as its worker:

    demo.gw.420303002003004   网格员 of that grid          demo.cw.420303002003   社区工作者
    demo.sa.420303002         街道管理员                   demo.uh.<n>            单位经办人 (n: unit no.)

Grid workers carry the name of the plan's grid worker of that grid and are linked to that Person.
``flush_demo`` removes every ``demo.`` account.
"""

from __future__ import annotations

from dataclasses import dataclass, field

STAFF_PREFIX = "demo."


@dataclass
class Crew:
    """The acting users, by the place or unit they work for (all with their scope cached)."""

    grid: dict[str, object] = field(default_factory=dict)  # grid code → grid worker
    community: dict[str, object] = field(default_factory=dict)  # community code → community worker
    street: dict[str, object] = field(default_factory=dict)  # street code → street admin
    district: object | None = None
    unit: dict[int, object] = field(default_factory=dict)  # unit pk → handler
    extra_grid_staff: dict[str, object] = field(default_factory=dict)  # grid code → a second handler
    resident: object | None = None
    member: object | None = None  # the Party member who takes cases personally (demo account "member")

    def by_code(self, code: str):
        """The team member at an area code: grid (15), community (12), street (9), district (6)."""
        return {15: self.grid, 12: self.community, 9: self.street}.get(len(code), {}).get(code) \
            if len(code) != 6 else self.district


def create_crew(plan, *, area_ids: dict[str, int], unit_ids: dict[str, int], person_ids: list[int],
                demo_users: dict[str, object], password: str) -> Crew:
    """Accounts and roles for every grid, community, street and the units that handle cases."""
    from grassroots.accounts.models import Role, RoleAssignment, User
    from grassroots.people.models import Person

    from .accounts import account_places
    from .people import pick_name
    from .plan import rng_for

    rng = rng_for(plan.seed, "crew")
    places = account_places(plan)
    crew = Crew(district=demo_users.get("district"), resident=demo_users.get("resident"),
                member=demo_users.get("member"))
    own = {places["grid"]: ("grid", crew.grid), places["community"]: ("community", crew.community),
           places["street"]: ("street", crew.street)}
    for code, (username, bucket) in own.items():
        if username in demo_users:
            bucket[code] = demo_users[username]
    if "gridleader" in demo_users:
        crew.extra_grid_staff[places["grid"]] = demo_users["gridleader"]

    worker_of = {s.grid: s.person for s in plan.staff if s.role == "grid_worker"}
    todo: list[tuple[object, str, dict, str | None, int | None]] = []  # user, role, place kwargs, bucket key
    for area in plan.areas:
        kind = {"grid": ("gw", Role.GRID_WORKER, crew.grid), "community": ("cw", Role.COMMUNITY_WORKER,
                crew.community), "street": ("sa", Role.STREET_ADMIN, crew.street)}.get(area.level)
        if kind is None or area.code in kind[2]:
            continue
        tag, role, bucket = kind
        person = worker_of.get(area.code) if area.level == "grid" else None
        name = plan.persons[person].name if person is not None else pick_name(rng)
        user = User(username=f"{STAFF_PREFIX}{tag}.{area.code}", password=password, display_name=name)
        todo.append((user, role, {"area_id": area_ids[area.code]}, (bucket, area.code), person))
    for n, unit in enumerate(plan.units):
        if unit.kind not in ("department", "utility", "property"):
            continue
        pk = unit_ids[unit.key]
        if unit.key == places["unit"] and "dept" in demo_users:
            crew.unit[pk] = demo_users["dept"]
            continue
        user = User(username=f"{STAFF_PREFIX}uh.{n}", password=password, display_name=unit.contact or pick_name(rng))
        todo.append((user, Role.DEPARTMENT_HANDLER, {"unit_id": pk}, (crew.unit, pk), None))

    users = User.objects.bulk_create([t[0] for t in todo], batch_size=500)
    RoleAssignment.objects.bulk_create(
        [RoleAssignment(user=u, role=role, **where) for u, (_u, role, where, _b, _p) in zip(users, todo, strict=True)],
        batch_size=500)
    linked = []
    for user, (_u, _r, _w, (bucket, key), person) in zip(users, todo, strict=True):
        bucket[key] = user
        if person is not None:
            linked.append((person_ids[person], user.pk))
    for person_pk, user_pk in linked:
        Person.objects.filter(pk=person_pk, user__isnull=True).update(user_id=user_pk)
    return crew  # the walk keeps using these objects, so each user's scope is computed once
