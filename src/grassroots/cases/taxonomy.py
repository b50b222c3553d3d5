"""The default case taxonomy (15 first-level, 118 second-level, 517 third-level categories), from the
real taxonomy in ``cases/data/case_taxonomy.csv``. Codes: 2 digits per level (01, 0101, 010101)."""

from __future__ import annotations

import csv
from pathlib import Path

TAXONOMY_CSV = Path(__file__).parent / "data" / "case_taxonomy.csv"


def taxonomy_rows() -> list[tuple[str, str, int, str | None]]:
    """(code, name, level, parent_code) in parent-first order."""
    rows: list[tuple[str, str, int, str | None]] = []
    codes: dict[tuple[str, ...], str] = {}
    counters: dict[str | None, int] = {}
    with TAXONOMY_CSV.open(encoding="utf-8-sig") as fh:
        for rec in csv.DictReader(fh):
            path: tuple[str, ...] = ()
            parent = None
            for level, key in enumerate(("level1", "level2", "level3"), start=1):
                name = (rec.get(key) or "").strip()
                if not name:
                    break
                path = (*path, name)
                if path not in codes:
                    counters[parent] = counters.get(parent, 0) + 1
                    code = (parent or "") + f"{counters[parent]:02d}"
                    codes[path] = code
                    rows.append((code, name, level, parent))
                parent = codes[path]
    return rows


def load_taxonomy(Category) -> int:
    """Create the categories that are missing (idempotent). ``Category`` may be a historical model."""
    existing = set(Category.objects.values_list("code", flat=True))
    by_code = {c.code: c for c in Category.objects.all()}
    created = 0
    for code, name, level, parent_code in taxonomy_rows():
        if code in existing:
            continue
        obj = Category.objects.create(code=code, name=name, level=level,
                                      parent=by_code.get(parent_code) if parent_code else None)
        by_code[code] = obj
        created += 1
    return created
