"""Open311, the dispatch board and the case list over real HTTP, served as production serves them, at 100,000 cases.

    .venv/bin/python benchmarks/http_load.py                  # a scratch SQLite database, removed at the end
    .venv/bin/python benchmarks/http_load.py --reuse          # keep the database in /tmp/http_load_db (made once)
    options: --cases N (default 100,000)  --duration S (seconds per endpoint, default 20)
             --threads N (client threads, default 4)  --home DIR (the folder --reuse keeps)
             --no-worker (diagnostic: gunicorn alone, what follows the submits left waiting)
             --postgresql (PostgreSQL instead of SQLite: DATABASE_URL when it names one, else a server
             of its own whose cluster is kept in --home/pg with --reuse; VACUUM ANALYZE after the build)

1. A scratch folder (``GRASSROOTS_HOME``) with a SQLite database: ``migrate``, the demo district
   without people (``build_plan("zhangwan", 1, people="none")`` + ``load_plan`` + one staff account per
   grid, community, street and unit, as benchmarks/intake.py builds it), then N cases bulk-written
   (``executemany`` of plain INSERTs, like benchmarks/dashboard.py's generator but portable): received
   over the past 365 days in random grids, with the mix of a working district (most closed and rated,
   a backlog of the last 30 days running, some rejected, merged or parked), owned by the grid (75 %),
   the community (15 %) or the street (10 %), 5 % anonymous, the demo's real complaint texts, with
   their events (report, accept, dispatch, start, reply, verify, rate …: 6.6 a case). Then
   ``kpi_rebuild`` (the generator bypasses the rollups' writer). ``collectstatic`` (DEBUG=0 serves
   hashed names) and an Open311 API client (its key) for this run.
2. ``gunicorn -c deploy/gunicorn.conf.py grassroots.wsgi`` exactly as production starts it
   (GRASSROOTS_WEB_WORKERS=2, GRASSROOTS_DEBUG=0, plain HTTP on loopback: GRASSROOTS_HTTPS=0, no proxy),
   and beside it one ``grassroots worker --only core.deferred`` (GRASSROOTS_AFTER_COMMIT=worker, the
   default: a submit's notifications, duplicate check and routing go to the worker) at ``nice 10``, as
   deploy/ starts every worker (``--worker-nice 0`` gives it equal turns with gunicorn).
3. Closed-loop load from ``--threads`` client threads, a new connection per request
   (``Connection: close``), each endpoint on its own for ``--duration`` seconds after a short warm-up:
   * **create**: ``POST /open311/v2/requests.json`` (api_key, service_code, lat/long, description,
     name and phone, an ``Idempotency-Key`` header), expecting 201;
   * **list**: ``GET /open311/v2/requests.json`` — the first page as a client asks for it (no
     arguments: the last 90 days, up to 1,000 requests);
   * **detail**: ``GET /open311/v2/requests/<id>.json`` for random existing public cases;
   * **board**: ``GET /cases/board/`` as the street dispatcher ``street`` (signed in through
     ``/login/`` with the CSRF token, one session per thread), expecting 200;
   * **cases**: ``GET /cases/``, the staff case list (the street's cases of every status, newest
     first, with its count), as the same dispatcher — no aim in the issue; a list over a place's history.
   Any other status is an error; the first bodies are printed, and tracebacks from gunicorn's log.
   The CPU the gunicorn processes, the worker and this client used during each run, in cores (/proc).
4. The deferred rows still waiting (``core.Deferred``) right after the create run, how long the worker
   then takes to do them (the reads wait for it: measured beside a busy worker they would share its
   cores), and the rows left at the end (rows an earlier --reuse run left are done before the servers start).
   Then the burst's creates are rejected as test data (不予受理) through the case services, as a
   dispatcher would (``work_off_creates``; an earlier --reuse run's open ones are ended at the start), so
   every run's board and the duplicate finder's open cases are those the database was built with; the
   JSON line says how many cases the street's board held (``board_waiting``).
5. Each request once in-process (Django's test client, ``CaptureQueriesContext``, the servers
   stopped): its queries, its time, the time in the database, its slowest query; then the median
   of 20 more (5 for the list and the board).
6. The load average at start and end, then one JSON line of figures.
"""

from __future__ import annotations

