"""django-helpdesk 2.6.1 under http_load's load, at 100,000 tickets: the peer of issue 14, measured here.

    .venv/bin/python benchmarks/peer_helpdesk.py                 # a scratch folder, removed at the end
    .venv/bin/python benchmarks/peer_helpdesk.py --reuse         # keep the virtualenv and database in --home
    options: --tickets N (default 100,000)  --duration S (seconds per endpoint, default 20)
             --threads N (client threads, default 4)  --home DIR (default /tmp/peer_helpdesk, with --reuse)
             --auth token|basic (how the API client signs its requests, default token)
             --no-inprocess (skip step 6)

The load is benchmarks/http_load.py's (its ``pct``, ``loadavg``, ``free_port``, ``cpu_seconds`` and
``sign_in`` are imported, and its ``request`` with a 30 s timeout): gunicorn with 2 workers on
loopback, a SQLite database, closed-loop load from 4 client threads with a new connection per request,
each endpoint on its own for --duration seconds after a short warm-up. What differs is said here.

1. ``<home>/venv``, a virtualenv of its own (the project's .venv is not touched) with the pinned
   ``PINS`` below from PyPI: django-helpdesk 2.6.1 and what it requires, gunicorn, the same Django 5.2
   and gunicorn releases as the project's.
2. A minimal Django site for helpdesk in ``<home>/peerdesk`` (settings after helpdesk's install docs and
   its standalone settings: ``django.contrib.sites`` with ``SITE_ID``, ``django.contrib.humanize``,
   ``rest_framework``, ``helpdesk`` mounted at the root; teams mode off, as helpdesk's standalone site
   has it — on, it needs pinax-teams and three more apps; the API on: ``HELPDESK_API_ENABLED``, the 2.6
   name of older docs' ``HELPDESK_ACTIVATE_API_ENDPOINT``, on by default). ``DEBUG=False``, zh-hans,
   Asia/Shanghai, e-mail to Django's dummy backend (rendered, not sent), SQLite with the same options as
   grassroots' (WAL, ``synchronous=NORMAL``, IMMEDIATE transactions, 20 s busy timeout, connections kept
   60 s). ``migrate``, a superuser ``admin`` (the API client: DRF token), the staff member ``staff`` (the
   dispatcher who opens the pages) and nine more agents, one queue, then N tickets bulk-written
   (``executemany`` of plain INSERTs, 20,000 a transaction): received over the past 365 days with the mix
   of a working desk (most closed, a backlog of the last 30 days open, some resolved, reopened or
   duplicates), 90 % assigned to one of the ten agents, 5 % without a submitter e-mail, the demo's real
   complaint texts (``grassroots.demo.texts``, as http_load's cases) and their follow-ups (opened, a
   private note on some open ones, the reply that resolves, the closing: 2.9 a ticket).
3. ``gunicorn peerdesk.wsgi`` with 2 sync workers and gunicorn's default 30 s worker timeout (a request
   still running after 30 s has its worker killed and replaced; grassroots' deploy/gunicorn.conf.py says
   60 s), the access log in ``<home>/gunicorn.log``. No worker beside it: helpdesk does a submit's
   follow-up work (its e-mails) inside the request.
4. The same closed loop, but each request gives up after **30 s** (http_load waits 120 s): a timeout is
   an error, counted apart (``*_timeouts``), and its 30 s count in the percentiles. ``*_per_s`` counts the
   answers with the expected status. The warm-up stops at the first request slower than 5 s, and after an
   endpoint that timed out the script waits until gunicorn has replaced the killed workers.
   * **create**: ``POST /api/tickets/`` (helpdesk's DRF API, JSON: queue, title, description, submitter
     e-mail, priority), expecting 201. The API, not the public form: it is the machine-to-machine intake
     like Open311's create, and takes no CSRF round trip. Signed with a DRF token
     (``Authorization: Token …``, a key like Open311's api_key); ``--auth basic`` sends the password
     instead, which Django checks with PBKDF2 (1,000,000 rounds, about 0.26 s of CPU a request here);
   * **list**: ``GET /api/tickets/`` — the first page as a client asks for it (it paginates: 25 a page);
   * **detail**: ``GET /api/tickets/<id>/`` for random existing tickets;
   * **board**: ``GET /dashboard/`` as ``staff`` (signed in through ``/login/``, one session per thread):
     the nearest to grassroots' dispatcher board — the unassigned tickets to take, the agent's own, and
     the counts by age;
   * **cases**: ``GET /tickets/``, the staff ticket list page as ``staff`` (a shell: its rows come by AJAX);
   * **cases_rows**: the rows request that page makes (``/datatables_ticket_list/<query>``, its default
     filter — open and reopened — first 25 rows).
   The CPU the gunicorn processes used during each run, in cores (/proc).
5. Tracebacks and worker timeouts from gunicorn's log.
6. Each request once in-process (Django's test client in the helpdesk virtualenv, servers stopped, no
   timeout): its queries and its time; the median of 5 more when it took under a second.
7. The load average at start and end, then one JSON line of figures.
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
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from base64 import b64encode
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PEER = "django-helpdesk 2.6.1"
# Everything the virtualenv holds (pip freeze after ``pip install django-helpdesk==2.6.1 gunicorn``):
# Django and gunicorn are the project's releases.
# fmt: off
PINS = [
    "django-helpdesk==2.6.1", "Django==5.2.19", "gunicorn==27.0.1", "djangorestframework==3.18.3",
    "asgiref==3.13.0", "beautifulsoup4==4.15.0", "certifi==2026.10.19.post1", "charset-normalizer==3.5.3",
    "django-cleanup==9.0.0", "django-model-utils==5.0.0", "email-reply-parser==0.5.12", "idna==3.21",
    "Markdown==3.11.3", "nh3==0.3.8", "oauthlib==4.0.1", "requests==2.34.2", "requests-oauthlib==2.0.0",
    "soupsieve==4.1.4", "sqlparse==0.6.1", "typing_extensions==4.16.0", "urllib3==2.8.0"
]
# fmt: on
PASSWORD = "demo12345"
DISPATCHER = "staff"
TIMEOUT = 30.0  # seconds a client waits for an answer (the "time out (30 s)")
WORKER_TIMEOUT = 30  # gunicorn's default
CHUNK = 20_000  # tickets written (with their follow-ups) per transaction

# --- the site ----------------------------------------------------------------------------------------

SETTINGS = '''"""The django-helpdesk site of benchmarks/peer_helpdesk.py (written by it; rewritten on every run)."""

import json
from pathlib import Path

HOME = Path(__file__).resolve().parent.parent
SECRET_KEY = json.loads((HOME / "keys.json").read_text())["secret"]
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",  # helpdesk: the domain in its e-mails
    "django.contrib.humanize",  # helpdesk: elapsed times
    "rest_framework",  # helpdesk's API
    "rest_framework.authtoken",  # the API client's key
    "helpdesk",
]
SITE_ID = 1
HELPDESK_TEAMS_MODE_ENABLED = False  # as helpdesk's standalone site; on, it needs pinax-teams
HELPDESK_API_ENABLED = True  # /api/tickets/ (older docs: HELPDESK_ACTIVATE_API_ENDPOINT)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.BasicAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
}

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
ROOT_URLCONF = "peerdesk.urls"
WSGI_APPLICATION = "peerdesk.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]
LOGIN_URL = "helpdesk:login"
LOGIN_REDIRECT_URL = "helpdesk:dashboard"

# SQLite with grassroots' options (src/grassroots/settings.py), without its lock-file engine.
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(HOME / "helpdesk.sqlite3"),
        "CONN_MAX_AGE": 60,
        "OPTIONS": {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
STATIC_URL = "/static/"
STATIC_ROOT = str(HOME / "static")
MEDIA_URL = "/media/"
MEDIA_ROOT = str(HOME / "media")

EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"  # rendered, not sent
DEFAULT_FROM_EMAIL = SERVER_EMAIL = "helpdesk@example.com"

LOGGING = {  # a 500's traceback to gunicorn's log
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"handlers": ["console"], "level": "ERROR"}},
}
'''

URLS = """from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("helpdesk.urls", namespace="helpdesk")),
]
"""

WSGI = """import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peerdesk.settings")
application = get_wsgi_application()
"""


def site_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GRASSROOTS_", "DJANGO_", "PYTHON"))}
    env.update(DJANGO_SETTINGS_MODULE="peerdesk.settings", PYTHONPATH=str(home), PYTHONUNBUFFERED="1")
    return env


def make_venv(home: Path) -> Path:
    """The virtualenv with PINS, made once per folder (again when PINS change)."""
    venv = home / "venv"
    marker = venv / "pins.json"
    if marker.exists() and json.loads(marker.read_text()) == PINS:
        return venv / "bin" / "python"
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
    pip = [str(venv / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check", *PINS]
    done = subprocess.run(pip, capture_output=True, text=True)
    if done.returncode:
        sys.exit("pip install failed:\n" + done.stdout[-3000:] + done.stderr[-3000:])
    marker.write_text(json.dumps(PINS))
    print(f"virtualenv {venv} with {PEER} in {time.perf_counter() - t:.0f} s", flush=True)
    return venv / "bin" / "python"


def write_site(home: Path) -> None:
    package = home / "peerdesk"
    package.mkdir(parents=True, exist_ok=True)
    (package / "__init__.py").write_text("")
    (package / "settings.py").write_text(SETTINGS)
    (package / "urls.py").write_text(URLS)
    (package / "wsgi.py").write_text(WSGI)
    keys = home / "keys.json"
    if not keys.exists():
        keys.write_text(json.dumps({"secret": secrets.token_urlsafe(50)}))


def texts(n: int) -> list[tuple[str, str, str]]:
    """(title, body, reply) of the demo's complaint templates, places filled in as http_load.texts does."""
    sys.path[:0] = [str(ROOT / "src")]
    from grassroots.demo.local_texts import local_templates
    from grassroots.demo.texts import real_templates, render

    rng = random.Random(11)
    places = {"district": "张湾区", "city": "十堰市", "province": "湖北省", "street": "汉江路街道",
              "community": "阳光社区", "estate": "阳光栖谷小区", "building": "3栋", "road": "汉江路",
              "reply_date": "", "phone": "6213457", "year": "2026"}  # fmt: skip
    templates = [*local_templates(), *real_templates()]
    out = []
    for _ in range(n):
        t = rng.choice(templates)
        reply = render(t.reply, places) if t.reply else "已联系相关部门现场处理，问题已解决，感谢您的反映。"
        out.append((render(t.title, places)[:200], render(t.body, places)[:5000], reply[:5000]))
    return out


