"""Django settings. Everything that differs between machines comes from the environment:

- ``DATABASE_URL``: e.g. ``postgres://user:pass@127.0.0.1:5432/grassroots``; SQLite by default.
- ``GRASSROOTS_SECRET_KEY``: Django's secret key (a development key is used when DEBUG is on).
- ``GRASSROOTS_DATA_KEY``: the key that encrypts ID numbers and phone numbers at rest (see core/crypto.py).
- ``GRASSROOTS_DEBUG``: "1" for development (the default), "0" in production.
- ``GRASSROOTS_TILE_URL``: the map tile template (天地图/高德/…); empty means no tiles at all.
- ``GRASSROOTS_ALLOWED_HOSTS``: the host names the site answers to, comma-separated (required in production).

Production (``GRASSROOTS_DEBUG=0``) behind a TLS reverse proxy: secure cookies, HSTS, HTTPS redirects
and ``X-Forwarded-Proto`` trusted from the proxy; static files collected with hashed names; every
variable is listed in docs/deploy.md.
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = Path(os.environ.get("GRASSROOTS_HOME", Path.cwd()))

DEBUG = os.environ.get("GRASSROOTS_DEBUG", "1") == "1"
SECRET_KEY = os.environ.get("GRASSROOTS_SECRET_KEY") or (
    "dev-only-insecure-key-change-me" if DEBUG else None
)
if not SECRET_KEY:
    raise RuntimeError("GRASSROOTS_SECRET_KEY must be set when GRASSROOTS_DEBUG=0")
ALLOWED_HOSTS = [h.strip() for h in os.environ.get(
    "GRASSROOTS_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver" if DEBUG else "").split(",") if h.strip()]
if not DEBUG and not ALLOWED_HOSTS:
    raise RuntimeError("GRASSROOTS_ALLOWED_HOSTS must be set when GRASSROOTS_DEBUG=0 (e.g. grassroots.example.gov.cn)")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "csp",
    "ninja",  # its Swagger UI from local static files (not a CDN): /api/docs works offline and under the CSP
    "grassroots.core",
    "grassroots.accounts",
    "grassroots.areas",
    "grassroots.orgs",
    "grassroots.people",
    "grassroots.worktime",
    "grassroots.notifications",
    "grassroots.cases",
    "grassroots.portal",
    "grassroots.intake",
    "grassroots.evaluation",
    "grassroots.assessment",
    "grassroots.routing",
    "grassroots.duplicates",
    "grassroots.hotspots",
    "grassroots.woodpeckers",
    "grassroots.service",
    "grassroots.volunteers",
    "grassroots.wishes",
    "grassroots.matching",
    "grassroots.deliberation",
    "grassroots.command",
    "grassroots.ledger",
    "grassroots.points",
    "grassroots.reports",
    "grassroots.stars",
    "grassroots.privacy",
    "grassroots.registers",
    "grassroots.web",
    "grassroots.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "grassroots.web.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "grassroots.urls"
WSGI_APPLICATION = "grassroots.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],  # the site's layout (base.html), which every page extends
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "grassroots.web.context.site",
            ],
        },
    },
]

# Selects written in Python, not through a template per option (core/forms.py: the board's unit lists).
FORM_RENDERER = "grassroots.core.forms.Renderer"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{PROJECT_DIR / 'var' / 'grassroots.sqlite3'}",
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers take turns through a lock file instead of sleeping in SQLite's busy handler (core/sqlite).
    DATABASES["default"]["ENGINE"] = "grassroots.core.sqlite"
    # Tests: in memory, as Django does for its own SQLite engine (pytest-django recognises only that name,
    # and would otherwise make "test_<path>" files per xdist worker).
    DATABASES["default"].setdefault("TEST", {}).setdefault("NAME", ":memory:")
    # WAL lets the page read an import's progress while the worker writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # Connections are kept between requests (conn_max_age above) on SQLite too: a new one re-reads the
    # schema, about 2.5 ms a request at 100,000 cases (docs/benchmarks.md, http_load).
# A PostgreSQL streaming replica for the read-only pages and reports that may be a few seconds behind
# (core/db_router.py: only reads inside ``replica_reads()`` go there; docs/scale.md). Tests never create
# a database on it: in a test run it is the default's test database under a second name.
if os.environ.get("DATABASE_REPLICA_URL"):
    _replica = dj_database_url.parse(os.environ["DATABASE_REPLICA_URL"],
                                     conn_max_age=DATABASES["default"]["CONN_MAX_AGE"])
    _replica["OPTIONS"] = {**DATABASES["default"].get("OPTIONS", {}), **_replica.get("OPTIONS", {})}
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES["replica"] = _replica
    DATABASE_ROUTERS = ["grassroots.core.db_router.ReplicaRouter"]

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = PROJECT_DIR / "var" / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # In production the collected files carry a hash of their content in their names, so WhiteNoise
    # can tell browsers to keep them for a year; in development they are served from the apps as they are.
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage" if DEBUG
                    else "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG  # development: serve app static files directly, before any collectstatic
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = PROJECT_DIR / "var" / "media"
MEDIA_URL = "/media/"
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Uploads above this go to a temporary file instead of memory (six 10 MB photos would otherwise hold
# 60 MB per request). MEDIA_ROOT is never served directly: photos go through portal:attachment.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    # Per process: memos and page caches that may differ between processes for a few seconds.
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # What every process must count together (core/throttle.py: sign-in codes, login attempts, tracking-code
    # guesses): the database (the table is created by core's migration 0002), or Redis when
    # GRASSROOTS_REDIS_URL is set (atomic counters; for many app servers).
    "shared": ({"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["GRASSROOTS_REDIS_URL"],
                "KEY_PREFIX": "grassroots"}
               if os.environ.get("GRASSROOTS_REDIS_URL") else
               {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "grassroots_shared_cache"}),
}

# Map tiles: a URL template, or empty for no tile server (grid outlines on a plain background).
GRASSROOTS_TILE_URL = os.environ.get("GRASSROOTS_TILE_URL", "")
GRASSROOTS_TILE_ATTRIBUTION = os.environ.get("GRASSROOTS_TILE_ATTRIBUTION", "")

def _int_env(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


# The case loop (docs/cases.md): the sweep's interval and the days a verified case waits for its rating.
GRASSROOTS_SWEEP_SECONDS = _int_env("GRASSROOTS_SWEEP_SECONDS", 60)
GRASSROOTS_UNRATED_CLOSE_DAYS = _int_env("GRASSROOTS_UNRATED_CLOSE_DAYS", 7)
# What follows a commit (a new case's notifications, duplicate check, routing): "worker" — the request
# answers and the worker does it a moment later (core/deferred.py) — or "request", done before answering.
GRASSROOTS_AFTER_COMMIT = os.environ.get("GRASSROOTS_AFTER_COMMIT", "worker")
# Years after a case is closed before its personal data (contact, phone, address) is anonymised by the
# worker task privacy.retention (docs/privacy.md).
GRASSROOTS_RETENTION_YEARS = int(os.environ.get("GRASSROOTS_RETENTION_YEARS", "3"))
# The resident portal: the district its public pages serve (default: the first one), the largest photo,
# and how many wrong tracking codes a visitor may try in a window before being blocked for a while.
GRASSROOTS_PORTAL_DISTRICT = os.environ.get("GRASSROOTS_PORTAL_DISTRICT", "")
GRASSROOTS_PHOTO_MAX_BYTES = _int_env("GRASSROOTS_PHOTO_MAX_BYTES", 10 * 1024 * 1024)
GRASSROOTS_TRACK_GUESS_LIMIT = _int_env("GRASSROOTS_TRACK_GUESS_LIMIT", 20)
GRASSROOTS_TRACK_GUESS_WINDOW = _int_env("GRASSROOTS_TRACK_GUESS_WINDOW", 600)
GRASSROOTS_TRACK_GUESS_BLOCK = _int_env("GRASSROOTS_TRACK_GUESS_BLOCK", 900)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("GRASSROOTS_LOG_LEVEL", "WARNING")},
    # The "log" text-message sender writes each message here: in the demo, sign-up codes show in the
    # worker's output.
    "loggers": {"grassroots.notifications": {"level": os.environ.get("GRASSROOTS_NOTIFY_LOG_LEVEL", "INFO")},
                "fontTools": {"level": "WARNING"}},  # the PDFs' font subsetting is chatty at INFO
}


# --- Production behind a TLS reverse proxy (docs/deploy.md) ------------------------------------------
# The proxy terminates TLS and says so in X-Forwarded-Proto; the site then sets secure cookies, HSTS and
# redirects plain HTTP. GRASSROOTS_HTTPS=0 only for a closed network without TLS (check --deploy warns).
HTTPS = os.environ.get("GRASSROOTS_HTTPS", "0" if DEBUG else "1") == "1"
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the proxy's and the orchestrator's health check, over plain HTTP
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = _int_env("GRASSROOTS_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = os.environ.get("GRASSROOTS_HSTS_SUBDOMAINS", "1") == "1"
    SECURE_HSTS_PRELOAD = os.environ.get("GRASSROOTS_HSTS_PRELOAD", "1") == "1"
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("GRASSROOTS_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]
SESSION_COOKIE_AGE = _int_env("GRASSROOTS_SESSION_SECONDS", 8 * 3600)  # a working day
X_FRAME_OPTIONS = "DENY"

# The content security policy: scripts only from this site's files (no inline script, no eval: the
# pages' behaviour is in static files, web/static/web/site.js), styles from files and style attributes,
# images from here, data: (Leaflet's icons, chart downloads) and the tile server if one is set.
def _origin(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url.replace("{s}", "a").replace("{z}", "0").replace("{x}", "0").replace("{y}", "0"))
    host = parts.netloc.replace("a.", "*.", 1) if "{s}" in url else parts.netloc
    return f"{parts.scheme}://{host}" if parts.scheme and host else ""


_TILE_ORIGIN = _origin(GRASSROOTS_TILE_URL) if GRASSROOTS_TILE_URL else ""
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:", *([_TILE_ORIGIN] if _TILE_ORIGIN else [])],
        "connect-src": ["'self'"],
        "font-src": ["'self'", "data:"],
        "worker-src": ["'self'"],
        "manifest-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
