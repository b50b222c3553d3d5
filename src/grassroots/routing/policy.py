"""Small tables routing reads for every new case, kept in memory for a few seconds (core/memo.py):
the category tree (labels ↔ categories), the streets' policies and thresholds, the duty catalogue."""

from __future__ import annotations

from dataclasses import dataclass, field

from grassroots.cases.models import Case, Category
from grassroots.core.memo import forget_on_change, memoized
from grassroots.orgs.models import Duty

from .models import DEFAULT_THRESHOLD, CategoryThreshold, StreetSettings
from .units import UnitRouter, category_prefixes

STREET_CODE_LENGTH = 9
LABEL_SEP = "/"


@dataclass(frozen=True)
class Tree:
    by_label: dict[str, int]
    code: dict[int, str]
    parent: dict[int, int | None]
    path: dict[int, str]  # "城乡建设 / 城市建设和市政管理", for people


def _tree() -> Tree:
    rows = list(Category.objects.values_list("pk", "parent_id", "name", "code"))
    parent = {pk: p for pk, p, _n, _c in rows}
    name = {pk: n for pk, _p, n, _c in rows}

    def names(pk: int) -> list[str]:
        out = []
        node: int | None = pk
        while node is not None:
            out.append(name[node])
            node = parent.get(node)
        return out[::-1]

    return Tree(by_label={LABEL_SEP.join(names(pk)): pk for pk in parent}, code={pk: c for pk, _p, _n, c in rows},
                parent=parent, path={pk: " / ".join(names(pk)) for pk in parent})


def tree() -> Tree:
    return memoized("routing.tree", _tree)


@dataclass(frozen=True)
class Policy:
    policy: str = StreetSettings.Policy.UNCATEGORISED
    default: float = DEFAULT_THRESHOLD
    thresholds: dict[int, float] = field(default_factory=dict)

    def threshold_for(self, category_id: int | None) -> float:
        """The threshold set for the category or its nearest ancestor, else the street's default."""
        parents = tree().parent
        node = category_id
        while node is not None:
            if node in self.thresholds:
                return self.thresholds[node]
            node = parents.get(node)
        return self.default


def _policies() -> dict[int, Policy]:
    thresholds: dict[int, dict[int, float]] = {}
    for street_id, category_id, value in CategoryThreshold.objects.values_list("street_id", "category_id", "threshold"):
        thresholds.setdefault(street_id, {})[category_id] = value
    out = {}
    for street_id, policy, default in StreetSettings.objects.values_list("street_id", "policy", "default_threshold"):
        out[street_id] = Policy(policy, default, thresholds.pop(street_id, {}))
    for street_id, values in thresholds.items():
        out[street_id] = Policy(thresholds=values)
    return out


def _street_ids() -> dict[str, int]:
    from grassroots.areas.models import Area

    return dict(Area.objects.filter(level="street").values_list("code", "pk"))


def policy_for(case: Case) -> Policy:
    code = case.scope_code[:STREET_CODE_LENGTH] if len(case.scope_code) >= STREET_CODE_LENGTH else ""
    street_id = memoized("routing.streets", _street_ids).get(code)
    return memoized("routing.policies", _policies).get(street_id, Policy()) if street_id else Policy()


def _duties() -> list[tuple[str, str, int, str, str]]:
    return list(Duty.objects.values_list("category__code", "area__code", "unit_id", "unit__name", "unit__area__code"))


def duty_unit(category_code: str, place: str) -> tuple[int, str] | None:
    """The duty catalogue's unit for the category (or an ancestor) covering the place, most specific first."""
    matches = [(len(c), len(a), name, unit) for c, a, unit, name, unit_area in memoized("routing.duties", _duties)
               if category_code.startswith(c) and place.startswith(a) and place.startswith(unit_area)]
    if not matches:
        return None
    matches.sort(key=lambda m: (-m[0], -m[1], m[2]))
    return matches[0][3], matches[0][2]


def suggest_items(top: list[tuple[str, float]], *, case: Case, router: UnitRouter | None) -> list[dict]:
    """The classifier's top labels as suggestion items: the category, its confidence, and a unit."""
    t = tree()
    items = []
    for label, p in top:
        pk = t.by_label.get(label)
        if pk is None:
            continue
        item = {"category": pk, "code": t.code[pk], "path": t.path[pk], "p": round(p, 4),
                "unit": None, "unit_name": "", "unit_p": None, "unit_basis": "", "unit_cases": 0}
        found = router.suggest(category_code=t.code[pk], place_code=case.scope_code) if router else []
        if found:
            item.update(unit=found[0].unit_id, unit_name=found[0].name, unit_p=round(found[0].share, 4),
                        unit_basis="history", unit_cases=found[0].cases)
        elif (duty := duty_unit(t.code[pk], case.scope_code)) is not None:
            item.update(unit=duty[0], unit_name=duty[1], unit_basis="duty")
        items.append(item)
    return items


def connect() -> None:
    from grassroots.areas.models import Area
    from grassroots.orgs.models import Unit

    forget_on_change("routing.tree", Category)
    forget_on_change("routing.policies", StreetSettings, CategoryThreshold)
    forget_on_change("routing.streets", Area)
    forget_on_change("routing.duties", Duty, Unit)


__all__ = ["Policy", "policy_for", "suggest_items", "tree", "category_prefixes"]
