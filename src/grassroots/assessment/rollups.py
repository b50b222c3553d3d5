"""The daily KPI rollups (``KpiDay``, ``CategoryDay``): kept current inside every case write, rebuilt
from the raw cases on demand, read by the rankings and the command center (docs/kpi.md, "Rollups").

**Incremental.** ``apply(before, case)`` is registered with ``cases.hooks.on_case_written``: the case
loop calls it in the transaction of every step, with the row's fields before the step and the row as
saved, and for a new case (``before`` None) in the worker's follow-up of the receive — or in the
receive's own transaction when there is no worker (``GRASSROOTS_AFTER_COMMIT=request``). Until the
worker has counted a new case (``Case.writers_pending``), a step on it counts nothing and a rebuild
leaves it out. It takes the counters the case added before
(``kpis.contribution``) from their rows and adds the new ones — one multi-row
``INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n`` per table, rows in key order (two steps of
different cases touching the same rows lock them in the same order, so they cannot deadlock). A step
that changes nothing counted (a comment, a supervision) writes nothing.

**Rebuild.** ``rebuild(district)`` recomputes the rows from the cases with one aggregate query per
level and compares them with the stored ones; with ``write=True`` it replaces them in one transaction.
``grassroots kpi_rebuild`` runs it and prints the differences. Changing a district's response time
limit rebuilds its rows (the ``responded`` counter depends on it).

**Reading.** ``area_rows`` and ``unit_rows`` sum the rows of a period; the part of ``overdue`` that
changes with the clock (an open case past its deadline before the sweep flagged it) is added from the
running cases (``late_counts``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import connection, transaction
from django.db.models import Count, F, IntegerField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, Length, Substr, TruncDate
from django.utils import timezone

from grassroots.cases.hooks import SNAPSHOT_FIELDS
from grassroots.cases.models import Case

from .kpis import STORED, contribution, late_open, stored_conditions
from .models import CategoryDay, KpiDay, KpiSettings

LEVEL_LENGTHS = ((KpiDay.Level.STREET, 9), (KpiDay.Level.COMMUNITY, 12), (KpiDay.Level.GRID, 15))
DISTRICT_LENGTH = 6
# Unit rows are kept per street (and for cases known only to the district): a unit's figures in a
# street or the district add them up; in a community or a grid they are counted from the cases.
UNIT_LEVELS = (KpiDay.Level.DISTRICT_ONLY, KpiDay.Level.STREET)
# Category rows down to the community (a grid's month is a handful of cases: counted from them).
CATEGORY_LEVELS = (KpiDay.Level.DISTRICT_ONLY, KpiDay.Level.STREET, KpiDay.Level.COMMUNITY)


@dataclass(frozen=True)
class Key:
    level: int
    area_code: str
    district_code: str
    street_code: str
    community_code: str


def keys_of(area_code: str, district_code: str) -> list[Key]:
    """The rows a case placed at ``area_code`` counts in: its street, community and grid (as far as the
    code goes), or its district's own row when it is known only to the district."""
    code = (area_code or "")[:15]
    district = district_code or code[:DISTRICT_LENGTH]
    if len(code) < 9:
        return [Key(KpiDay.Level.DISTRICT_ONLY, district, district, "", "")]
    return [Key(level, code[:n], district, code[:9], code[:12] if n >= 12 else "")
            for level, n in LEVEL_LENGTHS if len(code) >= n]


def local_day(at: datetime) -> date:
    return timezone.localtime(at).date()


LOCK_SPACE = 0x4B504944 << 20  # "KPID": advisory lock keys of the rollups, one per district


def _lock_key(district_code: str) -> int:
    return LOCK_SPACE + (int(district_code) if district_code.isdigit() else 0)


