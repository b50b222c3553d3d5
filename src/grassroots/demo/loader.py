"""Writes a :class:`~grassroots.demo.plan.Plan` into the database, and removes demo data again.

The loader bypasses the one-row services for speed (``bulk_create`` in batches, one transaction)
but fills exactly what they would: ``district_code`` on every row that carries it, and the
ciphertext / blind index / mask columns of ID numbers and phones through ``Person.set_id_number``
and ``Person.set_phone``. It writes one audit row for the whole load.

Cases are the exception: ``cases=N`` creates the staff accounts that work them (``staff.py``) and
walks a year of cases through the real case services, back in time (``casework.py``).
"""

from __future__ import annotations

from django.apps import apps
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Q
from django.db.models.deletion import ProtectedError, RestrictedError

from grassroots.areas.models import LEVEL_ORDER, Area
from grassroots.cases.models import Case, Category
from grassroots.core.models import AuditEntry
from grassroots.core.services import audit_record
from grassroots.ledger.services import erase_district
from grassroots.orgs.models import URBAN_FIVE_LEVELS, CommitteeSeat, Duty, PartyOrg, Unit
from grassroots.people.models import GridStaff, PartyMember, Person, Resident, Volunteer
from grassroots.points.receivers import paused as points_paused

from .accounts import DEMO_USERNAMES, create_demo_users
from .hotspots import load_hotspots
from .plan import SCALES, Plan
from .routing import demo_routing
from .staff import STAFF_PREFIX

BATCH = 1000
DEMO_DISTRICT_CODES = tuple(sorted({s.district_code for s in SCALES.values()}))


def existing_data() -> dict[str, int]:
    """What is already in the database that a demo load would collide with or mix into."""
    from grassroots.accounts.models import User

    found = {
        "区域": Area.objects.count(),
        "人员": Person.objects.count(),
        "单位": Unit.objects.count(),
        "党组织": PartyOrg.objects.count(),
        "演示账号": User.objects.filter(Q(username__in=DEMO_USERNAMES) | Q(username__startswith=STAFF_PREFIX)).count(),
        "诉求": Case.objects.count(),
    }
    return {k: v for k, v in found.items() if v}


def _bulk(model, rows: list, batch_size: int = BATCH) -> list:
    created = model.objects.bulk_create(rows, batch_size=batch_size)
    if created and created[0].pk is None:  # every supported database returns the new keys
        raise RuntimeError(f"{model.__name__}: the database did not return primary keys")
    return created


def category_paths() -> dict[tuple[str, ...], int]:
    """(level-1 name, level-2 name, …) → Category id, for the whole taxonomy."""
    rows = {c.pk: c for c in Category.objects.all()}
    paths = {}
    for pk, c in rows.items():
        names, node = [], c
        while node is not None:
            names.append(node.name)
            node = rows.get(node.parent_id)
        paths[tuple(reversed(names))] = pk
    return paths


OPTIONAL_PARTS = ("points", "deliberation", "matching", "evaluation", "stars", "reports")