def step(python: Path, home: Path, name: str, *extra: str) -> None:
    """Run one of this script's steps inside the helpdesk virtualenv (``--step``)."""
    cmd = [str(python), str(Path(__file__).resolve()), "--step", name, "--home", str(home), *extra]
    done = subprocess.run(cmd, env=site_env(home), cwd=home)
    if done.returncode:
        sys.exit(f"step {name} failed ({done.returncode})")


# --- inside the helpdesk virtualenv: the database ----------------------------------------------------


def _insert(model, objects: list, batch: int = 5000) -> None:
    """Plain INSERTs of unsaved model instances, every concrete column as given (http_load's, copied:
    this runs in the helpdesk virtualenv, which does not import the project)."""
    from django.db import connection

    fields = [f for f in model._meta.concrete_fields if not f.primary_key and not f.generated]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {model._meta.db_table} ({columns}) VALUES ({marks})"  # noqa: S608
    with connection.cursor() as cur:
        for lo in range(0, len(objects), batch):
            rows = [
                tuple(f.get_db_prep_save(getattr(o, f.attname), connection) for f in fields)
                for o in objects[lo : lo + batch]
            ]
            cur.executemany(sql, rows)


def build(home: Path, n: int) -> None:
    """migrate, the accounts, the queue and N tickets with their follow-ups; built.json says what was made."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.sites.models import Site
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone
    from helpdesk.models import Queue, Ticket
    from rest_framework.authtoken.models import Token

    marker = home / "built.json"
    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    if marker.exists():
        print(f"reusing {home}: {marker.read_text()}", flush=True)
        return
    migrate_s = time.perf_counter() - t
    Site.objects.update_or_create(pk=1, defaults={"domain": "127.0.0.1", "name": "peerdesk"})
    User = get_user_model()
    admin = User.objects.create_superuser("admin", "admin@example.com", PASSWORD)
    agents = [
        User.objects.create_user(name, f"{name}@example.com", PASSWORD, is_staff=True, first_name=first)
        for name, first in [
            (DISPATCHER, "调度员"),
            *((f"agent{i:02d}", f"坐席{i:02d}") for i in range(1, 10)),
        ]
    ]
    token = Token.objects.create(user=admin).key
    queue = Queue.objects.create(title="市民诉求", slug="citizen", allow_public_submission=True)
    pool = [tuple(x) for x in json.loads((home / "texts.json").read_text())]
    rng = random.Random(7)
    now = timezone.now()
    ages = sorted((rng.random() * 365 * 86400 for _ in range(n)), reverse=True)  # oldest first
    t = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("PRAGMA cache_size = -1000000")  # 1 GB, this process only
    followups = 0
    for lo in range(0, n, CHUNK):
        with transaction.atomic():
            followups += _chunk(rng, now, queue, agents, pool, ages[lo : lo + CHUNK])
        if n > CHUNK:
            print(f"  {min(lo + CHUNK, n):,} tickets written ({time.perf_counter() - t:.0f} s)", flush=True)
    generate_s = time.perf_counter() - t
    ids = Ticket.objects.order_by("pk").values_list("pk", flat=True)
    # fmt: off
    made = {"tickets": n, "followups": followups, "migrate_s": round(migrate_s, 1),
            "generate_s": round(generate_s, 1), "token": token, "queue": queue.pk, "first_id": ids.first(),
            "last_id": ids.last(), "agents": len(agents), "admin": admin.username}
    # fmt: on
    print(f"{n:,} tickets and {followups:,} follow-ups written in {generate_s:.0f} s", flush=True)
    marker.write_text(json.dumps(made))


def _chunk(rng: random.Random, now, queue, agents: list, pool: list, ages: list[float]) -> int:
    """Tickets received ``ages`` seconds ago (oldest first) with their follow-ups; returns the follow-ups."""
    from helpdesk.models import FollowUp, Ticket

    S = Ticket
    # closed 80 %, resolved 7 %, open 8 %, reopened 1 %, closed unanswered (not ours) 2 %, duplicate 2 %
    mix = [(0.80, S.CLOSED_STATUS), (0.87, S.RESOLVED_STATUS), (0.95, S.OPEN_STATUS),
           (0.96, S.REOPENED_STATUS), (0.98, S.CLOSED_STATUS), (1.0, S.DUPLICATE_STATUS)]  # fmt: skip
    tickets, plans = [], []
    for age in ages:
        created = now - timedelta(seconds=age)
        r = rng.random()
        status = next(status for limit, status in mix if r < limit)
        if status in (Ticket.OPEN_STATUS, Ticket.REOPENED_STATUS) and age > 30 * 86400:
            status = Ticket.CLOSED_STATUS  # a ticket done long ago is not still open: the backlog is recent
        assigned = rng.choice(agents) if rng.random() < 0.9 else None
        reply_h = 2 + rng.random() * 200
        title, body, reply = rng.choice(pool)
        done = status in (Ticket.RESOLVED_STATUS, Ticket.CLOSED_STATUS)
        last = created + timedelta(
            hours=reply_h + 28 if status == S.CLOSED_STATUS else reply_h if done else 1
        )
        email = None if rng.random() < 0.05 else f"resident{rng.randrange(10**7):07d}@example.com"
        p = rng.random()
        # fmt: off
        tickets.append(Ticket(
            title=title, queue_id=queue.pk, created=created, modified=min(last, now), submitter_email=email,
            assigned_to_id=assigned.pk if assigned else None, status=status, description=body,
            resolution=reply if done else None, priority=1 if p < 0.02 else 2 if p < 0.12 else 3,
            due_date=created + timedelta(days=7),
        ))
        # fmt: on
        plans.append((created, reply_h, status, assigned, reply))
    before = Ticket.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    _insert(Ticket, tickets)
    pks = list(Ticket.objects.filter(pk__gt=before).order_by("pk").values_list("pk", flat=True))
    assert len(pks) == len(tickets)
    followups = []
    for pk, ticket, (created, reply_h, status, assigned, reply) in zip(pks, tickets, plans, strict=True):

        def follow(title, at, comment="", public=True, new_status=None, user=None, pk=pk):
            user_id = user.pk if user else None
            followups.append(FollowUp(ticket_id=pk, date=min(at, now), title=title, comment=comment,
                                      public=public, new_status=new_status, user_id=user_id))  # fmt: skip

        opened = f"Ticket Opened & Assigned to {assigned.first_name}" if assigned else "Ticket Opened"
        follow(opened, created, ticket.description)
        if status == Ticket.DUPLICATE_STATUS:
            follow("Marked as duplicate", created + timedelta(hours=3), new_status=status, user=assigned)
        elif status in (Ticket.OPEN_STATUS, Ticket.REOPENED_STATUS):
            if rng.random() < 0.5:
                follow(
                    "Comment", created + timedelta(hours=1), "已转交网格员现场核实。", False, user=assigned
                )
            if status == Ticket.REOPENED_STATUS:
                follow("Reopened", created + timedelta(hours=2), "市民对处理结果不满意。", new_status=status)
        else:
            follow("Resolved", created + timedelta(hours=reply_h), reply, new_status=3, user=assigned)
            if status == Ticket.CLOSED_STATUS:
                follow("Closed", created + timedelta(hours=reply_h + 28), new_status=status, user=assigned)
    _insert(FollowUp, followups)
    return len(followups)


# --- inside the helpdesk virtualenv: each request once, in-process -----------------------------------


def in_process(home: Path) -> None:
    """Each endpoint once through Django's test client (no server, no timeout): queries and time; the
    median of 5 more when the first took under a second. Writes inprocess.json."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    # helpdesk's dashboard filters DateTimeFields with naive date strings (calc_basic_ticket_stats)
    warnings.filterwarnings("ignore", r"DateTimeField .* received a naive datetime", RuntimeWarning)
    built = json.loads((home / "built.json").read_text())
    pool = json.loads((home / "texts.json").read_text())
    rng = random.Random(5)
    api = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Token {built['token']}")
    staff = Client(HTTP_HOST="127.0.0.1")
    staff.force_login(get_user_model().objects.get(username=DISPATCHER))
    rows_url = datatables_url(staff.get("/tickets/").content)

    def create():
        title, body, _ = rng.choice(pool)
        payload = {"queue": built["queue"], "title": title, "description": body, "priority": 3}
        payload["submitter_email"] = "resident@example.com"
        return api.post("/api/tickets/", json.dumps(payload), content_type="application/json")

    sends = {
        "create": (create, 201),
        "list": (lambda: api.get("/api/tickets/"), 200),
        "detail": (lambda: api.get(f"/api/tickets/{rng.randint(built['first_id'], built['last_id'])}/"), 200),
        "board": (lambda: staff.get("/dashboard/"), 200),
        "cases": (lambda: staff.get("/tickets/"), 200),
        "cases_rows": (lambda: staff.get(rows_url), 200),
    }
    out = {}
    for name, (send, expect) in sends.items():
        queries = []  # counted, not logged: Django's query log keeps only the last 9,000
        with connection.execute_wrapper(lambda execute, *a, q=queries: q.append(1) or execute(*a)):
            t = time.perf_counter()
            response = send()
            ms = (time.perf_counter() - t) * 1000
        assert response.status_code == expect, (name, response.status_code, response.content[:500])
        more = []
        if ms < 1000:
            for _ in range(5):
                t = time.perf_counter()
                assert send().status_code == expect
                more.append((time.perf_counter() - t) * 1000)
        median = round(statistics.median(more), 1) if more else None
        out[name] = {"ms": round(ms, 1), "median_ms": median, "queries": len(queries)}
        print(f"in-process {name}: {len(queries):,} queries, {ms:,.1f} ms; median of 5 more: {median} ms; "
              f"{len(response.content):,} bytes", flush=True)  # fmt: skip
    (home / "inprocess.json").write_text(json.dumps(out))


