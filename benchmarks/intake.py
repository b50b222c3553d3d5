"""Cases per second through the whole intake path, against a bare one-row insert, on SQLite and PostgreSQL.

    .venv/bin/python benchmarks/intake.py              # SQLite scratch database + a throw-away PostgreSQL
    DATABASE_URL=postgres://… .venv/bin/python benchmarks/intake.py   # that PostgreSQL (a THROW-AWAY one)
    options: --cases N (full and receive requests each, default 600)  --bare N (default 3000)
             --only sqlite|postgresql
             --profile (where a full request's time goes, per phase, plus a pyinstrument tree)
             --what-if (the full path again without the deferred row, and with the case service
                        replaced by the floor's two rows in plain SQL)

Both endpoints get the same HTTP POST through Django's test client — the project's whole middleware
stack (sessions, locale, CSRF, auth, messages), URL resolution behind every project route — and
answer with a small JSON body:

* **full** (``/r/new/``, the resident page of ``portal``): its form validates the input
  (description, map point, category, contact, one-time key), ``report_submit`` checks it and locates
  the point in a grid (STRtree), ``case_receive`` routes the case by the 分级响应 rules, computes the
  deadline on the working calendar, and writes the case, its ``report`` event and the row that asks
  the worker for the rest (the notifications, the KPI rollups, duplicates, routing) in one
  transaction; the view remembers the case in the session and redirects to the "done" page —
  everything a resident's submit costs.
* **receive** (``/bench/intake/``, defined here): a plain Django form around ``case_receive`` — the
  same service path without the portal's own checks, session and redirect.
* **rows** (``/bench/rows/``): the floor — the two rows a submit must store, written with plain SQL
  compiled once (the ``Case`` row with every column, as the full path wrote one, and its hash-chained
  ``report`` event after the chain's head, under the chain's lock on PostgreSQL) in one transaction,
  from two fields of the same POST: no form, no checks, no routing, no rollups, no deferred row. What
  the database and the request alone cost for the case table as it is (54 columns, 29 indexes).
* **bare** (``/bench/bare/``): reads two fields of the same POST and runs one ``INSERT``.

The world is the demo district (``load_demo --people none``: 335 grids, the tier rules, the demo
accounts) plus one staff account per grid, community, street and unit, so every new case notifies
its grid worker and its dispatchers as it would in production. Rounds of full and bare requests
alternate so a busy machine slows both alike. Each database runs in its own process; the script
ends with one JSON line per database.

``--what-if`` is not a configuration anyone can run: it times the full path again, in the same rounds
as a fresh bare baseline, with parts of the request left out by patching them away — the deferred row
(``core.deferred.enqueue``), to show what moving it out of the request would gain before anyone builds
it; and ``compiled_rows``: the resident page with ``case_receive`` replaced by the floor's two rows in
plain SQL (form, checks, grid look-up, session note and redirect kept), the most any rewrite of the
case service could give (docs/benchmarks.md, "intake"). Until stop 36 it also left out the KPI
rollups, which the worker now writes.
"""

from __future__ import annotations

import argparse
import atexit
import glob
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_KEY = "benchmark-data-key-0123456789abcdef0123"


