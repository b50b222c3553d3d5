"""The production configuration boots and serves: GRASSROOTS_DEBUG=0, gunicorn with two workers
(deploy/gunicorn.conf.py), a fresh database migrated from nothing, static files collected with hashed
names. Requests come as the TLS proxy sends them (X-Forwarded-Proto: https, the public host name).

A page of every app in the menu, the admin, the API schema, Open311, a static file with a year of
caching, the health check, the security headers, and plain HTTP redirected to HTTPS; nothing may
answer 5xx and the server's log may hold no traceback. Run by ./dev test in its PostgreSQL stage
(marker ``production``); on SQLite when DATABASE_URL is not PostgreSQL.
"""

from __future__ import annotations

import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

# one worker boots the production server once for the module (./dev test runs --dist loadgroup); without
# the group each worker booted its own, about 37 s each on PostgreSQL
pytestmark = [pytest.mark.production, pytest.mark.xdist_group("production")]

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
HOST = "grassroots.test"
PASSWORD = "test-pass-123"  # tests/factories.py


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """Just enough of a browser behind a TLS proxy: the proxy's headers, cookies kept by hand (the
    cookies are Secure, and the request to gunicorn is plain HTTP on loopback)."""

    def __init__(self, port: int):
        self.base = f"http://127.0.0.1:{port}"
        self.cookies: dict[str, str] = {}
        self.opener = urllib.request.build_opener(NoRedirect)

    def request(self, path: str, *, data: dict | None = None, https: bool = True, headers: dict | None = None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, headers={
            "Host": HOST, **({"X-Forwarded-Proto": "https"} if https else {}),
            **({"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}),
            **(headers or {})})
        try:
            response = self.opener.open(request, timeout=60)
        except urllib.error.HTTPError as exc:
            response = exc
        for header in response.headers.get_all("Set-Cookie") or []:
            name, value = header.split(";", 1)[0].split("=", 1)
            self.cookies[name.strip()] = value.strip()
        response.text = response.read().decode("utf-8", "replace")
        return response


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def database_url(tmp_path_factory):
    """A database of its own: a new one on the PostgreSQL server of DATABASE_URL, else a SQLite file."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        yield f"sqlite:///{tmp_path_factory.mktemp('prod')}/grassroots.sqlite3"
        return
    import psycopg

    name = f"grassroots_prod_{os.getpid()}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    yield urllib.parse.urlsplit(url)._replace(path=f"/{name}").geturl()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def server(database_url, tmp_path_factory):
    home = tmp_path_factory.mktemp("home")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GRASSROOTS_", "DJANGO_"))}
    env.update({
        "DATABASE_URL": database_url, "GRASSROOTS_HOME": str(home), "GRASSROOTS_DEBUG": "0",
        "GRASSROOTS_SECRET_KEY": secrets.token_urlsafe(50), "GRASSROOTS_DATA_KEY": secrets.token_urlsafe(40),
        "GRASSROOTS_ALLOWED_HOSTS": HOST, "GRASSROOTS_CSRF_TRUSTED_ORIGINS": f"https://{HOST}",
        "GRASSROOTS_BIND": f"127.0.0.1:{port}", "GRASSROOTS_WEB_WORKERS": "2", "PYTHONUNBUFFERED": "1",
    })
    manage = [str(BIN / "grassroots")]
    deploy = subprocess.run([*manage, "check", "--deploy", "--fail-level", "WARNING"], env=env, cwd=home,
                            capture_output=True, text=True)
    assert deploy.returncode == 0, deploy.stdout + deploy.stderr
    for args in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
        done = subprocess.run([*manage, *args], env=env, cwd=home, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr
    # the small test tree (tests/factories.py) with its users, written by the production settings
    seed = subprocess.run([sys.executable, "-c", "import django; django.setup(); "
                           "from tests.factories import build_tree; build_tree()"],
                          env={**env, "DJANGO_SETTINGS_MODULE": "grassroots.settings", "PYTHONPATH": str(REPO)},
                          cwd=home, capture_output=True, text=True)
    assert seed.returncode == 0, seed.stderr
    with open(home / "gunicorn.log", "w+") as log:
        process = subprocess.Popen([str(BIN / "gunicorn"), "-c", str(REPO / "deploy" / "gunicorn.conf.py"),
                                    "grassroots.wsgi"], env=env, cwd=home, stdout=log, stderr=subprocess.STDOUT)
        browser = Browser(port)
        for _ in range(300):
            try:
                if browser.request("/healthz", https=False).status == 200:
                    break
            except OSError:
                pass
            assert process.poll() is None, (home / "gunicorn.log").read_text()
            time.sleep(0.1)
        yield browser, home / "gunicorn.log"
        process.terminate()
        process.wait(timeout=30)


def test_plain_http_goes_to_https_and_the_headers_are_set(server):
    browser, _ = server
    redirect = browser.request("/login/", https=False)
    assert redirect.status == 301 and redirect.headers["Location"] == f"https://{HOST}/login/"
    page = browser.request("/login/")
    assert page.status == 200 and "登录" in page.text
    assert "max-age=31536000" in page.headers["Strict-Transport-Security"]
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert page.headers["X-Frame-Options"] == "DENY" and page.headers["X-Content-Type-Options"] == "nosniff"
    assert all("Secure" in c for c in page.headers.get_all("Set-Cookie"))


def test_a_page_of_every_app_answers_under_gunicorn(server):
    browser, log = server
    login = browser.request("/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text).group(1)
    signed_in = browser.request("/login/", data={"csrfmiddlewaretoken": token, "username": "root", "password": PASSWORD},
                                headers={"Referer": f"https://{HOST}/login/", "Origin": f"https://{HOST}"})
    assert signed_in.status == 302, signed_in.text[:2000]
    home = browser.request("/")
    assert home.status == 200
    menu = home.text.split('<nav class="mainnav">', 1)[1].split("</nav>", 1)[0]
    pages = sorted(set(re.findall(r'href="(/[^"]*)"', menu)))
    assert len(pages) >= 25
    answers = {path: browser.request(path).status for path in
               pages + ["/admin/", "/api/docs", "/api/openapi.json", "/notifications/", "/r/new/"]}
    assert all(status == 200 for status in answers.values()), {p: s for p, s in answers.items() if s != 200}

    # a static file under its hashed name, cached for a year
    script = re.search(r'src="(/static/web/site\.[0-9a-f]{12}\.js)"', home.text)
    assert script, "site.js is not served under a hashed name"
    static = browser.request(script.group(1))
    assert static.status == 200 and "max-age=315360000" in static.headers["Cache-Control"]
    assert browser.request("/static/web/no-such-file.js").status == 404

    # Open311, as a client without a session sees it
    open311 = Browser(int(browser.base.rsplit(":", 1)[1]))
    services = open311.request("/open311/v2/services.json")
    assert services.status == 200 and services.text.startswith("[")
    assert open311.request("/open311/v2/discovery.json").status == 200
    assert open311.request("/open311/v2/requests.json").status == 200

    text = log.read_text()
    assert "Traceback" not in text and '" 50' not in text, text[-3000:]


def test_the_login_limit_is_shared_by_the_processes(server):
    """Two gunicorn workers count one account's wrong passwords together (the shared cache, a table of
    the database by default): eight guesses, two at a time so both processes serve them, and the
    account stops after five — not ten — for both processes, even with the right password."""
    from concurrent.futures import ThreadPoolExecutor

    browser, log = server
    port = int(browser.base.rsplit(":", 1)[1])

    def attempt(password: str) -> str:
        client = Browser(port)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', client.request("/login/").text).group(1)
        answer = client.request("/login/", data={"csrfmiddlewaretoken": token, "username": "grid_worker_A",
                                                 "password": password},
                                headers={"Referer": f"https://{HOST}/login/", "Origin": f"https://{HOST}"})
        return "locked" if "登录失败次数过多" in answer.text else "signed in" if answer.status == 302 else "wrong"

    with ThreadPoolExecutor(2) as pool:
        guesses = list(pool.map(attempt, ["wrong-password"] * 8))
        right = list(pool.map(attempt, [PASSWORD] * 4))
    # the database cache's counter may lose an increment under simultaneous requests (core/throttle.py)
    assert guesses.count("wrong") in (5, 6) and guesses[-1] == "locked", guesses
    assert right == ["locked"] * 4
    pids = set(re.findall(r'pid=<?(\d+)>? \S+ "POST /login/ ', log.read_text()))
    assert len(pids) == 2, pids  # both processes answered