def datatables_url(page: bytes) -> str:
    """The rows request of the staff ticket list: the URL its DataTable loads, first page of 25."""
    found = re.search(rb'"url": "(/datatables_ticket_list/[^"]*)"', page)
    if not found:
        sys.exit("no datatables_ticket_list URL in /tickets/")
    return found.group(1).decode() + "?draw=1&start=0&length=25"


# --- the server --------------------------------------------------------------------------------------


class Gunicorn:
    """helpdesk's site under gunicorn: 2 sync workers, default worker timeout, access log."""

    def __init__(self, home: Path, python: Path, port: int):
        self.home, self.python, self.port = home, python, port
        self.log = home / "gunicorn.log"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        options = (f"--bind 127.0.0.1:{self.port} --workers 2 --timeout {WORKER_TIMEOUT} --max-requests 2000 "
                   "--max-requests-jitter 200 --access-logfile - --error-logfile -")  # fmt: skip
        log_format = 'pid=%(p)s %(h)s "%(r)s" %(s)s %(b)s %(M)sms'  # deploy/gunicorn.conf.py's
        gunicorn = str(self.python.parent / "gunicorn")
        cmd = [gunicorn, "peerdesk.wsgi", *options.split(), "--access-logformat", log_format]
        with open(self.log, "w") as log:
            self.proc = subprocess.Popen(cmd, env=site_env(self.home), cwd=self.home, stdout=log, stderr=log)
        atexit.register(self.stop)
        for _ in range(600):
            try:
                if request(self.port, "GET", "/login/", timeout=5)[0] == 200:
                    return
            except OSError:
                pass
            if self.proc.poll() is not None:
                sys.exit("gunicorn stopped:\n" + self.log.read_text()[-3000:])
            time.sleep(0.1)
        sys.exit("gunicorn did not answer /login/ in 60 s:\n" + self.log.read_text()[-3000:])

    def settle(self) -> None:
        """After timeouts: wait until every worker that was killed for a request has been replaced and
        both answer again."""
        time.sleep(WORKER_TIMEOUT + 5)
        for _ in range(120):
            try:
                if all(request(self.port, "GET", "/login/", timeout=5)[0] == 200 for _ in range(4)):
                    return
            except OSError:
                pass
            time.sleep(1)

    def cpu(self) -> float:
        from http_load import cpu_seconds

        return cpu_seconds(self.proc.pid)

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()