# --- the parent: one child process per database -------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_postgres(folder: Path | None = None, options: str = "") -> str:
    """A PostgreSQL server like ``./dev pg`` (fsync off), stopped at exit: a throw-away one in a folder of
    its own (removed at exit), or — given ``folder`` — the cluster kept there, made on its first use
    (http_load --postgresql --reuse). ``options``: more server settings (``-c name=value …``)."""
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: [int(x) for x in p.split("/")[4].split(".")])
    if not bins:
        sys.exit("PostgreSQL is not installed (apt-get install postgresql), or give DATABASE_URL")
    pg = bins[-1]
    if folder is None:
        folder = Path(tempfile.mkdtemp(prefix="grassroots-pg-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)  # runs after the stop registered below
    fresh = not (folder / "data").exists()
    run: list[str] = []
    if os.getuid() == 0:
        run = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    quiet = {"stdout": subprocess.DEVNULL, "check": True}
    if fresh:
        folder.mkdir(parents=True, exist_ok=True)
        if run:
            shutil.chown(folder, "postgres")
        subprocess.run([*run, f"{pg}/initdb", "-D", f"{folder}/data", "-U", "grassroots", "--auth=trust", "-E",
                        "UTF8", "--locale=C.UTF-8"], **quiet)
    options = (f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
               f"-c full_page_writes=off {options}").strip()
    subprocess.run([*run, f"{pg}/pg_ctl", "-D", f"{folder}/data", "-l", f"{folder}/log", "-w", "-o", options,
                    "start"], **quiet)
    atexit.register(subprocess.run, [*run, f"{pg}/pg_ctl", "-D", f"{folder}/data", "-m", "fast", "stop"],
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if fresh:
        subprocess.run([*run, f"{pg}/createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "grassroots",
                        "grassroots"], **quiet)
    return f"postgres://grassroots@127.0.0.1:{port}/grassroots"


def parent(args: argparse.Namespace) -> None:
    work = Path(tempfile.mkdtemp(prefix="grassroots-intake-"))
    atexit.register(shutil.rmtree, work, ignore_errors=True)
    given = os.environ.get("DATABASE_URL", "")
    targets = []
    if args.only in ("", "sqlite"):
        targets.append(("sqlite", f"sqlite:///{work / 'bench.sqlite3'}"))
    if args.only in ("", "postgresql"):
        url = given if given.startswith("postgres") else ""
        if not url:
            print("starting a throw-away PostgreSQL …", flush=True)
            url = start_postgres()
        targets.append(("postgresql", url))
    lines = []
    for name, url in targets:
        env = {**os.environ, "DATABASE_URL": url, "GRASSROOTS_HOME": str(work),
               "GRASSROOTS_DATA_KEY": os.environ.get("GRASSROOTS_DATA_KEY", DATA_KEY),
               "DJANGO_SETTINGS_MODULE": "grassroots.settings"}
        print(f"\n=== {name} ===", flush=True)
        cmd = [sys.executable, __file__, "--child", "--cases", str(args.cases), "--bare", str(args.bare),
               "--dispatch", str(args.dispatch), "--worker-tasks", args.worker_tasks,
               *(["--profile"] if args.profile else []), *(["--what-if"] if args.what_if else [])]
        proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, text=True, check=False)
        out = proc.stdout.splitlines()
        print("\n".join(line for line in out if not line.startswith("{")), flush=True)
        if proc.returncode != 0:
            sys.exit(f"{name}: the benchmark failed (exit {proc.returncode})")
        lines += [line for line in out if line.startswith("{")]
    print()
    for line in lines:
        print(line)


# --- the child: one database --------------------------------------------------------------------------


def child(args: argparse.Namespace) -> None:
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    call_command("migrate", verbosity=0)
    t0 = time.perf_counter()
    world = build_world()
    print(f"database: {connection.vendor}; demo district and {world['staff']} staff accounts in "
          f"{time.perf_counter() - t0:.1f} s", flush=True)
    install_urls()
    payloads = make_payloads(world, 3 * args.cases + args.bare + 700
                             + (3 * args.cases + args.bare if args.what_if else 0))
    endpoints = {  # name → (path, the status it answers a good post with)
        "full": ("/r/new/", 302),  # the resident page (portal): form, report_submit, session, redirect
        "receive": ("/bench/intake/", 201),  # a plain form view around case_receive
        "rows": ("/bench/rows/", 201),  # the case row and its event in plain SQL: the floor
        "bare": ("/bench/bare/", 201),
    }
    with override_settings(ROOT_URLCONF="intake_bench_urls", ALLOWED_HOSTS=["*"], DEBUG=False):
        client = Client()

        def post(name: str) -> None:
            path, status = endpoints[name]
            response = client.post(path, payloads.pop())
            assert response.status_code == status, (name, response.status_code, response.content[:300])

        def posts(name: str, n: int) -> None:
            for _ in range(n):
                post(name)

        for _i in range(20):  # warm up: the grid index, the memoized tables, the URL resolver, the session
            for name in endpoints:
                post(name)
        statements = {name: Statements() for name in endpoints}
        for name, counter in statements.items():
            with connection.execute_wrapper(counter):
                post(name)
        counts = {"full": args.cases, "receive": args.cases, "rows": args.cases, "bare": args.bare}
        spent = timed_rounds({name: (total, lambda n, name=name: posts(name, n)) for name, total in counts.items()})
        report = summarise(connection.vendor, counts, spent, statements)
        if args.what_if:
            report["what_if"] = what_if(posts, args.cases, args.bare)
        if args.profile:
            profile(lambda: post("full"), min(300, len(payloads)))
        report.update(after_commit(client, payloads, args.dispatch, args.worker_tasks))
    print(json.dumps(report, ensure_ascii=False))


def timed_rounds(jobs: dict[str, tuple[int, Callable[[int], None]]], rounds: int = 6) -> dict[str, float]:
    """Seconds each job spent; a job is (requests in all, ``run(n)`` making n of them). The jobs take turns
    in ``rounds`` rounds, so a busy machine slows them all alike."""
    spent = dict.fromkeys(jobs, 0.0)
    for r in range(rounds):
        for name, (total, run) in jobs.items():
            n = total // rounds + (1 if r < total % rounds else 0)
            t = time.perf_counter()
            run(n)
            spent[name] += time.perf_counter() - t
    return spent


def what_if(posts, cases: int, bare: int) -> dict:
    """The full path with parts patched away, interleaved with the full path as it is and the bare
    insert (a fresh baseline in the same rounds): each variant's rate as a share of the bare rate."""
    from contextlib import ExitStack
    from unittest import mock

    from grassroots.core import deferred

    def no_deferred_row():
        return mock.patch.object(deferred, "enqueue", lambda *args, **kwargs: None)

    floor = Floor()

    def compiled_rows():
        """The resident page with ``case_receive`` itself replaced by the floor's two rows in plain SQL:
        the form, the portal's checks, the grid look-up, the session note and the redirect stay; the
        tier rules, deadline, codes, phone encryption, idempotency look-up, rollups and deferred row go."""
        from types import SimpleNamespace

        from grassroots.portal import services as portal

        def receive(*, title, body, intake_key, **_rest):
            return SimpleNamespace(pk=floor.write(title, body, intake_key)), True

        return mock.patch.object(portal, "case_receive", receive)

    variants = {"as_is": [], "no_deferred_row": [no_deferred_row], "compiled_rows": [compiled_rows]}

    def full_without(patches, n: int) -> None:
        with ExitStack() as stack:
            for patch in patches:
                stack.enter_context(patch())
            posts("full", n)

    spent = timed_rounds({**{name: (cases, lambda n, p=patches: full_without(p, n)) for name, patches in variants.items()},
                          "bare": (bare, lambda n: posts("bare", n))})
    bare_rate = bare / spent["bare"]
    out = {}
    for name in variants:
        rate = cases / spent[name]
        out[name] = {"per_s": round(rate, 1), "ms": round(1000 * spent[name] / cases, 2),
                     "ratio": round(rate / bare_rate, 3)}
        print(f"what if, {name:<16} {rate:7.1f}/s ({out[name]['ms']:5.2f} ms each) = {rate / bare_rate:6.1%} of bare",
              flush=True)
    out["bare_per_s"] = round(bare_rate, 1)
    return out


def after_commit(client, payloads: list[dict], n: int, worker_tasks: str) -> dict:
    """What the requests left for the worker (GRASSROOTS_AFTER_COMMIT=worker): drained here, timed; then
    a routing model trained from the shipped sample, a ``grassroots worker`` process started beside
    this one (at nice 10, as deploy/ starts it), and ``n`` residents' submits without a category, one every 0.25 s: seconds from each
    submit until routing decided (its suggestion row) and, when confident enough, dispatched the case."""
    from django.conf import settings
    from django.core.management import call_command

    from grassroots.cases.models import Case
    from grassroots.core import deferred
    from grassroots.notifications.models import Notification
    from grassroots.routing.models import RoutingSuggestion

    if settings.GRASSROOTS_AFTER_COMMIT != "worker":
        return {"after_commit": settings.GRASSROOTS_AFTER_COMMIT}
    waiting = deferred.waiting_count()
    t = time.perf_counter()
    while deferred.task("bench"):
        pass
    drain_s = time.perf_counter() - t
    notes = Notification.objects.count() / max(Case.objects.exclude(code__contains=FLOOR_MARK).count(), 1)
    print(f"after commit: {waiting} waiting rows done in-process in {drain_s:.1f} s "
          f"({waiting / max(drain_s, 1e-9):.0f}/s; duplicates, routing without a model, {notes:.1f} notifications per case)",
          flush=True)
    with open(os.devnull, "w") as quiet:
        call_command("routing_train", verbosity=0, stdout=quiet)
    worker = subprocess.Popen([str(Path(sys.executable).parent / "grassroots"), "worker", "--name", "bench-worker",
                               "--only", worker_tasks],
                              env={**os.environ, "PYTHONUNBUFFERED": "1"}, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True,
                              preexec_fn=lambda: os.nice(10))  # as deploy/ runs every worker (docs/deploy.md)
    try:
        for line in worker.stdout:  # started, the model and the word dictionary loaded (warm_up)
            if line.rstrip().endswith("ready"):
                break
        submitted: dict[int, float] = {}
        decided: dict[int, float] = {}
        dispatched: dict[int, float] = {}

        def look(until: float) -> None:
            """Note when routing has decided on each submitted case, every 20 ms until ``until``."""
            while time.perf_counter() < until and len(decided) < n:
                now = time.perf_counter()
                for pk in RoutingSuggestion.objects.filter(case_id__in=submitted).exclude(
                        case_id__in=decided).values_list("case_id", flat=True):
                    decided[pk] = now - submitted[pk]
                for pk in Case.objects.filter(pk__in=submitted).exclude(status=Case.Status.REPORTED).exclude(
                        pk__in=dispatched).values_list("pk", flat=True):
                    dispatched[pk] = now - submitted[pk]
                time.sleep(0.02)

        for _ in range(n):
            payload = {k: v for k, v in payloads.pop().items() if k != "category"}
            t = time.perf_counter()
            response = client.post("/r/new/", payload)
            assert response.status_code == 302, response.content[:300]
            submitted[Case.objects.order_by("-pk").values_list("pk", flat=True).first()] = t
            look(t + 0.25)
        look(time.perf_counter() + 60)
    finally:
        worker.terminate()
        worker.wait(timeout=60)
    seconds = sorted(decided.values())
    auto = sorted(dispatched.values())

    def pct(values, q):
        return round(values[min(len(values) - 1, int(q * len(values)))], 2) if values else None

    print(f"worker running: {len(seconds)}/{len(submitted)} submits decided by routing, p50 {pct(seconds, 0.5)} s, "
          f"p95 {pct(seconds, 0.95)} s; {len(auto)} dispatched automatically, p95 {pct(auto, 0.95)} s", flush=True)
    return {"after_commit": "worker", "worker_tasks": worker_tasks, "drain_per_s": round(waiting / max(drain_s, 1e-9), 1),
            "routing_decided": len(seconds), "submits": len(submitted),
            "submit_to_decision_p50_s": pct(seconds, 0.5), "submit_to_decision_p95_s": pct(seconds, 0.95),
            "auto_dispatched": len(auto), "submit_to_dispatch_p95_s": pct(auto, 0.95)}


def build_world() -> dict:
    from grassroots.accounts.models import User
    from grassroots.areas.models import Area
    from grassroots.demo.accounts import DEMO_USERNAMES
    from grassroots.demo.generator import build_plan
    from grassroots.demo.loader import load_plan
    from grassroots.demo.staff import create_crew
    from grassroots.orgs.models import Unit

    plan = build_plan("zhangwan", 1, people="none")
    load_plan(plan)
    area_ids = dict(Area.objects.values_list("code", "pk"))
    unit_ids = dict(Unit.objects.values_list("name", "pk"))
    users = {u.username: u for u in User.objects.filter(username__in=DEMO_USERNAMES)}
    crew = create_crew(plan, area_ids=area_ids, unit_ids=unit_ids, person_ids=[], demo_users=users,
                       password=users["grid"].password)
    points = list(Area.objects.filter(level="building").values_list("lat", "lng"))
    return {"plan": plan, "points": points,
            "staff": len(crew.grid) + len(crew.community) + len(crew.street) + len(crew.unit)}


def make_payloads(world: dict, n: int) -> list[dict]:
    """Form posts as the resident page sends them: texts of the demo's templates, a point inside a
    grid, a category of the taxonomy, an urgency, a contact, a fresh idempotency key (the portal's
    fields and the bench view's in one dict; each view reads its own)."""
    from grassroots.cases.models import Category
    from grassroots.demo.local_texts import local_templates
    from grassroots.demo.texts import real_templates, render

    rng = random.Random(7)
    codes = {tuple(c.path_names()): c.code for c in Category.objects.select_related("parent__parent")}
    places = {"district": "张湾区", "city": "十堰市", "province": "湖北省", "street": "汉江路街道",
              "community": "阳光社区", "estate": "阳光栖谷小区", "building": "3栋", "road": "汉江路",
              "reply_date": "", "phone": "6213457", "year": "2026"}
    templates = [*local_templates(), *real_templates()]
    out = []
    for i in range(n):
        t = rng.choice(templates)
        lat, lng = rng.choice(world["points"])
        body = render(t.body, places)
        out.append({
            "title": render(t.title, places), "body": body, "description": body, "lat": f"{lat:.6f}",
            "lng": f"{lng:.6f}", "category": codes.get(t.path, ""), "urgency": t.urgency,
            **({"emergency": "on"} if t.urgency == "emergency" else {}),
            "contact_name": "张女士", "contact_phone": f"139{rng.randint(0, 99999999):08d}",
            "intake_key": f"bench-{i:06d}-{rng.getrandbits(64):016x}",
        })
    return out


def install_urls() -> None:
    """The two endpoints, behind every route of the project (the resolver walks them all first)."""
    import types

    from django import forms
    from django.db import connection
    from django.http import JsonResponse
    from django.urls import path
    from django.utils import timezone

    from grassroots import urls as project_urls
    from grassroots.cases import services
    from grassroots.cases.models import Category
    from grassroots.worktime.models import Urgency

    with connection.cursor() as cur:
        cur.execute("CREATE TABLE bench_bare (id INTEGER PRIMARY KEY, title VARCHAR(200), body TEXT, at VARCHAR(40))"
                    if connection.vendor == "sqlite" else
                    "CREATE TABLE bench_bare (id SERIAL PRIMARY KEY, title VARCHAR(200), body TEXT, at VARCHAR(40))")

    class IntakeForm(forms.Form):
        title = forms.CharField(max_length=200)
        body = forms.CharField(max_length=5000)
        lat = forms.FloatField(min_value=-90, max_value=90)
        lng = forms.FloatField(min_value=-180, max_value=180)
        category = forms.ModelChoiceField(queryset=Category.objects.all(), to_field_name="code", required=False)
        urgency = forms.ChoiceField(choices=Urgency.choices)
        contact_name = forms.CharField(max_length=50, required=False)
        contact_phone = forms.CharField(max_length=20, required=False)
        anonymous = forms.BooleanField(required=False)
        intake_key = forms.CharField(max_length=64)

    def intake(request):
        form = IntakeForm(request.POST)
        if not form.is_valid():
            return JsonResponse({"errors": form.errors}, status=400)
        d = form.cleaned_data
        case, _created = services.case_receive(
            title=d["title"], body=d["body"], channel="resident_web",
            actor=request.user if request.user.is_authenticated else None, lat=d["lat"], lng=d["lng"],
            category=d["category"], urgency=d["urgency"], contact_name=d["contact_name"],
            contact_phone=d["contact_phone"], anonymous=d["anonymous"], intake_key=d["intake_key"])
        return JsonResponse({"code": case.code, "tracking_code": case.tracking_code}, status=201)

    def bare(request):
        title, body = request.POST.get("title", ""), request.POST.get("body", "")
        with connection.cursor() as cur:
            cur.execute("INSERT INTO bench_bare (title, body, at) VALUES (%s, %s, %s)",
                        [title[:200], body, timezone.now().isoformat()])
        return JsonResponse({"ok": True}, status=201)

    floor = Floor()

    def rows(request):
        case_id = floor.write(request.POST.get("title", ""), request.POST.get("body", ""),
                              request.POST.get("intake_key", ""))
        return JsonResponse({"id": case_id}, status=201)

    module = types.ModuleType("intake_bench_urls")
    module.urlpatterns = [*project_urls.urlpatterns, path("bench/intake/", intake), path("bench/bare/", bare),
                          path("bench/rows/", rows)]
    sys.modules["intake_bench_urls"] = module


FLOOR_MARK = "-floor-"  # in the numbers of the floor's cases (they notify nobody: left out of the per-case counts)


class Floor:
    """The case row and its ``report`` event written with plain SQL compiled once from the newest case
    (made by the full path in the warm-up) and its event: per request only the number, tracking code,
    one-time key, title, body and times change, and the event follows its chain's head (and lock)."""

    def __init__(self) -> None:
        self.ready = False

    def _compile(self) -> None:
        from django.db import connection
        from django.db.models.sql import InsertQuery

        from grassroots.cases.models import Case, CaseEvent

        def compiled(model, obj, changing: tuple[str, ...], returning: bool):
            fields = [f for f in model._meta.local_concrete_fields if not f.primary_key and not f.generated]
            query = InsertQuery(model)
            query.insert_values(fields, [obj])
            compiler = query.get_compiler(connection=connection)
            compiler.returning_fields = [model._meta.pk] if returning else None
            (sql, params), = compiler.as_sql()
            names = [f.attname for f in fields]
            return sql, list(params), {name: names.index(name) for name in changing}

        case = Case.objects.order_by("-pk").first()
        event = CaseEvent.objects.filter(case=case, action="report").first()
        self.district = case.district_code
        self.case_sql, self.case_params, self.case_at = compiled(
            Case, case, ("code", "tracking_code", "intake_key", "title", "body", "created_at", "updated_at"), True)
        self.event_sql, self.event_params, self.event_at = compiled(
            CaseEvent, event, ("case_id", "at", "prev_hash", "hash"), False)
        self.ready = True

    def write(self, title: str, body: str, key: str) -> int:
        import hashlib
        import secrets

        from django.db import connection, transaction
        from django.utils import timezone

        from grassroots.cases.models import CaseEvent
        from grassroots.core import chain

        if not self.ready:
            self._compile()
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        p, at = list(self.case_params), self.case_at
        p[at["code"]] = f"{self.district}{FLOOR_MARK}{secrets.token_hex(5)}"  # 23 of the 24 characters
        p[at["tracking_code"]], p[at["intake_key"]] = secrets.token_hex(6), key
        p[at["title"]], p[at["body"]], p[at["created_at"]], p[at["updated_at"]] = title[:200], body, now, now
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(self.case_sql, p)
            case_id = cursor.fetchone()[0]
            chain.lock([self.district])  # PostgreSQL: the chain's order; nothing on SQLite
            previous = chain.head(CaseEvent, self.district)
            e, at = list(self.event_params), self.event_at
            e[at["case_id"]], e[at["at"]], e[at["prev_hash"]] = case_id, now, previous
            e[at["hash"]] = hashlib.sha256(f"{previous}{case_id}{now}".encode()).hexdigest()
            cursor.execute(self.event_sql, e)
        return case_id


def summarise(vendor: str, counts: dict[str, int], spent: dict[str, float], statements: dict) -> dict:
    from grassroots.cases.models import Case
    from grassroots.notifications.models import Notification

    per_s = {name: counts[name] / spent[name] for name in counts}
    labels = {"full": "full intake (resident page)", "receive": "case_receive view",
              "rows": "the two rows in plain SQL", "bare": "bare insert"}
    for name, label in labels.items():
        ms = 1000 * spent[name] / counts[name]
        print(f"{label:<28} {counts[name]:>5} in {spent[name]:6.2f} s = {per_s[name]:7.1f}/s ({ms:6.2f} ms each); "
              f"{len(statements[name])} statements ({statements[name].kinds()})")
    cases, notes = Case.objects.exclude(code__contains=FLOOR_MARK).count(), Notification.objects.count()
    ratio = per_s["full"] / per_s["bare"]
    print(f"ratio full/bare: {ratio:.1%} (case_receive view/bare: {per_s['receive'] / per_s['bare']:.1%}; "
          f"the floor, the two rows in plain SQL/bare: {per_s['rows'] / per_s['bare']:.1%}); "
          f"{cases} cases written with {notes} notifications ({notes / max(cases, 1):.1f} per case)")
    return {"db": vendor, "full_per_s": round(per_s["full"], 1), "bare_per_s": round(per_s["bare"], 1),
            "ratio": round(ratio, 3), "receive_per_s": round(per_s["receive"], 1),
            "rows_per_s": round(per_s["rows"], 1), "rows_ratio": round(per_s["rows"] / per_s["bare"], 3),
            "rows_ms": round(1000 * spent["rows"] / counts["rows"], 2),
            "full_ms": round(1000 * spent["full"] / counts["full"], 2),
            "bare_ms": round(1000 * spent["bare"] / counts["bare"], 2),
            "full_statements": len(statements["full"]), "bare_statements": len(statements["bare"]),
            "notifications_per_case": round(notes / max(cases, 1), 2), "cases": counts["full"],
            "bare": counts["bare"]}


class Statements:
    """An execute wrapper that keeps the SQL of every statement (of the connection it wraps: the project
    keeps it between requests, ``conn_max_age`` 60 s, SQLite's too)."""

    def __init__(self) -> None:
        self.sql: list[str] = []

    def __call__(self, execute, sql, params, many, context):
        self.sql.append(sql)
        return execute(sql, params, many, context)

    def __len__(self) -> int:
        return len(self.sql)

    def kinds(self) -> str:
        out: dict[str, int] = {}
        for sql in self.sql:
            word = sql.split()[0].upper()
            out[word] = out.get(word, 0) + 1
        return ", ".join(f"{k} {v}" for k, v in sorted(out.items()))


def profile(post_full, n: int) -> None:
    """Where a full request's time goes: each phase timed by wrapping the functions that do it
    (wherever the portal and the case services call them from)."""
    from grassroots.cases import notify, services
    from grassroots.portal import services as portal
    from grassroots.portal import views as portal_views

    phases = {  # label → the (module, attribute) pairs that do it
        "report_submit": [(portal_views, "report_submit")],
        "case_receive": [(portal, "case_receive")],
        "locate (grid_locate)": [(portal, "grid_locate"), (services, "_place")],
        "category look-up": [(portal, "_category")],
        "idempotency look-up": [(services, "_already_received")],
        "route (tier rules, team)": [(services, "route_for")],
        "deadline (working calendar)": [(services, "_deadline")],
        "event insert": [(services, "_event")],
        "notifications": [(notify, "case_event_written")],
    }
    spent = dict.fromkeys(phases, 0.0)
    originals = []
    for label, targets in phases.items():
        for module, name in targets:
            original = getattr(module, name)
            originals.append((module, name, original))

            def timed(*a, _f=original, _label=label, **kw):
                t = time.perf_counter()
                try:
                    return _f(*a, **kw)
                finally:
                    spent[_label] += time.perf_counter() - t

            setattr(module, name, timed)
    try:
        t = time.perf_counter()
        for _ in range(n):
            post_full()
        total = time.perf_counter() - t
    finally:
        for module, name, original in originals:
            setattr(module, name, original)
    submit, receive = spent.pop("report_submit"), spent.pop("case_receive")
    inside = ("idempotency look-up", "route (tier rules, team)", "deadline (working calendar)", "event insert",
              "notifications")
    rows = {k: v for k, v in spent.items()}
    rows["case insert, checks, savepoints"] = receive - sum(spent[k] for k in inside)
    rows["portal checks (report_submit)"] = submit - receive - spent["locate (grid_locate)"] - spent[
        "category look-up"]
    rows["request, form, session, redirect"] = total - submit
    print(f"\nprofile of {n} full requests ({1000 * total / n:.2f} ms each):")
    for label, s in rows.items():
        print(f"  {label:<34} {1000 * s / n:7.2f} ms  {s / total:6.1%}")
    try:
        from pyinstrument import Profiler
    except ImportError:
        return
    profiler = Profiler()
    profiler.start()
    for _ in range(100):
        post_full()
    profiler.stop()
    print(profiler.output_text(show_all=False, color=False)[:8000])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=600, help="full intake requests (default 600)")
    parser.add_argument("--bare", type=int, default=3000, help="bare insert requests (default 3000)")
    parser.add_argument("--only", choices=["sqlite", "postgresql"], default="")
    parser.add_argument("--profile", action="store_true", help="time each phase of a full request")
    parser.add_argument("--what-if", action="store_true",
                        help="the full path again without the deferred row, and with the case service "
                             "replaced by two rows in plain SQL (patched)")
    parser.add_argument("--worker-tasks", default="core.deferred",
                        help="the tasks of the timed worker (grassroots worker --only; default: core.deferred, "
                             "a worker kept for what follows submits)")
    parser.add_argument("--dispatch", type=int, default=40,
                        help="submits timed to routing's decision with a worker running (default 40)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
    else:
        parent(args)


if __name__ == "__main__":
    main()