@transaction.atomic
def load_plan(plan: Plan, *, actor=None, log=None, cases: int = 0, end=None, without: frozenset = frozenset()) -> dict:
    """Write ``plan`` and, with ``cases``, that many cases over the year ending at ``end`` (an aware
    datetime, default now); returns the counts (also recorded in the audit row). ``without``: parts of
    ``OPTIONAL_PARTS`` not to load (a test that needs only the cases)."""
    log = log or (lambda msg: None)
    dc = plan.district_code
    area_ids: dict[str, int] = {}
    for level in LEVEL_ORDER:
        rows = [Area(code=a.code, name=a.name, level=a.level,
                     parent_id=area_ids[a.parent] if a.parent else None,
                     boundary=a.boundary, lat=a.lat, lng=a.lng, address=a.address)
                for a in plan.areas if a.level == level]
        area_ids.update((a.code, a.pk) for a in _bulk(Area, rows))
    log(f"区域 {len(area_ids)} 个")

    org_ids: dict[str, int] = {}
    for level in URBAN_FIVE_LEVELS:
        todo = [o for o in plan.orgs if o.level == level]
        rows = [PartyOrg(name=o.name, level=o.level, area_id=area_ids[o.area],
                         parent_id=org_ids[o.parent] if o.parent else None,
                         secretary=o.secretary, district_code=dc) for o in todo]
        org_ids.update((o.key, row.pk) for o, row in zip(todo, _bulk(PartyOrg, rows), strict=True))
    log(f"党组织 {len(org_ids)} 个")

    unit_rows = [Unit(name=u.key, kind=u.kind, area_id=area_ids[u.area],
                      party_org_id=org_ids[u.party_org] if u.party_org else None,
                      contact=u.contact, contact_phone_masked=u.contact_phone_masked,
                      address=u.address, credit_code=u.credit_code, district_code=dc)
                 for u in plan.units]
    unit_ids = {u.name: u.pk for u in _bulk(Unit, unit_rows)}
    _bulk(CommitteeSeat, [CommitteeSeat(unit_id=unit_ids[s.unit], committee_id=org_ids[s.committee],
                                        holder=s.holder, title=s.title, district_code=dc)
                          for s in plan.seats])
    paths = category_paths()
    duties = [Duty(unit_id=unit_ids[d.unit], category_id=paths[d.category], area_id=area_ids[d.area],
                   note=d.note, district_code=dc) for d in plan.duties if d.category in paths]
    _bulk(Duty, duties)
    log(f"单位 {len(unit_ids)} 个，兼职委员 {len(plan.seats)} 名，职责清单 {len(duties)} 条")

    persons = []
    for p in plan.persons:
        person = Person(name=p.name, district_code=dc)
        person.set_id_number(p.id_number)
        person.set_phone(p.phone)
        persons.append(person)
    person_ids = [p.pk for p in _bulk(Person, persons)]
    _bulk(Resident, [Resident(person_id=person_ids[r.person], household_id=area_ids[r.household],
                              relation=r.relation, care_tags=r.care_tags, moved_in=r.moved_in,
                              district_code=dc) for r in plan.residents])
    _bulk(PartyMember, [PartyMember(person_id=person_ids[m.person], org_id=org_ids[m.org],
                                    employer_id=unit_ids[m.employer] if m.employer else None,
                                    in_service=m.in_service, joined_on=m.joined_on, district_code=dc)
                        for m in plan.members])
    _bulk(GridStaff, [GridStaff(person_id=person_ids[s.person], grid_id=area_ids[s.grid], role=s.role,
                                district_code=dc) for s in plan.staff])
    _bulk(Volunteer, [Volunteer(person_id=person_ids[v.person], area_id=area_ids[v.area], skills=v.skills,
                                team=v.team, district_code=dc) for v in plan.volunteers])
    log(f"人员 {len(person_ids)} 名（居民 {len(plan.residents)}，党员 {len(plan.members)}，"
        f"网格人员 {len(plan.staff)}，志愿者 {len(plan.volunteers)}）")

    _analyze()
    accounts = create_demo_users(plan, area_ids=area_ids, unit_ids=unit_ids, person_ids=person_ids)
    counts = plan.counts()
    with points_paused():  # the year's events are paid afterwards, at their own times (demo/points.py)
        counts |= _load_events(plan, accounts, cases=cases, end=end, log=log, area_ids=area_ids,
                               unit_ids=unit_ids, person_ids=person_ids, without=without)
    if plan.people != "none" and "points" not in without:
        from django.utils import timezone

        from .points import load_points

        _analyze()
        counts["points"] = load_points(plan, end=end or timezone.now(), log=log)
    if "reports" not in without:  # last: a report reads what every other part wrote
        from django.utils import timezone

        from .reports import load_reports

        _analyze()
        counts["reports"] = load_reports(plan, end=end or timezone.now(), log=log)
    _analyze()  # for what reads the new district next (the stats, the first pages)
    audit_record(actor=actor, action="demo.load", object_type="areas.area", object_id=str(area_ids[dc]),
                 district_code=dc,
                 detail={"scale": plan.scale, "seed": plan.seed, "people": plan.people, "counts": counts,
                         "accounts": [a.username for a in accounts]})
    return counts


def _load_events(plan: Plan, accounts: list, *, cases: int, end, log, area_ids, unit_ids, person_ids,
                 without: frozenset = frozenset()) -> dict:
    """The demo's cases, hot problems and routing, and the people who serve."""
    dc = plan.district_code
    counts: dict = {}
    if cases > 0:
        counts["cases"] = _load_cases(plan, accounts, cases=cases, end=end, log=log, area_ids=area_ids,
                                      unit_ids=unit_ids, person_ids=person_ids)
        _analyze()
        counts["hotspots"] = load_hotspots(plan, end=end, log=log)
        counts["routing"] = demo_routing(dc, end=end, actor=accounts[0], log=log)  # trains, then routes
    if plan.people != "none":
        from django.utils import timezone

        from .serving import load_serving

        counts["serving"] = load_serving(plan, end=end or timezone.now(), log=log, cases=cases > 0)

        if "deliberation" not in without:
            from .deliberation import load_deliberation

            counts["deliberation"] = load_deliberation(plan, end=end or timezone.now(), log=log)
        if "matching" not in without:
            from .matching import load_matching

            counts["matching"] = load_matching(plan, end=end or timezone.now(), log=log)
        if "stars" not in without:
            from .stars import load_stars

            counts["stars"] = load_stars(plan, end=end or timezone.now(), log=log)
    if cases > 0 and "evaluation" not in without:
        from django.utils import timezone

        from .evaluation import load_evaluation

        counts["evaluation"] = load_evaluation(plan, end=end or timezone.now(), log=log)
    return counts