# --- the client --------------------------------------------------------------------------------------


def request(port: int, method: str, path: str, *, timeout: float = TIMEOUT, **kw) -> tuple[int, bytes]:
    """http_load.request with the peer's 30 s timeout: the status and the body."""
    from http_load import request as send

    status, data, _ = send(port, method, path, timeout=timeout, **kw)
    return status, data


class Load:
    """One endpoint under load, http_load.Endpoint's loop: ``make()`` gives (method, path, body, headers);
    an answer other than ``expect`` is an error, a request unanswered after TIMEOUT s a timeout."""

    def __init__(self, name: str, expect: int, make, *, session=None):
        self.name, self.expect, self.make, self.session = name, expect, make, session
        self.ms: list[float] = []
        self.ok = self.errors = self.timeouts = 0
        self.bodies: list[str] = []
        self.lock = threading.Lock()

    def one(self, port: int, cookies, record: bool) -> tuple[bool, float]:
        method, path, body, headers = self.make()
        t = time.perf_counter()
        try:
            status, data = request(port, method, path, body=body, headers=headers,
                                   cookies=dict(cookies) if cookies else None)
        except TimeoutError:
            status, data = -1, b"no answer in %d s" % TIMEOUT
        except (OSError, http.client.HTTPException) as exc:
            status, data = 0, repr(exc).encode()
        ms = (time.perf_counter() - t) * 1000
        if record:
            with self.lock:
                self.ms.append(ms)
                self.ok += status == self.expect
                self.timeouts += status == -1
                if status != self.expect:
                    self.errors += 1
                    if len(self.bodies) < 3:
                        self.bodies.append(
                            f"{status} {path}: {' '.join(data[:400].decode('utf-8', 'replace').split())}"
                        )
        return status == self.expect, ms

    def run(self, server: Gunicorn, threads: int, duration: float, warmup: int) -> dict:
        from http_load import loadavg, pct

        sessions = [self.session(server.port) if self.session else None for _ in range(threads)]
        warm = [(True, 0.0)]
        # warm up each worker's URL resolver and templates; a slow request needs none
        for cookies in sessions:
            for _ in range(warmup):
                warm.append(self.one(server.port, cookies, False))
                if not warm[-1][0] or warm[-1][1] > 5000:
                    break
            if not warm[-1][0] or warm[-1][1] > 5000:
                print(f"{self.name:>10}: warm-up stopped at a request that failed or took > 5 s", flush=True)
                break
        if not warm[-1][0]:
            server.settle()
        stop = time.perf_counter() + duration

        def loop(cookies) -> None:
            while time.perf_counter() < stop:
                self.one(server.port, cookies, True)

        started = time.perf_counter()
        web0 = server.cpu()
        workers = [threading.Thread(target=loop, args=(c,)) for c in sessions]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        elapsed = time.perf_counter() - started
        cores = (server.cpu() - web0) / elapsed
        # fmt: off
        out = {"requests": len(self.ms), "per_s": round(self.ok / elapsed, 1), "p50_ms": round(pct(self.ms, 0.5), 1),
               "p95_ms": round(pct(self.ms, 0.95), 1), "p99_ms": round(pct(self.ms, 0.99), 1), "errors": self.errors,
               "timeouts": self.timeouts, "cores_web": round(cores, 2)}
        print(f"{self.name:>10}: {out['requests']:6,} requests in {elapsed:4.1f} s, {self.ok:,} answered = "
              f"{out['per_s']:7.1f}/s; p50 {out['p50_ms']:8.1f} ms  p95 {out['p95_ms']:8.1f} ms  "
              f"p99 {out['p99_ms']:8.1f} ms; errors {self.errors} (timeouts {self.timeouts})", flush=True)
        print(f"            cores busy: gunicorn {cores:.2f} (of {os.cpu_count()}); load average {loadavg()}",
              flush=True)
        # fmt: on
        for body in self.bodies:
            print(f"            error: {body}", flush=True)
        return out


