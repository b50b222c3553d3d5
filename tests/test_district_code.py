"""Every table of the project carries ``district_code`` — the column it would be sharded by (docs/scale.md,
"Sharding by district") — unless it is on one of two lists here:

- ``GLOBAL``: reference tables, the same for every district (each with why);
- ``MISSING_TODO``: per-district tables that lack the column today (each with where their district comes
  from); a table that gains the column must leave this list. Empty since issue 14 gave the last 23 theirs.

A new model on neither list fails the test: decide which it is. Run ``pytest -s tests/test_district_code.py``
to see the lists. Auto-created many-to-many tables count (they are tables too: a per-district one needs
an explicit ``through`` model that carries the column).
"""

from __future__ import annotations

from django.apps import apps
from django.db import models
from django.test.utils import isolate_apps

# Reference tables: one copy for the whole installation (in Citus: reference tables, replicated to every node).
GLOBAL: dict[str, str] = {
    "accounts.User": "sign-in is by user name before any district is known; one person may hold roles in several districts",
    "accounts.User_groups": "Django's groups of a user: read with the user",
    "accounts.User_user_permissions": "Django's permissions of a user: read with the user",
    "accounts.RoleAssignment": "read with the user on every request (the scope); a city leader's roles span districts",
    "areas.Area": "the place tree: every district's rows point into it and a city page walks several districts; "
                  "changes rarely; its code already starts with the district's code",
    "cases.Category": "the category taxonomy, shared by every district (seeded by a migration)",
    "cases.TierRule": "分级响应 rules by category and urgency, one set for the installation",
    "worktime.CalendarDay": "the national holiday calendar's corrections",
    "worktime.CalendarYear": "which years of the holiday calendar are complete",
    "worktime.TimeLimit": "the time limit of each urgency, one set for the installation",
    "core.KeyRotation": "how far the data-key rotation has got, per table (one run for the whole database)",
    "points.ExpiryRun": "one row per day for the daily points expiry, which covers every district",
    "portal.SignInCode": "a phone's one-time sign-in code, asked for before any district is known (minutes long)",
    "routing.RoutingModel": "the one case classifier, trained on every district's closed cases",
    "routing.TrainingJob": "the queue of training runs of that one classifier",
}

# Per-district rows without the column today, each with where its district comes from. Empty: every
# per-district table carries it (issue 14). A new per-district table gets the column, not a line here.
MISSING_TODO: dict[str, str] = {}


def project_tables(registry=apps) -> dict[str, type[models.Model]]:
    """Every table the project's own apps make (concrete, managed; not proxies), by label."""
    out = {}
    for model in registry.get_models(include_auto_created=True):
        meta = model._meta
        if not meta.app_config.name.startswith("grassroots.") or meta.proxy or not meta.managed:
            continue
        out[meta.label] = model
    return out


def district_field(model) -> models.Field | None:
    try:
        field = model._meta.get_field("district_code")
    except Exception:  # FieldDoesNotExist: no such field (a property of the same name does not count)
        return None
    return field if field.concrete else None


def rows_without_district(tables: dict[str, type[models.Model]] | None = None) -> dict[str, int]:
    """How many rows of each table that carries the column have it empty (a writer that forgot it)."""
    out = {}
    for label, model in sorted((tables or project_tables()).items()):
        if district_field(model) is None:
            continue
        n = model._base_manager.filter(models.Q(district_code="") | models.Q(district_code__isnull=True)).count()
        if n:
            out[label] = n
    return out


def undecided_tables(tables: dict[str, type[models.Model]]) -> list[str]:
    return sorted(label for label, model in tables.items()
                  if district_field(model) is None and label not in GLOBAL and label not in MISSING_TODO)


def test_every_per_district_table_carries_district_code():
    tables = project_tables()
    carrying = sorted(label for label, model in tables.items() if district_field(model) is not None)
    print(f"\nwith district_code ({len(carrying)}):\n  " + "\n  ".join(carrying))
    print(f"\nGLOBAL — reference tables ({len(GLOBAL)}):")
    for label, why in sorted(GLOBAL.items()):
        print(f"  {label}: {why}")
    print(f"\nMISSING_TODO — per-district, column not added yet ({len(MISSING_TODO)}):")
    for label, why in sorted(MISSING_TODO.items()):
        print(f"  {label}: {why}")

    undecided = undecided_tables(tables)
    assert not undecided, (
        "these tables have no district_code and are on neither list in tests/test_district_code.py — add the "
        f"column (a per-district table), or put them in GLOBAL with the reason: {undecided}")


def test_the_lists_hold_only_tables_that_exist_and_lack_the_column():
    tables = project_tables()
    assert not set(GLOBAL) & set(MISSING_TODO)
    gone = sorted(label for label in {*GLOBAL, *MISSING_TODO} if label not in tables)
    assert not gone, f"no such table any more; take it off the list: {gone}"
    done = sorted(label for label in MISSING_TODO if district_field(tables[label]) is not None)
    assert not done, f"these carry district_code now; take them off MISSING_TODO: {done}"
    both = sorted(label for label in GLOBAL if district_field(tables[label]) is not None)
    assert not both, f"these carry district_code; a global table does not: {both}"
    assert all(why.strip() for why in {**GLOBAL, **MISSING_TODO}.values())


def test_a_new_model_without_the_column_is_caught():
    with isolate_apps("grassroots.cases") as registry:
        class Sticker(models.Model):  # noqa: DJ008 — a per-district table someone forgot to give the column
            case = models.ForeignKey("cases.Case", on_delete=models.CASCADE)
            tags = models.ManyToManyField("cases.Category")

            class Meta:
                app_label = "cases"

        class Stamp(models.Model):  # noqa: DJ008
            district_code = models.CharField(max_length=6)

            class Meta:
                app_label = "cases"

        assert undecided_tables(project_tables(registry)) == ["cases.Sticker", "cases.Sticker_tags"]


def test_district_code_is_the_six_digit_code_everywhere():
    """The same column in every table (so it can be one distribution column): six characters."""
    odd = sorted(f"{label} ({type(field).__name__}, {getattr(field, 'max_length', None)})"
                 for label, model in project_tables().items()
                 if (field := district_field(model)) is not None
                 and (not isinstance(field, models.CharField) or field.max_length != 6))
    assert not odd, odd