def _lock_alone(district_code: str) -> None:
    """Case writes and a rebuild each hold their district's lock alone (``_lock_and_limit``), so that no write commits between the rebuild's reading of the cases and its replacing of
    the rows (PostgreSQL: an advisory lock to the end of the transaction; SQLite has one writer at a
    time, and a rebuild becomes the writer at once by an empty update)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_lock_key(district_code)])
    else:
        KpiDay.objects.filter(pk=-1).update(received=0)


def _lock_and_limit(district_code: str, *, limit_needed: bool = True) -> int:
    """The district's lock and its response limit, in one round trip (on SQLite, where the one writer
    needs no lock, the limit is read only when ``limit_needed``: a case not yet responded to does not
    use it, and most writes — a resident's submit among them — are of such cases; 0 then).

    The lock is exclusive: every case write of a district adds to the same district row of its day
    anyway, and a transaction that writes twice (the worker's automatic dispatch: categorised, then
    dispatched) would otherwise hold category rows while waiting for day rows another write holds in
    the opposite order — a deadlock PostgreSQL found under the intake benchmark. Taking this one lock
    first, before any row, leaves no order to get wrong."""
    if connection.vendor != "postgresql":
        return response_hours_of(district_code) if limit_needed else 0
    table = connection.ops.quote_name(KpiSettings._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT pg_advisory_xact_lock(%s), (SELECT response_hours FROM {table} "  # noqa: S608
                       "WHERE district_code = %s)", [_lock_key(district_code), district_code])
        hours = cursor.fetchone()[1]
    return hours or KpiSettings.defaults(district_code).response_hours


def response_hours_of(district_code: str) -> int:
    hours = KpiSettings.objects.filter(district_code=district_code).values_list("response_hours", flat=True)
    return hours.first() or KpiSettings.defaults(district_code).response_hours


# --- incremental ------------------------------------------------------------------------------------


def _kpi_deltas(row: dict, sign: int, hours: int, out: dict) -> None:
    counters = contribution(row, response_hours=hours)
    day = local_day(row["created_at"])
    held_by = row["assigned_unit_id"]
    for key in keys_of(row["area_code"], row["district_code"]):
        for unit in ((0, held_by) if held_by and key.level in UNIT_LEVELS else (0,)):
            slot = out.setdefault((key.area_code, unit, day), (key, dict.fromkeys(STORED, 0)))[1]
            for name, value in counters.items():
                slot[name] += sign * value


def _category_deltas(row: dict, sign: int, out: dict) -> None:
    counted = int(row["status"] not in ("rejected", "merged"))
    day = local_day(row["created_at"])
    for key in keys_of(row["area_code"], row["district_code"]):
        if key.level not in CATEGORY_LEVELS:
            continue
        slot = out.setdefault((key.area_code, row["category_id"] or 0, day), (key, {"received": 0, "counted": 0}))[1]
        slot["received"] += sign
        slot["counted"] += sign * counted


def _upsert_sql(model, key_field: str, counters: tuple[str, ...], deltas: dict) -> tuple[str, list] | None:
    """The one ``INSERT … ON CONFLICT DO UPDATE`` that adds ``deltas`` to ``model``'s rows, or None when
    nothing changes."""
    rows = [(k, key, values) for k, (key, values) in sorted(deltas.items()) if any(values.values())]
    if not rows:
        return None
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ["district_code", "street_code", "community_code", "area_code", "level", key_field, "day", *counters]
    placeholders = ", ".join(["(" + ", ".join(["%s"] * len(columns)) + ")"] * len(rows))
    updates = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in counters)
    params: list = []
    for (_area, other, day), key, values in rows:
        params += [key.district_code, key.street_code, key.community_code, key.area_code, key.level, other, day,
                   *(values[c] for c in counters)]
    # Table and column names are this module's constants; every value is a parameter.
    return (f"INSERT INTO {table} ({', '.join(columns)}) VALUES {placeholders} "  # noqa: S608
            f"ON CONFLICT (area_code, {key_field}, day) DO UPDATE SET {updates}", params)


def _upsert_all(*statements: tuple[str, list] | None) -> None:
    """Run the upserts; on PostgreSQL in one round trip (every statement but the last as a data-modifying
    ``WITH`` part, which PostgreSQL runs to completion whether or not it is read: they touch different
    tables). A case write pays this on every save, a resident's submit among them."""
    parts = [s for s in statements if s is not None]
    if not parts:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and len(parts) > 1:
            *first, (last_sql, last_params) = parts
            ctes = ", ".join(f"_u{i} AS ({sql})" for i, (sql, _params) in enumerate(first))
            cursor.execute(f"WITH {ctes} {last_sql}", [p for _sql, params in first for p in params] + last_params)
            return
        for sql, params in parts:
            cursor.execute(sql, params)


def apply(before: dict | None, case) -> None:
    """Move ``case``'s counts from the rows of ``before`` to those of the row as saved (in the caller's
    transaction; registered with ``cases.hooks.on_case_written``)."""
    after = {name: getattr(case, name) for name in SNAPSHOT_FIELDS}
    responded = any(row is not None and row["responded_at"] is not None for row in (before, after))
    hours = _lock_and_limit(after["district_code"], limit_needed=responded)
    kpi: dict = {}
    categories: dict = {}
    if before is not None:
        _kpi_deltas(before, -1, hours, kpi)
        _category_deltas(before, -1, categories)
    _kpi_deltas(after, 1, hours, kpi)
    _category_deltas(after, 1, categories)
    _upsert_all(_upsert_sql(KpiDay, "unit_id", STORED, kpi),
                _upsert_sql(CategoryDay, "category_id", ("received", "counted"), categories))