import argparse
import atexit
import http.client
import json
import os
import random
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT), str(ROOT / "benchmarks")]
BIN = Path(sys.executable).parent
DISPATCHER = ("street", "demo12345")  # demo/accounts.py: the street admin of 汉江路街道 (a dispatcher)
AIMS = {"create_per_s": 140, "list_p95_ms": 50, "detail_p95_ms": 20, "board_p95_ms": 150}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def loadavg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def cpu_seconds(pid: int) -> float:
    """CPU seconds of a process and its children, live (from /proc) and reaped (cutime, cstime)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += sum(int(x) for x in fields[11:15]) / tick  # utime stime cutime cstime
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return total
    return total + sum(cpu_seconds(int(c)) for c in children)


# --- the environment ---------------------------------------------------------------------------------


def postgres_in(home: Path) -> str:
    """``--postgresql`` without DATABASE_URL: a PostgreSQL server whose cluster lives in ``home/pg`` (made
    on the first run, kept with --reuse like the SQLite file), started now and stopped at exit."""
    import intake

    return intake.start_postgres(home / "pg", options="-c shared_buffers=1GB -c max_connections=50")


def environment(home: Path, database_url: str = "") -> dict[str, str]:
    """The production variables of this run; the keys are kept in the folder so --reuse can decrypt."""
    keys_file = home / "keys.json"
    if keys_file.exists():
        keys = json.loads(keys_file.read_text())
    else:
        keys = {"secret": secrets.token_urlsafe(50), "data": secrets.token_urlsafe(30)}  # 67 and 40 characters
        keys_file.write_text(json.dumps(keys))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GRASSROOTS_", "DJANGO_"))}
    env.update({
        "GRASSROOTS_HOME": str(home), "DATABASE_URL": database_url or f"sqlite:///{home / 'bench.sqlite3'}",
        "GRASSROOTS_DEBUG": "0", "GRASSROOTS_SECRET_KEY": keys["secret"], "GRASSROOTS_DATA_KEY": keys["data"],
        "GRASSROOTS_ALLOWED_HOSTS": "127.0.0.1", "GRASSROOTS_HTTPS": "0", "GRASSROOTS_AFTER_COMMIT": "worker",
        "GRASSROOTS_WEB_WORKERS": "2", "DJANGO_SETTINGS_MODULE": "grassroots.settings", "PYTHONUNBUFFERED": "1",
    })
    return env


# --- the world and its history -----------------------------------------------------------------------


def texts(n: int) -> list[tuple[str, str]]:
    """(title, body) pairs of the demo's complaint templates, with places and numbers filled in."""
    from grassroots.demo.local_texts import local_templates
    from grassroots.demo.texts import real_templates, render

    rng = random.Random(11)
    places = {"district": "张湾区", "city": "十堰市", "province": "湖北省", "street": "汉江路街道",
              "community": "阳光社区", "estate": "阳光栖谷小区", "building": "3栋", "road": "汉江路",
              "reply_date": "", "phone": "6213457", "year": "2026"}
    templates = [*local_templates(), *real_templates()]
    out = []
    for _ in range(n):
        t = rng.choice(templates)
        out.append((render(t.title, places)[:200], render(t.body, places)[:5000]))
    return out


def _insert(model, objects: list, batch: int = 5000) -> None:
    """Plain INSERTs of unsaved model instances, every concrete column as given (no auto_now)."""
    from django.db import connection

    fields = [f for f in model._meta.concrete_fields if not f.primary_key and not f.generated]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {model._meta.db_table} ({columns}) VALUES ({marks})"  # noqa: S608
    with connection.cursor() as cur:
        for lo in range(0, len(objects), batch):
            cur.executemany(sql, [tuple(f.get_db_prep_save(getattr(o, f.attname), connection) for f in fields)
                                  for o in objects[lo:lo + batch]])


CHUNK = 20_000  # cases written (with their events) per transaction: a million fits in memory a chunk at a time


