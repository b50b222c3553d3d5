"""Seed the time limits with 12345 hotline practice: emergency 2 h, utilities (水电气热) 24 h,
general 7 working days, complex 15 working days. Administrators may change them afterwards;
this migration never overwrites a row that already exists."""

from django.db import migrations

DEFAULTS = [
    ("emergency", "紧急", 2, "hours", 10),
    ("utility", "水电气热", 24, "hours", 20),
    ("general", "一般", 7, "working_days", 30),
    ("complex", "复杂", 15, "working_days", 40),
]


def seed(apps, schema_editor):
    TimeLimit = apps.get_model("worktime", "TimeLimit")
    for urgency, label, amount, unit, position in DEFAULTS:
        TimeLimit.objects.get_or_create(
            urgency=urgency, defaults={"label": label, "amount": amount, "unit": unit, "position": position})


def unseed(apps, schema_editor):
    apps.get_model("worktime", "TimeLimit").objects.filter(urgency__in=[d[0] for d in DEFAULTS]).delete()


class Migration(migrations.Migration):
    dependencies = [("worktime", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