# --- recompute and rebuild --------------------------------------------------------------------------


def _level_querysets(cases: QuerySet[Case]) -> Iterable[tuple[int, int, QuerySet]]:
    """(level, key length, the cases counted at that level) — district-only cases have a short code."""
    coded = cases.annotate(_len=Length("area_code"))
    yield KpiDay.Level.DISTRICT_ONLY, DISTRICT_LENGTH, coded.filter(_len__lt=9)
    for level, n in LEVEL_LENGTHS:
        yield level, n, coded.filter(_len__gte=n)


def recompute(district_code: str, *, response_hours: int | None = None) -> dict[tuple, dict[str, int]]:
    """The KpiDay rows the cases of a district make, computed from scratch: {(area, unit, day): counters}."""
    params = KpiSettings(district_code=district_code,
                         response_hours=response_hours or response_hours_of(district_code))
    conds = stored_conditions(params)
    counters = {"received": Count("pk"), **{n: Count("pk", filter=q) for n, q in conds.items()}}
    # a new case the worker has not counted yet is left out: the worker adds it (cases.hooks)
    cases = Case.objects.filter(district_code=district_code, writers_pending=False).order_by()
    day = TruncDate("created_at", tzinfo=timezone.get_current_timezone())
    out: dict[tuple, dict[str, int]] = {}
    for level, n, qs in _level_querysets(cases):
        area = Substr("area_code", 1, n) if n > DISTRICT_LENGTH else F("district_code")
        base = qs.annotate(_area=area, _day=day)
        groups = [base.annotate(_unit=Value(0, output_field=IntegerField()))]
        if level in UNIT_LEVELS:
            groups.append(base.filter(assigned_unit__isnull=False).annotate(_unit=F("assigned_unit_id")))
        for rows in groups:
            for row in rows.values("_area", "_unit", "_day").annotate(**counters):
                key = (row.pop("_area"), row.pop("_unit"), row.pop("_day"))
                out[key] = {name: row[name] for name in STORED}
    return out


def recompute_categories(district_code: str) -> dict[tuple, dict[str, int]]:
    cases = Case.objects.filter(district_code=district_code, writers_pending=False).order_by()
    day = TruncDate("created_at", tzinfo=timezone.get_current_timezone())
    out: dict[tuple, dict[str, int]] = {}
    for level, n, qs in _level_querysets(cases):
        if level not in CATEGORY_LEVELS:
            continue
        area = Substr("area_code", 1, n) if n > DISTRICT_LENGTH else F("district_code")
        rows = (qs.annotate(_area=area, _day=day, _cat=Coalesce("category_id", 0))
                .values("_area", "_cat", "_day")
                .annotate(received=Count("pk"), counted=Count("pk", filter=~Q(status__in=("rejected", "merged")))))
        for row in rows:
            out[(row["_area"], row["_cat"], row["_day"])] = {"received": row["received"], "counted": row["counted"]}
    return out


def stored(model, district_code: str, key_field: str, counters: tuple[str, ...]) -> dict[tuple, dict[str, int]]:
    rows = model.objects.filter(district_code=district_code).values("area_code", key_field, "day", *counters)
    out = {}
    for row in rows:
        values = {c: row[c] for c in counters}
        if any(values.values()):
            out[(row["area_code"], row[key_field], row["day"])] = values
    return out


@dataclass
class Difference:
    table: str
    key: tuple
    stored: dict | None
    expected: dict | None

    def describe(self) -> str:
        area, other, day = self.key
        if self.stored is None:
            return f"{self.table} {area}/{other} {day}: 缺少，应为 {self.expected}"
        if self.expected is None:
            return f"{self.table} {area}/{other} {day}: 多余 {self.stored}"
        changed = {k: (self.stored[k], self.expected[k]) for k in self.expected if self.stored[k] != self.expected[k]}
        return f"{self.table} {area}/{other} {day}: " + "，".join(f"{k} {a}→{b}" for k, (a, b) in changed.items())


@dataclass
class RebuildReport:
    district_code: str
    rows: int = 0
    differences: list[Difference] = field(default_factory=list)


def _compare(table: str, have: dict, want: dict) -> list[Difference]:
    return [Difference(table, key, have.get(key), want.get(key))
            for key in sorted(set(have) | set(want), key=str) if have.get(key) != want.get(key)]


def _key_of(area_code: str, district_code: str) -> Key:
    return keys_of(area_code, district_code)[-1] if len(area_code) >= 9 else keys_of("", district_code)[0]