# --- main --------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--duration", type=float, default=20, help="seconds of load per endpoint")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--reuse", action="store_true", help="keep the virtualenv and database in --home")
    parser.add_argument("--home", default="/tmp/peer_helpdesk")
    parser.add_argument(
        "--auth", choices=["token", "basic"], default="token", help="how the API client signs"
    )
    parser.add_argument("--no-inprocess", action="store_true", help="skip each request once in-process")
    parser.add_argument("--step", choices=["build", "inprocess"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step == "build":  # inside the helpdesk virtualenv
        build(Path(args.home), args.tickets)
        return
    if args.step == "inprocess":
        in_process(Path(args.home))
        return

    sys.path[:0] = [str(ROOT / "benchmarks")]
    from http_load import free_port, loadavg, sign_in

    started = time.perf_counter()
    load_start = loadavg()
    print(f"load average at start: {load_start} ({os.cpu_count()} cores)", flush=True)
    if args.reuse:
        home = Path(args.home)
        home.mkdir(parents=True, exist_ok=True)
    else:
        home = Path(tempfile.mkdtemp(prefix="peer-helpdesk-"))
        atexit.register(shutil.rmtree, home, ignore_errors=True)
    python = make_venv(home)
    write_site(home)
    if not (home / "texts.json").exists():
        (home / "texts.json").write_text(json.dumps(texts(500), ensure_ascii=False))
    marker = home / "built.json"
    if marker.exists() and json.loads(marker.read_text())["tickets"] != args.tickets:
        sys.exit(
            f"{home} holds {json.loads(marker.read_text())['tickets']:,} generated tickets, not "
            f"{args.tickets:,}: another --home, or remove {home}"
        )
    t = time.perf_counter()
    step(python, home, "build", "--tickets", str(args.tickets))
    build_s = time.perf_counter() - t
    built = json.loads(marker.read_text())
    pool = json.loads((home / "texts.json").read_text())

    server = Gunicorn(home, python, free_port())
    server.start()
    tickets_before = count_tickets(home)
    print(
        f"gunicorn (2 workers) on 127.0.0.1:{server.port}; {tickets_before:,} tickets; {args.threads} client "
        f"threads, {args.duration:.0f} s per endpoint, requests time out after {TIMEOUT:.0f} s",
        flush=True,
    )
    if args.auth == "token":
        auth = {"Authorization": f"Token {built['token']}"}
    else:
        auth = {"Authorization": "Basic " + b64encode(f"{built['admin']}:{PASSWORD}".encode()).decode()}
    rng = random.Random(3)
    lock = threading.Lock()

    def make_create():
        with lock:
            title, body, _ = rng.choice(pool)
            email = f"resident{rng.randrange(10**7):07d}@example.com"
        payload = {"queue": built["queue"], "title": title, "description": body, "submitter_email": email}
        body = json.dumps({**payload, "priority": 3}, ensure_ascii=False).encode()
        return "POST", "/api/tickets/", body, {**auth, "Content-Type": "application/json"}

    def make_detail():
        with lock:
            pk = rng.randint(built["first_id"], built["last_id"])
        return "GET", f"/api/tickets/{pk}/", None, auth

    def staff_session(port: int) -> dict:
        return sign_in(port, DISPATCHER, PASSWORD)

    rows = datatables_url(request(server.port, "GET", "/tickets/", cookies=staff_session(server.port))[1])
    endpoints = [
        Load("create", 201, make_create),
        Load("list", 200, lambda: ("GET", "/api/tickets/", None, auth)),
        Load("detail", 200, make_detail),
        Load("board", 200, lambda: ("GET", "/dashboard/", None, {}), session=staff_session),
        Load("cases", 200, lambda: ("GET", "/tickets/", None, {}), session=staff_session),
        Load("cases_rows", 200, lambda: ("GET", rows, None, {}), session=staff_session),
    ]
    results = {}
    t = time.perf_counter()
    for endpoint in endpoints:
        log_at = len(server.text())
        results[endpoint.name] = endpoint.run(server, args.threads, args.duration, warmup=3)
        if endpoint.errors:
            server.settle()
        killed = server.text()[log_at:].count("WORKER TIMEOUT")  # warm-up included
        results[endpoint.name]["worker_timeouts"] = killed
        if killed:
            print(
                f"            gunicorn killed {killed} workers busy for over {WORKER_TIMEOUT} s", flush=True
            )
    log = server.text()
    tracebacks = re.findall(
        r"(Traceback \(most recent call last\):.*?)(?=\n\S*pid=|\nTraceback|\Z)", log, re.S
    )
    server.stop()
    aborted = [tb for tb in tracebacks if "in handle_abort" in tb]  # gunicorn's worker timeout
    print(f"{len(tracebacks)} tracebacks in gunicorn's log, {len(aborted)} of them a worker killed mid-request "
          f"for its timeout", flush=True)  # fmt: skip
    for tb in [tb for tb in tracebacks if tb not in aborted][:3]:
        print("traceback in gunicorn's log:\n" + tb[-3000:], flush=True)
    load_s = time.perf_counter() - t
    tickets_after = count_tickets(home)
    inproc = {}
    if not args.no_inprocess:
        step(python, home, "inprocess")
        inproc = json.loads((home / "inprocess.json").read_text())
    load_end = loadavg()
    print(f"load average at end: {load_end}", flush=True)

    figures = {"peer": PEER, "tickets": tickets_before, "followups_generated": built["followups"]}
    for keys in (("per_s", "p50_ms", "p95_ms", "p99_ms"), ("requests", "errors", "timeouts")):
        figures.update({f"{name}_{k}": r[k] for name, r in results.items() for k in keys})
    # fmt: off
    figures.update({
        "errors": sum(r["errors"] for r in results.values()), "timeouts": sum(r["timeouts"] for r in results.values()),
        "worker_timeouts": log.count("WORKER TIMEOUT"), "http_5xx": len(re.findall(r'" 5\d\d ', log)),
        **{f"{k}_worker_timeouts": r["worker_timeouts"] for k, r in results.items()},
        **{f"{k}_inprocess_ms": v["ms"] for k, v in inproc.items()},
        **{f"{k}_inprocess_median_ms": v["median_ms"] for k, v in inproc.items()},
        **{f"{k}_queries": v["queries"] for k, v in inproc.items()},
        **{f"{k}_cores_web": r["cores_web"] for k, r in results.items()},
        "auth": args.auth, "tickets_after": tickets_after, "threads": args.threads, "duration_s": args.duration,
        "timeout_s": TIMEOUT, "generate_s": built["generate_s"], "build_s": round(build_s, 1),
        "load_s": round(load_s, 1), "total_s": round(time.perf_counter() - started, 1),
        "loadavg_start": load_start, "loadavg_end": load_end,
    })
    # fmt: on
    print(json.dumps(figures, ensure_ascii=False))


def count_tickets(home: Path) -> int:
    import sqlite3

    with sqlite3.connect(home / "helpdesk.sqlite3", timeout=20) as db:
        return db.execute("SELECT COUNT(*) FROM helpdesk_ticket").fetchone()[0]


if __name__ == "__main__":
    main()
