"""Settings for ``benchmarks/job_queue_libraries.py`` only: the product's settings plus the two task
libraries it measures against the project's own queue (django-tasks with its database backend, and
procrastinate's Django contrib). Their tables are created by their migrations in the benchmark's
throw-away database; the product's ``INSTALLED_APPS`` never name them (``pip install -e .[bench]``).
"""

from grassroots.settings import *  # noqa: F403
from grassroots.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "django_tasks", "django_tasks_db", "procrastinate.contrib.django"]

# django-tasks: the backport of Django 6's django.tasks; since django-tasks 0.12 its database backend is
# the separate package django-tasks-db, run by ``manage.py db_worker``.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# procrastinate: its Django app defers through Django's own connection (so inside the caller's
# transaction); ``manage.py procrastinate worker`` opens a psycopg pool of its own. Only the benchmark's
# task module is imported (the product's apps have no procrastinate tasks to discover).
PROCRASTINATE_AUTODISCOVER_MODULE_NAME = ""
PROCRASTINATE_IMPORT_PATHS = ["job_queue_tasks"]
