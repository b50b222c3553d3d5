"""gunicorn settings for grassroots (docs/deploy.md). Every value can be overridden from the
environment, so the systemd unit and the container use the same file.

    gunicorn -c deploy/gunicorn.conf.py grassroots.wsgi
"""

import multiprocessing
import os

bind = os.environ.get("GRASSROOTS_BIND", "127.0.0.1:8000")
# Sync workers: each request holds one process, and a case submit or an export is short. Two per core
# plus one is gunicorn's advice; the database, not the web processes, is the limit (docs/scale.md).
workers = int(os.environ.get("GRASSROOTS_WEB_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GRASSROOTS_WEB_THREADS", 1))
timeout = int(os.environ.get("GRASSROOTS_WEB_TIMEOUT", 60))  # a large .xlsx export is the slowest page
graceful_timeout = 30  # on restart, requests in flight finish; queued jobs wait in the database
keepalive = 5
# Recycle each process after this many requests, so no slow leak lives long. A new process imports the
# app again (about 2.5 s of a core under load) and serves nothing meanwhile: at 2,000 a process busy with
# 100-200 requests a second was replaced every 10-20 s, and one request's throughput rose 30-50 % at
# 20,000 (docs/benchmarks.md, http_load, stop 32). A district's few requests a second recycle it daily.
max_requests = int(os.environ.get("GRASSROOTS_WEB_MAX_REQUESTS", 20000))
max_requests_jitter = max_requests // 10  # not all processes at once
# The reverse proxy on this machine (or in this compose network) may say the request came over HTTPS.
forwarded_allow_ips = os.environ.get("GRASSROOTS_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
accesslog = "-"
errorlog = "-"
access_log_format = 'pid=%(p)s %(h)s "%(r)s" %(s)s %(b)s %(M)sms'
preload_app = False  # each worker opens its own database connections
