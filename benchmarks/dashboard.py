"""The command center and the rankings at city scale: 1,000,000 cases over the Changchun-scale tree.

    .venv/bin/python benchmarks/dashboard.py                  # a throw-away PostgreSQL it starts itself
    DATABASE_URL=postgres://… .venv/bin/python benchmarks/dashboard.py   # that (THROW-AWAY) database
    options: --cases N (default 1,000,000)  --repeat N (timed calls per figure, default 40)

1. ``load_demo --scale changchun --people none --cases 0``: 437 communities, 2,995 grids, the units.
2. A bulk generator writes N cases in the database itself (``INSERT … SELECT`` over
   ``generate_series``, 100,000 per statement): received over the last 365 days in random grids,
   with the mix of a working district — most closed and rated, some replied or verified, a backlog
   running, a few parked, rejected or merged; reply and response times, deadlines, overdue flags,
   reopenings, units, categories and coordinates drawn at random. Then ``ANALYZE`` and
   ``rollups.rebuild`` (the daily KPI rows, timed).
3. Timed, for random streets and the last full month, as a street leader's screen asks for them:
   * **street**: ``command.selectors.overview`` — the whole command-center payload of a street, as
     the screen refreshes it (timed a second time; the first load, which also counts the week's
     rising problems from nine weeks of cases before caching them for five minutes, is reported
     apart as ``street_first_load``);
   * **street figures**: the screen's KPI figures alone (the street, its grids, its communities with
     the change since the month before, the weekly trend, the top categories) — the part the
     rollups serve;
   * **ranking**: ``assessment.selectors.area_ranking`` of the communities of the city for the
     month, as the ranking page computes it (with medians and the change since the month before);
   * **baseline**: the same figures by a plain ``GROUP BY`` over the cases table (``kpis.compute``
     of the street, its grids and communities for the month and the month before, its weekly counts
     and top categories — with the screen's other parts, which are the same queries either way; and
     of the city's communities for the month and the month before);
   * **event overhead**: ``case_accept`` on fresh cases with the rollup writer registered and with it
     removed, alternating, on the same million-row database.
4. One JSON line: ``{"cases", "p50_ms", "p95_ms", "baseline_p95_ms", "speedup", "event_overhead_ms", …}``
   where p50/p95 are over the street and ranking calls together.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT), str(ROOT / "benchmarks")]
DATA_KEY = "benchmark-data-key-0123456789abcdef0123"
BATCH = 100_000


def start_postgres() -> str:
    import intake

    return intake.start_postgres()


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def generate(n: int, *, district: str, grids: list[tuple[str, float, float]], units: list[int],
             categories: list[int]) -> float:
    """N cases written by PostgreSQL itself; returns the seconds it took."""
    from django.db import connection

    from grassroots.cases.models import Case

    table = Case._meta.db_table
    with connection.cursor() as cur:
        cur.execute("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = %s "
                    "AND is_nullable = 'NO' AND column_default IS NULL", [table])
        required = dict(cur.fetchall())
    exprs = {
        "code": "'BM' || lpad(s.i::text, 9, '0')", "tracking_code": "'T' || lpad(s.i::text, 9, '0')",
        "title": "'小区路灯不亮'", "body": "'小区门口的路灯坏了一周，晚上看不清路。'",
        "status": "s.status", "channel": "'hotline'", "urgency": "'general'", "tier": "'grid'",
        "area_code": "(%(codes)s::text[])[s.g]", "district_code": "%(district)s",
        "lat": "(%(lats)s::float8[])[s.g] + (s.r5 - 0.5) * 0.004",
        "lng": "(%(lngs)s::float8[])[s.g] + (s.r6 - 0.5) * 0.004",
        "created_at": "s.created", "updated_at": "s.created",
        "responded_at": "CASE WHEN s.status <> 'reported' THEN s.created + s.r1 * interval '40 hours' END",
        "replied_at": "CASE WHEN s.status IN ('replied','verified','closed') THEN s.created + (2 + s.r2 * 200) * interval '1 hour' END",
        "closed_at": "CASE WHEN s.status = 'closed' THEN s.created + (30 + s.r2 * 200) * interval '1 hour' END",
        "deadline": "s.created + interval '168 hours'", "first_deadline": "s.created + interval '168 hours'",
        "deadline_started_at": "s.created",
        "overdue": "(s.status IN ('replied','verified','closed') AND 2 + s.r2 * 200 > 168) OR (s.status IN ('in_progress','dispatched') AND s.r3 < 0.3)",
        "rating": "CASE WHEN s.status = 'closed' THEN (CASE WHEN s.r4 < 0.7 THEN 'satisfied' WHEN s.r4 < 0.9 THEN 'basic' ELSE 'unsatisfied' END) ELSE '' END",
        "rated_at": "CASE WHEN s.status = 'closed' THEN s.created + (30 + s.r2 * 200) * interval '1 hour' END",
        "reopen_count": "CASE WHEN s.r3 < 0.05 THEN 1 ELSE 0 END",
        "assigned_unit_id": "CASE WHEN s.r3 < 0.4 THEN (%(units)s::int[])[1 + floor(s.r6 * %(nunits)s)::int] END",
        "category_id": "(%(cats)s::int[])[1 + floor(s.r5 * %(ncats)s)::int]",
        "supervised_at": "CASE WHEN s.status IN ('in_progress','dispatched') AND s.r3 < 0.1 THEN s.created END",
    }
    defaults = {"text": "''", "character varying": "''", "boolean": "false", "integer": "0", "smallint": "0",
                "bigint": "0"}
    for column, kind in required.items():
        if column not in exprs and column != "id":
            exprs[column] = defaults.get(kind, "''")
    columns = list(exprs)
    status = ("CASE WHEN r0 < 0.80 THEN 'closed' WHEN r0 < 0.84 THEN 'verified' WHEN r0 < 0.87 THEN 'replied' "
              "WHEN r0 < 0.90 THEN 'in_progress' WHEN r0 < 0.92 THEN 'dispatched' WHEN r0 < 0.93 THEN 'accepted' "
              "WHEN r0 < 0.95 THEN 'reported' WHEN r0 < 0.96 THEN 'parked' WHEN r0 < 0.98 THEN 'rejected' "
              "ELSE 'merged' END")
    # Timestamps over the last 365 days, the older ones done (a fresh case is rarely closed already).
    sql = (f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(exprs[c] for c in columns)} FROM ("  # noqa: S608
           f"SELECT i, 1 + floor(random() * %(ngrids)s)::int AS g, now() - random() * interval '365 days' AS created, "
           f"{status} AS status, random() AS r1, random() AS r2, random() AS r3, random() AS r4, "
           f"random() AS r5, random() AS r6 FROM (SELECT i, random() AS r0 FROM generate_series(%(lo)s, %(hi)s) i) q) s")
    params = {"codes": [g[0] for g in grids], "lats": [g[1] for g in grids], "lngs": [g[2] for g in grids],
              "ngrids": len(grids), "district": district, "units": units, "nunits": len(units),
              "cats": categories, "ncats": len(categories)}
    started = time.perf_counter()
    for lo in range(1, n + 1, BATCH):
        with connection.cursor() as cur:
            cur.execute(sql, {**params, "lo": lo, "hi": min(n, lo + BATCH - 1)})
        print(f"  {min(n, lo + BATCH - 1):,} cases", flush=True)
    with connection.cursor() as cur:
        # a case done long ago is not still running: the backlog is the last weeks' cases
        cur.execute(f"UPDATE {table} SET status = 'closed', rating = 'satisfied', "  # noqa: S608
                    "replied_at = created_at + interval '20 hours', closed_at = created_at + interval '30 hours', "
                    "rated_at = created_at + interval '30 hours', overdue = false "
                    "WHERE status IN ('reported','accepted','dispatched','in_progress') "
                    "AND created_at < now() - interval '30 days' AND code LIKE 'BM%%'")
        # what the time-limit sweep does every minute: a running case past its deadline is flagged
        cur.execute(f"UPDATE {table} SET overdue = true, overdue_at = deadline "  # noqa: S608
                    "WHERE replied_at IS NULL AND NOT overdue AND deadline < now() "
                    "AND status NOT IN ('rejected','merged','parked') AND code LIKE 'BM%%'")
        cur.execute("ANALYZE")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--reuse", action="store_true",
                        help="DATABASE_URL already holds the tree and the cases of an earlier run: only time")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL") or start_postgres()
    if not url.startswith("postgres"):
        sys.exit("dashboard measures PostgreSQL at city scale: give a postgres:// DATABASE_URL or none")
    os.environ.update({"DATABASE_URL": url, "GRASSROOTS_DATA_KEY": DATA_KEY, "DJANGO_SETTINGS_MODULE":
                       "grassroots.settings", "GRASSROOTS_DEBUG": "0", "GRASSROOTS_SECRET_KEY": "bench-" + "x" * 50})
    import django

    django.setup()
    from datetime import timedelta
    from io import StringIO

    from django.core.management import call_command
    from django.db.models import Count
    from django.db.models.functions import Substr, TruncWeek
    from django.utils import timezone

    from grassroots.accounts.models import Role, RoleAssignment, User
    from grassroots.areas.models import Area, Level
    from grassroots.assessment import rollups
    from grassroots.assessment.kpis import compute
    from grassroots.assessment.models import KpiDay
    from grassroots.assessment.periods import Period
    from grassroots.assessment.selectors import area_ranking, area_totals, kpi_settings_for
    from grassroots.cases import hooks
    from grassroots.cases import services as cs
    from grassroots.cases.models import Case, Category
    from grassroots.command import selectors as cmd
    from grassroots.command.selectors import overview
    from grassroots.orgs.models import Unit

    call_command("migrate", verbosity=0)
    if not args.reuse:
        print("loading the Changchun-scale tree …", flush=True)
        started = time.perf_counter()
        call_command("load_demo", "--scale", "changchun", "--people", "none", "--cases", "0", stdout=StringIO())
        print(f"  tree loaded in {time.perf_counter() - started:.0f} s", flush=True)
    city = Area.objects.get(level=Level.DISTRICT)
    grids = []
    for g in Area.objects.filter(level=Level.GRID).order_by("code"):
        ring = (g.boundary or {}).get("coordinates", [[[city.lng or 125.3, city.lat or 43.9]]])[0]
        grids.append((g.code, sum(p[1] for p in ring) / len(ring), sum(p[0] for p in ring) / len(ring)))
    units = list(Unit.objects.values_list("pk", flat=True)) or [0]
    categories = list(Category.objects.filter(level=3).values_list("pk", flat=True))
    gen_s = rebuild_s = 0.0
    if not args.reuse:
        print(f"generating {args.cases:,} cases over {len(grids):,} grids …", flush=True)
        gen_s = generate(args.cases, district=city.code, grids=grids, units=units, categories=categories)
        print(f"  generated in {gen_s:.0f} s", flush=True)
        started = time.perf_counter()
        rows = rollups.rebuild(city.code).rows
        rebuild_s = time.perf_counter() - started
        print(f"  rollups rebuilt in {rebuild_s:.0f} s ({rows:,} rows)", flush=True)
    from django.db import connection
    with connection.cursor() as cur:
        cur.execute("ANALYZE")

    root = User.objects.filter(username="bench_root").first() or User.objects.create_superuser(
        "bench_root", password="x" * 12)
    leader = User.objects.filter(username="bench_leader").first()
    if leader is None:
        leader = User.objects.create_user("bench_leader", password="x" * 12)
        RoleAssignment.objects.create(user=leader, role=Role.LEADER, area=city)
    today = timezone.localdate()
    month_end = today.replace(day=1)
    month = Period((month_end - timedelta(days=1)).replace(day=1), month_end)
    streets = list(Area.objects.filter(level=Level.STREET).order_by("code"))
    rng = random.Random(7)
    params = kpi_settings_for(city.code)
    now = timezone.now()

    def timed(fn) -> float:
        t = time.perf_counter()
        fn()
        return (time.perf_counter() - t) * 1000

    def street_figures(street):
        """The screen's KPI figures alone, from the rollups."""
        area_totals(user=leader, area=street, period=month, now=now, medians=False)
        cmd.grid_figures(leader, street, month, now)
        cmd.children_ranking(leader, street, month, now)
        cmd.weekly_trend(leader, street, end=month.last_day, now=now)
        cmd.top_categories(leader, street, month)

    def baseline_figures(street):
        """The same figures counted from the cases by GROUP BY."""
        cases = Case.objects.filter(created_at__gte=month.start_at, created_at__lt=month.end_at,
                                    area_code__startswith=street.code)
        before = month.previous()
        earlier = Case.objects.filter(created_at__gte=before.start_at, created_at__lt=before.end_at,
                                      area_code__startswith=street.code)
        compute(cases, params=params, now=now)  # the street's own figures
        compute(cases, params=params, now=now, key=Substr("area_code", 1, 15))  # its grids
        compute(cases, params=params, now=now, key=Substr("area_code", 1, 12))  # its communities …
        compute(earlier, params=params, now=now, key=Substr("area_code", 1, 12))  # … and the month before
        weeks = Case.objects.filter(created_at__gte=month.end_at - timedelta(weeks=12), created_at__lt=month.end_at,
                                    area_code__startswith=street.code)
        compute(weeks, params=params, now=now, key=TruncWeek("created_at"))
        list(cases.order_by().values("category_id").annotate(n=Count("pk")).order_by("-n")[:10])

    def baseline_street(street):
        """The same screen with every KPI figure counted from the cases by GROUP BY (no rollups)."""
        baseline_figures(street)
        # the parts that are the same queries either way
        cmd.backlog(leader, street, length=15)
        cmd.heat_cells(leader, street, month)
        cmd.alerts(leader, street)
        cmd.hot_problems(leader, street)
        cmd.people_at_work(street, today)

    def baseline_ranking():
        for p in (month, month.previous()):  # the ranking and the change since the month before
            cases = Case.objects.filter(created_at__gte=p.start_at, created_at__lt=p.end_at,
                                        area_code__startswith=city.code)
            compute(cases, params=params, now=now, key=Substr("area_code", 1, 12))

    street_ms, cold_ms, ranking_ms, base_street_ms, base_ranking_ms = [], [], [], [], []
    figures_ms, base_figures_ms = [], []
    from django.core.cache import caches

    caches["shared"].clear()  # the first loads count the week's rising problems themselves
    print("timing …", flush=True)
    for _ in range(args.repeat):
        street = rng.choice(streets)
        # a wall screen's first load (the week's rising problems not cached yet), then its refresh
        cold_ms.append(timed(lambda street=street: overview(leader, street, period=month)))
        street_ms.append(timed(lambda street=street: overview(leader, street, period=month)))
        base_street_ms.append(timed(lambda street=street: baseline_street(street)))
        figures_ms.append(timed(lambda street=street: street_figures(street)))
        base_figures_ms.append(timed(lambda street=street: baseline_figures(street)))
        ranking_ms.append(timed(lambda: area_ranking(user=leader, area=city, period=month,
                                                     level=Level.COMMUNITY, compare=True)))
        base_ranking_ms.append(timed(baseline_ranking))

    # the cost a rollup adds to one case event
    grid = Area.objects.get(code=grids[0][0])
    writers = dict(hooks._writers)
    with_ms, without_ms = [], []
    for i in range(200):
        case = cs.case_create(title="路灯不亮", body="路灯不亮。", channel="resident_web", area=grid)
        on = i % 2 == 0
        if not on:
            hooks._writers.clear()
        try:
            (with_ms if on else without_ms).append(timed(lambda case=case: cs.case_accept(case=case, actor=root)))
        finally:
            hooks._writers.update(writers)

    both = street_ms + ranking_ms
    base = base_street_ms + base_ranking_ms
    figures = {
        "cases": Case.objects.count(), "grids": len(grids), "communities": Area.objects.filter(level=Level.COMMUNITY).count(),
        "rollup_rows": KpiDay.objects.count(), "generate_s": round(gen_s, 1), "rebuild_s": round(rebuild_s, 1),
        "street_p50_ms": round(pct(street_ms, 0.5), 1), "street_p95_ms": round(pct(street_ms, 0.95), 1),
        "street_first_load_p50_ms": round(pct(cold_ms, 0.5), 1),
        "street_first_load_p95_ms": round(pct(cold_ms, 0.95), 1),
        "ranking_p50_ms": round(pct(ranking_ms, 0.5), 1), "ranking_p95_ms": round(pct(ranking_ms, 0.95), 1),
        "baseline_street_p95_ms": round(pct(base_street_ms, 0.95), 1),
        "street_figures_p50_ms": round(pct(figures_ms, 0.5), 1), "street_figures_p95_ms": round(pct(figures_ms, 0.95), 1),
        "baseline_street_figures_p95_ms": round(pct(base_figures_ms, 0.95), 1),
        "street_figures_speedup": round(pct(base_figures_ms, 0.95) / pct(figures_ms, 0.95), 1),
        "street_speedup": round(pct(base_street_ms, 0.95) / pct(street_ms, 0.95), 1),
        "ranking_speedup": round(pct(base_ranking_ms, 0.95) / pct(ranking_ms, 0.95), 1),
        "baseline_ranking_p95_ms": round(pct(base_ranking_ms, 0.95), 1),
        "p50_ms": round(pct(both, 0.5), 1), "p95_ms": round(pct(both, 0.95), 1),
        "baseline_p95_ms": round(pct(base, 0.95), 1),
        "speedup": round(pct(base, 0.95) / pct(both, 0.95), 1),
        "event_ms": round(statistics.median(with_ms), 2), "event_without_rollups_ms": round(statistics.median(without_ms), 2),
        "event_overhead_ms": round(statistics.median(with_ms) - statistics.median(without_ms), 2),
    }
    for key, value in figures.items():
        print(f"{key:>26}: {value}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