def _load_cases(plan: Plan, accounts: list, *, cases: int, end, log, area_ids, unit_ids, person_ids) -> dict:
    from django.utils import timezone

    from .casework import load_cases
    from .staff import create_crew

    users = {u.username: u for u in accounts}
    crew = create_crew(plan, area_ids=area_ids, unit_ids=unit_ids, person_ids=person_ids, demo_users=users,
                       password=accounts[0].password)
    log(f"工作人员账号 {len(crew.grid) + len(crew.community) + len(crew.street) + len(crew.unit)} 个")
    return load_cases(plan, cases=cases, end=end or timezone.now(), crew=crew, area_ids=area_ids,
                      unit_ids=unit_ids, person_ids=person_ids, log=log)


def _analyze() -> None:
    """Fresh statistics after a bulk load, on PostgreSQL: the load runs in one transaction, where
    autovacuum cannot see the new rows, and a planner that believes the tables empty picks plans that
    take minutes instead of milliseconds. (ANALYZE may run inside a transaction and sees its rows.)
    The project's own tables only: a bare ANALYZE also locks the cluster's shared catalogs, which two
    loads in two databases at once (the test workers) would wait on for the other's whole load."""
    if connection.vendor == "postgresql":
        tables = [connection.ops.quote_name(t) for t in connection.introspection.django_table_names(only_existing=True)]
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {', '.join(tables)}")


def _district_models() -> list[type[models.Model]]:
    """Every model (of every app, present or future) whose rows carry a ``district_code``."""
    out = []
    for model in apps.get_models():
        if model is AuditEntry:  # the audit trail is append-only, even for demo data
            continue
        if model._meta.app_label == "ledger":  # append-only: removed whole by ledger.erase_district
            continue
        if any(f.name == "district_code" for f in model._meta.concrete_fields):
            out.append(model)
    return out


def _delete(qs) -> None:
    """Delete ``qs``; rows of the same model that protect each other (a nullable ``parent``)
    are unlinked first so the set can go at once."""
    model = qs.model
    for f in model._meta.concrete_fields:
        if f.is_relation and f.related_model is model and f.null:
            qs.update(**{f.name: None})
    qs.delete()


@transaction.atomic
def flush_demo(*, actor=None, district_codes: tuple[str, ...] = DEMO_DISTRICT_CODES) -> dict[str, int]:
    """Delete the demo districts' data (all rows carrying their district code, their areas) and
    the demo accounts. Returns how many areas were removed per district. Audited."""
    from grassroots.accounts.models import User

    for code in district_codes:
        erased = erase_district(code)
        if erased:
            audit_record(actor=actor, action="demo.flush_ledger", object_type="ledger.transfer", object_id=code,
                         district_code=code, detail={"transfers": erased})
    pending = _district_models()
    for _round in range(len(pending) + 1):
        blocked = []
        for model in pending:
            try:
                with transaction.atomic():
                    _delete(model._base_manager.filter(district_code__in=district_codes))
            except (ProtectedError, RestrictedError, IntegrityError):
                blocked.append(model)
        if not blocked:
            break
        pending = blocked
    else:
        names = "、".join(str(m._meta.verbose_name) for m in pending)
        raise ProtectedError(f"无法删除演示数据：{names}仍被其他数据引用", set())
    # the accounts after their cases, events and messages: nothing is left to unlink from them
    User.objects.filter(Q(username__in=DEMO_USERNAMES) | Q(username__startswith=STAFF_PREFIX)).delete()
    removed = {}
    for code in district_codes:
        areas = Area.objects.filter(code__startswith=code)
        removed[code] = areas.count()
        if removed[code]:
            _delete(areas)
            audit_record(actor=actor, action="demo.flush", object_type="areas.area", object_id=code,
                         district_code=code, detail={"areas": removed[code]})
    return removed
