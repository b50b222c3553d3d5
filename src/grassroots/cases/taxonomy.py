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


# 分级响应 defaults: (category path, urgency, tier, why). "" urgency = any; an empty path = every
# category. The most specific rule wins (see cases/routing_rules.py); streets edit them in the admin.
DEFAULT_TIER_RULES: list[tuple[tuple[str, ...], str, str, str]] = [
    ((), "", "grid", "小事协商在网格：网格先行处置，办不了的上提社区"),
    ((), "emergency", "street", "紧急事项由街道统一调度"),
    ((), "complex", "street", "难事化解在街道"),
    ((), "utility", "department", "水电气热直派公用事业单位"),
    (("城乡建设", "住房保障与房地产"), "", "community", "大事解决在社区"),
    (("城乡建设", "住房保障与房地产", "物业服务"), "", "grid", "物业问题在网格协调物业"),
    (("城乡建设", "城乡规划"), "", "street", ""),
    (("城乡建设", "城市建设和市政管理", "城管执法"), "", "street", "执法事项由街道综合执法"),
    (("劳动和社会保障",), "", "community", "社保、就业在社区服务站办理"),
    (("民政",), "", "community", "救助、优抚在社区办理"),
    (("农村农业",), "", "community", ""),
    (("环境保护",), "", "street", "环境污染由街道会同生态环境部门"),
    (("政法",), "", "street", "治安、调解由街道政法综治中心"),
    (("党务政务",), "", "street", ""),
    (("交通运输",), "", "department", "交通事项派职能部门"),
    (("教育文体",), "", "department", ""),
    (("卫生计生",), "", "department", ""),
    (("商贸旅游",), "", "department", ""),
    (("国土资源",), "", "department", ""),
    (("经济管理",), "", "department", ""),
    (("科技与信息产业",), "", "department", ""),
    (("纪检监察",), "", "department", ""),
]


def category_code_by_path() -> dict[tuple[str, ...], str]:
    """(level1, level2, level3 names) → category code, for every category of the default taxonomy."""
    names = {code: (name, parent) for code, name, _level, parent in taxonomy_rows()}

    def path(code: str) -> tuple[str, ...]:
        name, parent = names[code]
        return (*path(parent), name) if parent else (name,)

    return {path(code): code for code in names}


def load_tier_rules(Category, TierRule) -> int:
    """Create the default tier rules that are missing (idempotent). Models may be historical."""
    codes = category_code_by_path()
    created = 0
    for names, urgency, tier, note in DEFAULT_TIER_RULES:
        category = Category.objects.get(code=codes[names]) if names else None
        _, made = TierRule.objects.get_or_create(category=category, urgency=urgency,
                                                 defaults={"tier": tier, "note": note})
        created += made
    return created