def generate(n: int, seed: int = 7) -> dict:
    """N cases over the last 365 days with their events, written in bulk; returns counts and seconds.
    In order of receipt, CHUNK cases a transaction: the time-ordered indexes are appended to, and on
    SQLite a large page cache keeps the other indexes' pages in memory (at a million cases a small cache
    made every insert a random read)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from grassroots.areas.models import Area, Level
    from grassroots.cases.models import Case, Category
    from grassroots.orgs.models import Unit

    rng = random.Random(seed)
    started = time.perf_counter()
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("PRAGMA cache_size = -2000000")  # 2 GB (this process only)
    district = Area.objects.get(level=Level.DISTRICT)
    ids = dict(Area.objects.values_list("code", "pk"))
    grids = []
    for g in Area.objects.filter(level=Level.GRID).order_by("code"):
        lat, lng = g.lat, g.lng
        if lat is None and g.boundary:
            ring = g.boundary["coordinates"][0] if g.boundary.get("type") == "Polygon" else \
                g.boundary["coordinates"][0][0]
            lat, lng = sum(p[1] for p in ring) / len(ring), sum(p[0] for p in ring) / len(ring)
        grids.append((g, lat or district.lat or 32.6, lng or district.lng or 110.8))
    world = {"district": district, "ids": ids, "grids": grids, "categories": list(Category.objects.filter(level=3)),
             "units": list(Unit.objects.values_list("pk", flat=True)) or [None], "pool": texts(500),
             "now": timezone.now(), "codes": set(Case.objects.values_list("code", flat=True)), "tracks": set()}
    ages = sorted((rng.random() * 365 * 86400 for _ in range(n)), reverse=True)  # oldest first
    events = 0
    for lo in range(0, n, CHUNK):
        with transaction.atomic():
            events += _chunk(rng, world, ages[lo:lo + CHUNK])
        if n > CHUNK:
            print(f"  {min(lo + CHUNK, n):,} cases written ({time.perf_counter() - started:.0f} s)", flush=True)
    return {"cases": n, "events": events, "seconds": time.perf_counter() - started}


def _chunk(rng: random.Random, world: dict, ages: list[float]) -> int:
    """Cases received ``ages`` seconds ago (oldest first), inserted with their events; returns the events."""
    from django.utils import timezone

    from grassroots.cases.models import Case, CaseEvent
    from grassroots.cases.services import CODE_ALPHABET, TRACKING_CODE_LENGTH
    from grassroots.core import chain

    S = Case.Status
    district, ids, grids, now = world["district"], world["ids"], world["grids"], world["now"]
    codes, tracks = world["codes"], world["tracks"]
    cases, plans, units = [], [], world["units"]
    for age in ages:
        grid, glat, glng = rng.choice(grids)
        created = now - timedelta(seconds=age)
        r = rng.random()
        status = (S.CLOSED if r < 0.80 else S.VERIFIED if r < 0.84 else S.REPLIED if r < 0.87 else
                  S.IN_PROGRESS if r < 0.90 else S.DISPATCHED if r < 0.92 else S.ACCEPTED if r < 0.93 else
                  S.REPORTED if r < 0.95 else S.PARKED if r < 0.96 else S.REJECTED if r < 0.98 else S.MERGED)
        if status in (S.REPORTED, S.ACCEPTED, S.DISPATCHED, S.IN_PROGRESS) and now - created > timedelta(days=30):
            status = S.CLOSED  # a case done long ago is not still running: the backlog is the last weeks'
        owner = rng.random()
        tier, team = (("grid", grid.code) if owner < 0.75 else ("community", grid.code[:12]) if owner < 0.90
                      else ("street", grid.code[:9]))
        deadline = created + timedelta(days=7)
        reply_h = 2 + rng.random() * 200
        replied = status in (S.REPLIED, S.VERIFIED, S.CLOSED)
        closed = status == S.CLOSED
        day = timezone.localtime(created).strftime("%y%m%d")
        code = f"{district.code}-{day}-{''.join(rng.choices(CODE_ALPHABET, k=8))}"
        while code in codes:
            code = f"{district.code}-{day}-{''.join(rng.choices(CODE_ALPHABET, k=8))}"
        codes.add(code)
        track = "".join(rng.choices(CODE_ALPHABET, k=TRACKING_CODE_LENGTH))
        while track in tracks:
            track = "".join(rng.choices(CODE_ALPHABET, k=TRACKING_CODE_LENGTH))
        tracks.add(track)
        title, body = rng.choice(world["pool"])
        category = rng.choice(world["categories"])
        rating = ("" if not closed else "satisfied" if rng.random() < 0.7 else "basic" if rng.random() < 0.67
                  else "unsatisfied")
        overdue = (replied and reply_h > 168) or (not replied and status not in (S.REJECTED, S.MERGED, S.PARKED)
                                                   and deadline < now)
        cases.append(Case(
            code=code, tracking_code=track, title=title, body=body, status=status,
            channel=rng.choice(["hotline", "hotline", "resident_web", "patrol", "open311", "walk_in"]),
            urgency="general", tier=tier, category_id=category.pk, area_id=grid.pk, area_code=grid.code,
            lat=glat + (rng.random() - 0.5) * 0.004, lng=glng + (rng.random() - 0.5) * 0.004,
            district_code=district.code, anonymous=rng.random() < 0.05, assigned_area_id=ids.get(team),
            assigned_unit_id=rng.choice(units) if status not in (S.REPORTED, S.ACCEPTED, S.REJECTED, S.MERGED)
            and rng.random() < 0.4 else None,
            deadline=deadline, first_deadline=deadline, deadline_started_at=created, overdue=overdue,
            overdue_at=deadline if overdue else None,
            responded_at=created + timedelta(hours=rng.random() * 40) if status != S.REPORTED else None,
            replied_at=created + timedelta(hours=reply_h) if replied else None,
            closed_at=created + timedelta(hours=reply_h + 28) if closed else None,
            rated_at=created + timedelta(hours=reply_h + 28) if closed else None, rating=rating,
            reopen_count=1 if rng.random() < 0.05 else 0, created_at=created, updated_at=created,
        ))
        plans.append((created, reply_h, status))
    last = Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    _insert(Case, cases)
    pks = dict(Case.objects.filter(pk__gt=last).values_list("code", "pk"))
    events = []
    for case, (created, reply_h, status) in zip(cases, plans, strict=True):
        pk = pks[case.code]

        def event(action, frm, to, at, note="", public=True, pk=pk):
            events.append(CaseEvent(case_id=pk, at=at, action=action, from_status=frm, to_status=to, note=note,
                                    public=public, data={}, district_code=district.code))

        event("report", "", S.REPORTED, created)
        if status in (S.REJECTED, S.MERGED):
            event("reject" if status == S.REJECTED else "merge", S.REPORTED, status, created + timedelta(hours=3),
                  note="不属于受理范围" if status == S.REJECTED else "与已有诉求重复")
            continue
        if status == S.REPORTED:
            continue
        event("accept", S.REPORTED, S.ACCEPTED, created + timedelta(hours=1))
        if status == S.ACCEPTED:
            continue
        if status == S.PARKED:
            event("park", S.ACCEPTED, S.PARKED, created + timedelta(hours=5), note="需纳入年度计划解决")
            continue
        event("dispatch", S.ACCEPTED, S.DISPATCHED, created + timedelta(hours=2))
        if status == S.DISPATCHED:
            continue
        event("start", S.DISPATCHED, S.IN_PROGRESS, created + timedelta(hours=3), public=False)
        if status == S.IN_PROGRESS:
            continue
        event("reply", S.IN_PROGRESS, S.REPLIED, created + timedelta(hours=reply_h),
              note="已联系相关部门现场处理，问题已解决，感谢您的反映。")
        if status == S.REPLIED:
            continue
        event("verify", S.REPLIED, S.VERIFIED, created + timedelta(hours=reply_h + 20))
        if status == S.CLOSED:
            event("rate", S.VERIFIED, S.CLOSED, created + timedelta(hours=reply_h + 28))
    chain.seal(CaseEvent, events)  # chained like the services' events, so audit_verify passes on this data
    _insert(CaseEvent, events)
    return len(events)


def build(args, home: Path, env: dict) -> None:
    """The database of this run: made once (and kept with --reuse)."""
    from io import StringIO

    from django.core.management import call_command

    import intake

    marker = home / "built.json"
    call_command("migrate", verbosity=0)
    if marker.exists():
        print(f"reusing {home}: {marker.read_text()}", flush=True)
        return
    t = time.perf_counter()
    world = intake.build_world()
    print(f"demo district and {world['staff']} staff accounts in {time.perf_counter() - t:.0f} s", flush=True)
    made = generate(args.cases)
    print(f"{made['cases']:,} cases and {made['events']:,} events written in {made['seconds']:.0f} s", flush=True)
    t = time.perf_counter()
    out = StringIO()
    call_command("kpi_rebuild", stdout=out)
    rebuild_s = time.perf_counter() - t
    print(f"kpi_rebuild in {rebuild_s:.0f} s: {out.getvalue().strip().splitlines()[0]}", flush=True)
    from django.db import connection

    if connection.vendor == "postgresql":  # the planner's statistics, as autovacuum would gather them later
        t = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        print(f"VACUUM ANALYZE in {time.perf_counter() - t:.0f} s", flush=True)
    marker.write_text(json.dumps({"cases": made["cases"], "events": made["events"],
                                  "generate_s": round(made["seconds"], 1), "rebuild_s": round(rebuild_s, 1)}))


# --- the servers -------------------------------------------------------------------------------------


class Servers:
    """gunicorn as production starts it, and the worker(s) for what follows the submits (one unless told)."""

    def __init__(self, home: Path, env: dict, *, worker: bool = True, worker_nice: int = 0,
                 worker_env: dict | None = None, workers: int = 1):
        self.home, self.port, self.worker_nice = home, free_port(), worker_nice
        self.workers_wanted = workers if worker else 0  # sustained.py --workers: more than one
        self.env = {**env, "GRASSROOTS_BIND": f"127.0.0.1:{self.port}"}
        self.worker_env = {**self.env, **(worker_env or {})}  # sustained.py: the worker logs at INFO
        self.log = home / "gunicorn.log"
        self.worker_log = home / "worker.log"
        self.procs: list[subprocess.Popen] = []

    def start(self) -> None:
        done = subprocess.run([str(BIN / "grassroots"), "collectstatic", "--noinput"], env=self.env, cwd=self.home,
                              capture_output=True, text=True)
        if done.returncode:
            sys.exit("collectstatic failed:\n" + done.stdout + done.stderr)
        with open(self.worker_log, "w") as wlog:
            self.workers = [subprocess.Popen(
                [str(BIN / "grassroots"), "worker", "--name", f"bench-worker{i or ''}", "--only", "core.deferred"],
                env=self.worker_env, cwd=self.home, stdout=wlog, stderr=subprocess.STDOUT,
                preexec_fn=(lambda: os.nice(self.worker_nice)) if self.worker_nice else None)
                for i in range(self.workers_wanted)]
            self.procs.extend(self.workers)
        with open(self.log, "w") as glog:
            self.gunicorn = subprocess.Popen(
                [str(BIN / "gunicorn"), "-c", str(ROOT / "deploy" / "gunicorn.conf.py"), "grassroots.wsgi"],
                env=self.env, cwd=self.home, stdout=glog, stderr=subprocess.STDOUT)
            self.procs.append(self.gunicorn)
        atexit.register(self.stop)
        for _ in range(600):
            try:
                if request(self.port, "GET", "/healthz")[0] == 200:
                    return
            except OSError:
                pass
            if any(p.poll() is not None for p in self.procs):
                sys.exit("a server stopped:\n" + self.log.read_text()[-3000:] + self.worker_log.read_text()[-3000:])
            time.sleep(0.1)
        sys.exit("gunicorn did not answer /healthz in 60 s:\n" + self.log.read_text()[-3000:])

    def cpu(self) -> tuple[float, float]:
        """CPU seconds so far of gunicorn (master and workers) and of the deferred worker(s)."""
        return cpu_seconds(self.gunicorn.pid), sum(cpu_seconds(w.pid) for w in self.workers)

    def stop(self) -> None:
        for p in reversed(self.procs):
            if p.poll() is None:
                p.terminate()
        for p in self.procs:
            try:
                p.wait(timeout=60)
            except subprocess.TimeoutExpired:
                p.kill()
        self.procs = []

    def tracebacks(self, limit: int = 3) -> list[str]:
        text = self.log.read_text(errors="replace")
        found = re.findall(r"(Traceback \(most recent call last\):.*?)(?=\n\S*pid=|\nTraceback|\Z)", text, re.S)
        return [t[-4000:] for t in found[:limit]]


# --- the client --------------------------------------------------------------------------------------


def request(port: int, method: str, path: str, *, body: bytes | None = None, headers: dict | None = None,
            cookies: dict | None = None, timeout: float = 120.0) -> tuple[int, bytes, http.client.HTTPResponse]:
    """One request on a new connection (no keep-alive), as a plain HTTP client sends it; ``cookies`` takes
    what the answer sets. No answer in ``timeout`` seconds raises TimeoutError."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        hdrs = {"Host": f"127.0.0.1:{port}", "Connection": "close", **(headers or {})}
        if cookies:
            hdrs["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        conn.request(method, path, body=body, headers=hdrs)
        response = conn.getresponse()
        data = response.read()
        if cookies is not None:
            for header in response.headers.get_all("Set-Cookie") or []:
                name, value = header.split(";", 1)[0].split("=", 1)
                cookies[name.strip()] = value.strip()
        return response.status, data, response
    finally:
        conn.close()


def sign_in(port: int, username: str, password: str) -> dict:
    cookies: dict[str, str] = {}
    status, page, _ = request(port, "GET", "/login/", cookies=cookies)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if status != 200 or token is None:
        sys.exit(f"/login/ answered {status} without a CSRF token")
    form = urllib.parse.urlencode({"csrfmiddlewaretoken": token.group(1).decode(), "username": username,
                                   "password": password}).encode()
    origin = f"http://127.0.0.1:{port}"
    status, page, _ = request(port, "POST", "/login/", body=form, cookies=cookies, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Origin": origin, "Referer": origin + "/login/"})
    if status != 302 or "sessionid" not in cookies:
        sys.exit(f"signing in as {username} failed ({status}): {page[:500]!r}")
    return cookies


class Endpoint:
    """One endpoint under load: ``make(thread_state)`` gives (method, path, body, headers)."""

    def __init__(self, name: str, expect: int, make, *, session=None):
        self.name, self.expect, self.make, self.session = name, expect, make, session
        self.ms: list[float] = []
        self.errors = 0
        self.bodies: list[str] = []
        self.lock = threading.Lock()

    def run(self, servers: Servers, threads: int, duration: float, warmup: int) -> dict:
        port = servers.port
        sessions = [self.session(port) if self.session else None for _ in range(threads)]

        def one(cookies, record: bool) -> None:
            method, path, body, headers = self.make()
            t = time.perf_counter()
            try:
                status, data, _ = request(port, method, path, body=body, headers=headers,
                                          cookies=dict(cookies) if cookies else None)
            except OSError as exc:
                status, data = 0, repr(exc).encode()
            ms = (time.perf_counter() - t) * 1000
            if not record:
                return
            with self.lock:
                self.ms.append(ms)
                if status != self.expect:
                    self.errors += 1
                    if len(self.bodies) < 3:
                        self.bodies.append(f"{status} {path}: {data[:600].decode('utf-8', 'replace')}")

        for cookies in sessions:  # warm up: each worker's URL resolver, gazetteer, templates
            for _ in range(warmup):
                one(cookies, False)
        stop = time.perf_counter() + duration

        def loop(cookies) -> None:
            while time.perf_counter() < stop:
                one(cookies, True)

        started = time.perf_counter()
        web0, worker0 = servers.cpu()
        client0 = time.process_time()
        workers = [threading.Thread(target=loop, args=(c,)) for c in sessions]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        elapsed = time.perf_counter() - started
        web1, worker1 = servers.cpu()
        cores = {"web": (web1 - web0) / elapsed, "worker": (worker1 - worker0) / elapsed,
                 "client": (time.process_time() - client0) / elapsed}
        out = {"requests": len(self.ms), "per_s": round(len(self.ms) / elapsed, 1),
               "p50_ms": round(pct(self.ms, 0.5), 1), "p95_ms": round(pct(self.ms, 0.95), 1),
               "p99_ms": round(pct(self.ms, 0.99), 1), "errors": self.errors,
               "cores": {k: round(v, 2) for k, v in cores.items()}}
        print(f"{self.name:>7}: {out['requests']:6,} requests in {elapsed:4.1f} s = {out['per_s']:7.1f}/s; "
              f"p50 {out['p50_ms']:7.1f} ms  p95 {out['p95_ms']:7.1f} ms  p99 {out['p99_ms']:7.1f} ms; "
              f"errors {self.errors}", flush=True)
        print(f"         cores busy: gunicorn {cores['web']:.2f}, worker {cores['worker']:.2f}, "
              f"this client {cores['client']:.2f} (of {os.cpu_count()}); load average {loadavg()}", flush=True)
        for body in self.bodies:
            print(f"         error: {body}", flush=True)
        return out


def open311_payloads(n: int, key: str, seed: int) -> list[tuple[bytes, str]]:
    """Open311 create bodies: a leaf category, a building's point, a real complaint text, a name and phone."""
    from grassroots.areas.models import Area
    from grassroots.cases.models import Category

    rng = random.Random(seed)
    points = list(Area.objects.filter(level="building").values_list("lat", "lng"))
    services = list(Category.objects.filter(level=3).values_list("code", flat=True))
    pool = texts(300)
    out = []
    for i in range(n):
        lat, lng = rng.choice(points)
        body = urllib.parse.urlencode({
            "api_key": key, "service_code": rng.choice(services), "lat": f"{lat:.6f}", "long": f"{lng:.6f}",
            "description": rng.choice(pool)[1][:4000], "first_name": "女士", "last_name": "张",
            "phone": f"139{rng.randint(0, 99999999):08d}"}).encode()
        out.append((body, f"bench-{seed}-{i}-{rng.getrandbits(48):012x}"))
    return out


# --- in-process -------------------------------------------------------------------------------------


def in_process(send, expect: int, more: int = 20) -> dict:
    """One request through Django's test client (no server, no network): its queries, its time, the
    time in the database and the slowest query; then the median time of ``more`` others."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):  # warm: the gazetteer, the resolver, the templates
        assert send().status_code == expect
    with CaptureQueriesContext(connection) as captured:
        t = time.perf_counter()
        response = send()
        one_ms = (time.perf_counter() - t) * 1000
    queries = list(captured.captured_queries)  # now: the next request_started empties the log
    assert response.status_code == expect, response.content[:500]
    times = []
    for _ in range(more):
        t = time.perf_counter()
        assert send().status_code == expect
        times.append((time.perf_counter() - t) * 1000)
    slowest = max(queries, key=lambda q: float(q["time"]))
    kinds: dict[str, int] = {}
    for q in queries:
        word = q["sql"].split()[0].upper()
        kinds[word] = kinds.get(word, 0) + 1
    return {"queries": len(queries), "ms": one_ms, "median_ms": statistics.median(times),
            "db_ms": sum(float(q["time"]) for q in queries) * 1000, "kinds": kinds, "bytes": len(response.content),
            "slowest_ms": float(slowest["time"]) * 1000, "slowest_sql": short_sql(slowest["sql"])}


def short_sql(sql: str) -> str:
    """A query with its long column list counted instead of spelled out."""
    return re.sub(r"^SELECT (.*?) FROM ", lambda m: f"SELECT <{m.group(1).count(', ') + 1} columns> FROM ", sql,
                  count=1, flags=re.S)


def in_process_all(key: str, detail_ids: list[str]) -> dict:
    """The five requests in-process: the create (the issue asks for its queries), and the four reads."""
    from django.test import Client

    from grassroots.accounts.models import User

    client = Client(HTTP_HOST="127.0.0.1")
    bodies = open311_payloads(30, key, seed=99)
    rng = random.Random(5)

    def create():
        body, idem = bodies.pop()
        return client.generic("POST", "/open311/v2/requests.json", body,
                              content_type="application/x-www-form-urlencoded", HTTP_IDEMPOTENCY_KEY=idem)

    board = Client(HTTP_HOST="127.0.0.1")
    board.force_login(User.objects.get(username=DISPATCHER[0]))
    out = {"create": in_process(create, 201),
           "list": in_process(lambda: client.get("/open311/v2/requests.json"), 200, more=5),
           "detail": in_process(lambda: client.get(f"/open311/v2/requests/{rng.choice(detail_ids)}.json"), 200),
           "board": in_process(lambda: board.get("/cases/board/"), 200, more=5),
           "cases": in_process(lambda: board.get("/cases/"), 200, more=5)}
    for name, one in out.items():
        print(f"in-process {name}: {one['queries']} queries ({one['kinds']}), {one['ms']:.1f} ms, of which "
              f"{one['db_ms']:.1f} ms in the database; median of {5 if name in ('list', 'board', 'cases') else 20} more "
              f"{one['median_ms']:.1f} ms; {one['bytes']:,} bytes; slowest query {one['slowest_ms']:.1f} ms:\n"
              f"    {one['slowest_sql'][:1200]}", flush=True)
    return out


def work_off_creates(district, actor, closer) -> tuple[int, float]:  # (cases ended, seconds)
    """The open cases as a district keeps them. Open311 creates wait on the street's board until a
    dispatcher takes them, and they stay open cases until they are closed: left alone, each --reuse run's
    board would read every earlier burst (a street's board grew from 616 to 3,415 waiting cases over a
    day's runs at a million), and the duplicate finder, which scores each new case against the open cases
    near it reported in its window, would score more of them every run (creates fell from 84.9 to 58.9/s
    within an hour). So the bench clients' open cases are ended here through the case services, with
    their events, as a dispatcher would end test data: one waiting on the board is rejected (不予受理);
    one an earlier version of this script dispatched (stop 33) is taken and answered by ``actor``, then
    verified and closed by ``closer`` (no one verifies their own answer). Every run then reads the
    backlog and the open cases the database was built with."""
    from django.db import transaction

    from grassroots.cases import services as svc
    from grassroots.cases.models import Case
    from grassroots.cases.transitions import OPEN

    S = Case.Status
    note = "压测数据"
    def reject(case):
        svc.case_reject(case=case, reason=f"{note}，不予受理", actor=actor)

    steps = {
        S.REPORTED: reject,
        S.ACCEPTED: reject,
        S.DISPATCHED: lambda case: svc.case_take(case=case, actor=actor, note=note),
        S.IN_PROGRESS: lambda case: svc.case_reply(case=case, reply=f"{note}，已处理", actor=actor),
        S.REPLIED: lambda case: svc.case_verify(case=case, actor=closer, note=note),
        S.VERIFIED: lambda case: svc.case_close(case=case, actor=closer, note=note),
    }
    open_ = list(Case.objects.filter(intake_receipt__client__source="open311-bench", district_code=district.code,
                                     status__in=sorted(OPEN)).order_by("pk"))
    t, ended = time.perf_counter(), 0
    for case in open_:  # (a parked, escalated or returned one — the bench makes none — is left as it is)
        with transaction.atomic():
            while case.status in steps:
                steps[case.status](case)
        ended += case.status not in OPEN
    return ended, time.perf_counter() - t


def worker_drains(left: int, *, worker: bool, limit_s: float = 600) -> tuple[float, int]:
    """Wait until the running worker has done the ``left`` deferred rows waiting (at most ``limit_s``):
    the seconds it took and the rows still waiting. Without a worker, nothing is waited for."""
    from grassroots.core.models import Deferred

    t = time.perf_counter()
    while left and worker and time.perf_counter() - t < limit_s:
        time.sleep(0.5)
        left = Deferred.objects.filter(failed=False).count()
    return time.perf_counter() - t, left


def board_waiting() -> int:
    """How many cases the street dispatcher's board holds (the rows its count and page read)."""
    from grassroots.accounts.models import User
    from grassroots.cases.selectors import board_cases_for

    return board_cases_for(User.objects.get(username=DISPATCHER[0])).count()


# --- main --------------------------------------------------------------------------------------------


def create_request(create: tuple[bytes, str]) -> tuple[str, str, bytes, dict]:
    """One of ``open311_payloads`` (body, idempotency key) as (method, path, body, headers) for ``request``."""
    body, idem = create
    return "POST", "/open311/v2/requests.json", body, {"Content-Type": "application/x-www-form-urlencoded",
                                                       "Idempotency-Key": idem}


@dataclass
class Prepared:
    home: Path
    env: dict
    key: str  # the run's Open311 API key
    district: object
    admin: object
    closer: object


def add_world_arguments(parser: argparse.ArgumentParser) -> None:
    """The options ``prepare`` and ``Servers`` read (this script's and ``sustained.py``'s)."""
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--reuse", action="store_true", help="keep the database in --home between runs")
    parser.add_argument("--home", default="/tmp/http_load_db")
    parser.add_argument("--worker-nice", type=int, default=10, metavar="N",
                        help="the deferred worker's niceness (default 10, as deploy/ starts every worker; 0: equal turns)")
    parser.add_argument("--postgresql", action="store_true",
                        help="PostgreSQL instead of SQLite: DATABASE_URL when it names one, else a server of its "
                             "own in --home (kept with --reuse)")


def prepare(args) -> Prepared:
    """The database as --cases, --reuse, --home and --postgresql say (built or reused), Django set up on
    it in this process, the earlier runs' open creates ended and their deferred rows done, and a new
    Open311 API client for this run. ``benchmarks/sustained.py`` starts the same way."""
    print(f"load average at start: {loadavg()} ({os.cpu_count()} cores)", flush=True)
    if args.reuse:
        home = Path(args.home)
        home.mkdir(parents=True, exist_ok=True)
    else:
        home = Path(tempfile.mkdtemp(prefix="grassroots-http-load-"))
        atexit.register(shutil.rmtree, home, ignore_errors=True)
    database_url = ""
    if args.postgresql:
        given = os.environ.get("DATABASE_URL", "")
        database_url = given if given.startswith("postgres") else postgres_in(home)
    env = environment(home, database_url)
    os.environ.clear()
    os.environ.update(env)
    import django

    django.setup()
    from grassroots.accounts.models import User
    from grassroots.areas.models import Area, Level
    from grassroots.core.models import Deferred
    from grassroots.intake.services import api_client_create

    build(args, home, env)
    district = Area.objects.get(level=Level.DISTRICT)
    admin = User.objects.filter(is_superuser=True).first()
    closer = User.objects.get(username="district")  # demo/accounts.py: the district admin
    done, took = work_off_creates(district, admin, closer)
    if done:
        print(f"{done} Open311 creates of earlier runs still open ended first ({took:.0f} s)", flush=True)
    left = Deferred.objects.filter(failed=False).count()
    if left:  # an earlier run's (--no-worker, or stopped mid-way), or the dispatches' just above: done now
        from grassroots.core import deferred  # so they do not weigh on this run

        t = time.perf_counter()
        while deferred.task("http-load-drain"):
            pass
        print(f"{left} deferred rows left by an earlier run done first ({time.perf_counter() - t:.0f} s)", flush=True)
    _client, key = api_client_create(name=f"压测客户端 {time.strftime('%H%M%S')}", source="open311-bench",
                                     district=district, actor=admin)
    return Prepared(home, env, key, district, admin, closer)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=20, help="seconds of load per endpoint (default 20)")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--no-worker", action="store_true",
                        help="diagnostic: no deferred worker beside gunicorn (production has one)")
    add_world_arguments(parser)
    args = parser.parse_args()
    run = prepare(args)
    home, env, key, district, admin, closer = run.home, run.env, run.key, run.district, run.admin, run.closer
    from django.db import connection

    from grassroots.cases.models import Case
    from grassroots.core.models import Deferred

    cases_before = Case.objects.count()
    detail_ids = list(Case.objects.filter(anonymous=False).order_by("?").values_list("code", flat=True)[:5000])
    creates = open311_payloads(int(args.duration * 600) + 200, key, seed=int(time.time()))
    connection.close()  # SQLite: this process holds nothing while the servers work

    servers = Servers(home, env, worker=not args.no_worker, worker_nice=args.worker_nice)
    servers.start()
    print(f"gunicorn (2 workers) on 127.0.0.1:{servers.port}, "
          f"{'NO worker' if args.no_worker else 'one worker for core.deferred'}"
          f"{f' at nice {args.worker_nice}' if args.worker_nice and not args.no_worker else ''}; "
          f"{cases_before:,} cases; {args.threads} client threads, {args.duration:.0f} s per endpoint", flush=True)
    rng = random.Random(3)
    create_lock = threading.Lock()

    def make_create():
        with create_lock:
            create = creates.pop()
        return create_request(create)

    endpoints = [
        Endpoint("create", 201, make_create),
        Endpoint("list", 200, lambda: ("GET", "/open311/v2/requests.json", None, {})),
        Endpoint("detail", 200, lambda: ("GET", f"/open311/v2/requests/{rng.choice(detail_ids)}.json", None, {})),
        Endpoint("board", 200, lambda: ("GET", "/cases/board/", None, {}),
                 session=lambda port: sign_in(port, *DISPATCHER)),
        Endpoint("cases", 200, lambda: ("GET", "/cases/", None, {}),
                 session=lambda port: sign_in(port, *DISPATCHER)),
    ]
    results, waiting_after_create, drain_s, board_rows = {}, None, None, None
    for endpoint in endpoints:
        results[endpoint.name] = endpoint.run(servers, args.threads, args.duration, warmup=3)
        if endpoint.name == "create":
            waiting_after_create = Deferred.objects.filter(failed=False).count()
            print(f"         deferred rows waiting right after the create run: {waiting_after_create}", flush=True)
            # the worker works off the burst before the reads are measured (else they share the cores with it)
            took, left = worker_drains(waiting_after_create, worker=not args.no_worker)
            drain_s = round(took, 1) if waiting_after_create and not args.no_worker else None
            connection.close()
            if drain_s is not None:
                print(f"         the worker did them in {drain_s} s after the run "
                      f"({waiting_after_create / max(drain_s, 0.1):.0f}/s; {left} left)", flush=True)
            done, took = work_off_creates(district, admin, closer)
            # what the rejections leave for the worker (their notifications), done too
            share, _left = worker_drains(Deferred.objects.filter(failed=False).count(), worker=not args.no_worker)
            board_rows = board_waiting()
            connection.close()
            print(f"         the run's {done} creates, still open, rejected as test data ({took:.0f} s, "
                  f"the worker's share {share:.0f} s); the street's board holds {board_rows:,} cases", flush=True)
    waiting = Deferred.objects.filter(failed=False).count()
    failed = Deferred.objects.filter(failed=True).count()
    connection.close()
    tracebacks = servers.tracebacks()
    servers.stop()
    print(f"deferred rows waiting at the end: {waiting} (failed: {failed})", flush=True)
    for tb in tracebacks:
        print("traceback in gunicorn's log:\n" + tb, flush=True)
    fivexx = len(re.findall(r'" 5\d\d ', servers.log.read_text(errors="replace")))

    inproc = in_process_all(key, detail_ids)
    one = inproc["create"]
    cases = Case.objects.count()
    print(f"load average at end: {loadavg()}", flush=True)

    r = results
    figures = {
        "db": connection.vendor, "cases": cases_before, "create_per_s": r["create"]["per_s"], "create_p50_ms": r["create"]["p50_ms"],
        "create_p95_ms": r["create"]["p95_ms"], "create_p99_ms": r["create"]["p99_ms"],
        "list_per_s": r["list"]["per_s"], "list_p50_ms": r["list"]["p50_ms"], "list_p95_ms": r["list"]["p95_ms"],
        "list_p99_ms": r["list"]["p99_ms"], "detail_per_s": r["detail"]["per_s"],
        "detail_p50_ms": r["detail"]["p50_ms"], "detail_p95_ms": r["detail"]["p95_ms"],
        "detail_p99_ms": r["detail"]["p99_ms"], "board_per_s": r["board"]["per_s"],
        "board_p50_ms": r["board"]["p50_ms"], "board_p95_ms": r["board"]["p95_ms"],
        "board_p99_ms": r["board"]["p99_ms"], "cases_per_s": r["cases"]["per_s"],
        "cases_p50_ms": r["cases"]["p50_ms"], "cases_p95_ms": r["cases"]["p95_ms"],
        "cases_p99_ms": r["cases"]["p99_ms"], "errors": sum(x["errors"] for x in r.values()), "http_5xx": fivexx,
        "deferred_waiting": waiting, "deferred_waiting_after_create": waiting_after_create,
        "deferred_drain_s": drain_s, "board_waiting": board_rows,
        "deferred_failed": failed, "create_queries": one["queries"], "create_inprocess_ms": round(one["ms"], 1),
        "create_inprocess_median_ms": round(one["median_ms"], 1),
        **{f"{k}_inprocess_ms": round(v["median_ms"], 1) for k, v in inproc.items() if k != "create"},
        **{f"{k}_queries": v["queries"] for k, v in inproc.items() if k != "create"},
        **{f"{k}_cores_web": v["cores"]["web"] for k, v in r.items()},
        "worker": not args.no_worker, "worker_nice": args.worker_nice, "cases_after": cases,
        "threads": args.threads, "duration_s": args.duration, "loadavg_end": loadavg(),
    }
    met = {"create_per_s": figures["create_per_s"] >= AIMS["create_per_s"],
           **{k: figures[k] <= v for k, v in AIMS.items() if k != "create_per_s"}}
    for k, ok in met.items():
        print(f"aim {k} {'≥' if k == 'create_per_s' else '≤'} {AIMS[k]}: {figures[k]} — {'met' if ok else 'NOT met'}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