def rebuild(district_code: str, *, write: bool = True, response_hours: int | None = None) -> RebuildReport:
    """Compare the stored rows of a district with a recomputation (and replace them when ``write``)."""
    with transaction.atomic():
        if write:
            _lock_alone(district_code)
        want = recompute(district_code, response_hours=response_hours)
        want_cat = recompute_categories(district_code)
        have = stored(KpiDay, district_code, "unit_id", STORED)
        have_cat = stored(CategoryDay, district_code, "category_id", ("received", "counted"))
        report = RebuildReport(district_code, rows=len(want) + len(want_cat))
        report.differences = _compare("KpiDay", have, want) + _compare("CategoryDay", have_cat, want_cat)
        if write:  # only the rows that differ: set to what the cases say (zero where nothing is left)
            _write(KpiDay, "unit_id", STORED, [d for d in report.differences if d.table == "KpiDay"],
                   district_code)
            _write(CategoryDay, "category_id", ("received", "counted"),
                   [d for d in report.differences if d.table == "CategoryDay"], district_code)
    return report


def _write(model, key_field: str, counters: tuple[str, ...], differences: list[Difference],
           district_code: str) -> None:
    rows = [model(**_columns(d.key[0], district_code), **{key_field: d.key[1]}, day=d.key[2],
                  **(d.expected or dict.fromkeys(counters, 0))) for d in differences]
    model.objects.bulk_create(rows, batch_size=2000, update_conflicts=True,
                              unique_fields=["area_code", key_field, "day"], update_fields=list(counters))


def _columns(area_code: str, district_code: str) -> dict:
    key = _key_of(area_code, district_code)
    return {"district_code": key.district_code, "street_code": key.street_code,
            "community_code": key.community_code, "area_code": key.area_code, "level": key.level}


# --- reading ----------------------------------------------------------------------------------------


def rows_in(model, *, start: date, end: date) -> QuerySet:
    return model.objects.filter(day__gte=start, day__lt=end)


def under(qs: QuerySet, *, area_code: str, level: int) -> QuerySet:
    """The rows of ``level`` inside the area ``area_code`` (its own row when the levels are the same)."""
    n = len(area_code)
    if n == DISTRICT_LENGTH:
        return qs.filter(district_code=area_code, level=level)
    if n == 9:
        return qs.filter(street_code=area_code, level=level)
    if n == 12:
        return qs.filter(community_code=area_code, level=level)
    return qs.filter(area_code=area_code, level=level)


def own(qs: QuerySet, *, area_code: str) -> QuerySet:
    """The rows holding every case of the area once: a district's street rows plus its own row."""
    if len(area_code) == DISTRICT_LENGTH:
        return qs.filter(district_code=area_code, level__in=(KpiDay.Level.DISTRICT_ONLY, KpiDay.Level.STREET))
    level = {9: KpiDay.Level.STREET, 12: KpiDay.Level.COMMUNITY}.get(len(area_code), KpiDay.Level.GRID)
    return qs.filter(area_code=area_code, level=level)


def summed(qs: QuerySet, *group: str, counters: tuple[str, ...] = STORED) -> list[dict]:
    """SUM of the counters per ``group`` (no group: one row)."""
    sums = {name: Coalesce(Sum(name), 0) for name in counters}
    qs = qs.order_by()
    if not group:
        return [qs.aggregate(**sums)]
    return list(qs.values(*group).annotate(**sums))


def late_counts(cases: QuerySet[Case], now: datetime, key=None, *, received: tuple | None = None) -> dict:
    """Open cases past their deadline not flagged yet, per ``key`` (an expression or field name).

    ``received`` = (start_at, end_at): only those received then — compared here, on the few running
    rows the partial index ``case_late_unflagged`` finds for the place, rather than in the query,
    where the planner would also walk the period's index of every case."""
    running = cases.filter(late_open(now)).order_by()
    if isinstance(key, str):
        key = F(key)
    if received is None:
        if key is None:
            return {"": running.count()}
        return {row["_k"]: row["n"] for row in running.annotate(_k=key).values("_k").annotate(n=Count("pk"))}
    start, end = received
    counts: dict = defaultdict(int)
    rows = running.annotate(_k=key if key is not None else Value("")).values_list("_k", "created_at")
    for k, created in rows:
        if start <= created < end:
            counts[k] += 1
    return dict(counts) if key is not None else {"": counts.get("", 0)}


def by_day(qs: QuerySet, counters: tuple[str, ...] = STORED) -> dict[date, dict[str, int]]:
    out: dict[date, dict[str, int]] = defaultdict(lambda: dict.fromkeys(counters, 0))
    for row in summed(qs, "day", counters=counters):
        out[row.pop("day")] = row
    return out
