"""Which unit handles a category best in a place: a small, honest counting model (no Django).

Every closed case that a unit held counts for that unit in the buckets (category or any ancestor) ×
(the case's community, street, district), weighted by how it ended: 满意 1, 基本满意 0.9, not rated
0.5, 不满意 0. A dispatcher's correction (dispatching to another unit than suggested) counts 1 for
the unit chosen. ``suggest`` reads the most specific bucket that names a unit serving the place:
deepest category first, then the nearest area; the share of that bucket's score is the confidence.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

AREA_PREFIXES = (12, 9, 6)  # community, street, district
CATEGORY_STEP = 2  # category codes grow by two characters a level
FORMAT = 1


@dataclass(frozen=True)
class Outcome:
    category_code: str
    place_code: str
    unit_id: int
    weight: float


@dataclass(frozen=True)
class UnitSuggestion:
    unit_id: int
    name: str
    share: float  # of the bucket's score
    cases: int  # the outcomes behind it
    basis: str  # which bucket: "category|area"


def category_prefixes(code: str) -> list[str]:
    """The code and its ancestors' codes, deepest first."""
    return [code[:n] for n in range(len(code), 0, -CATEGORY_STEP)]


def area_prefixes(code: str) -> list[str]:
    return [code[:n] for n in AREA_PREFIXES if len(code) >= n]


@dataclass
class UnitRouter:
    buckets: dict[str, list[list]]  # "category|area" → [[unit_id, score, cases], ...] best first
    units: dict[str, dict]  # str(unit_id) → {"name", "area", "district"}
    meta: dict = field(default_factory=dict)

    @classmethod
    def build(cls, outcomes: Iterable[Outcome], *, units: dict[int, dict], meta: dict | None = None,
              keep: int = 5) -> UnitRouter:
        scores: dict[str, dict[int, list[float]]] = defaultdict(lambda: defaultdict(lambda: [0.0, 0]))
        n = 0
        for o in outcomes:
            if o.unit_id not in units:
                continue
            n += 1
            for cat in category_prefixes(o.category_code):
                for area in area_prefixes(o.place_code):
                    cell = scores[f"{cat}|{area}"][o.unit_id]
                    cell[0] += o.weight
                    cell[1] += 1
        buckets = {}
        for key, by_unit in scores.items():
            ranked = sorted(((u, round(s, 3), c) for u, (s, c) in by_unit.items() if s > 0),
                            key=lambda x: (-x[1], -x[2], x[0]))[:keep]
            if ranked:
                buckets[key] = [list(r) for r in ranked]
        used = {u for ranked in buckets.values() for u, _s, _c in ranked}
        return cls(buckets=buckets, units={str(u): units[u] for u in sorted(used)},
                   meta={**(meta or {}), "outcomes": n, "buckets": len(buckets)})

    def suggest(self, *, category_code: str, place_code: str, k: int = 1,
                exclude: Sequence[int] = ()) -> list[UnitSuggestion]:
        """Up to ``k`` units serving ``place_code`` (their area contains it), from the most specific
        bucket that has any."""
        if not category_code or not place_code:
            return []
        for cat in category_prefixes(category_code):
            for area in area_prefixes(place_code):
                ranked = self.buckets.get(f"{cat}|{area}")
                if not ranked:
                    continue
                fit = [(u, s, c) for u, s, c in ranked if u not in exclude
                       and place_code.startswith(self.units.get(str(u), {}).get("area", "\0"))]
                total = sum(s for _u, s, _c in fit)
                if fit and total > 0:
                    return [UnitSuggestion(unit_id=u, name=self.units[str(u)]["name"], share=s / total, cases=c,
                                           basis=f"{cat}|{area}") for u, s, c in fit[:k]]
        return []

    def dumps(self) -> bytes:
        return json.dumps({"format": FORMAT, "buckets": self.buckets, "units": self.units, "meta": self.meta},
                          ensure_ascii=False, separators=(",", ":")).encode()

    @classmethod
    def loads(cls, blob: bytes) -> UnitRouter:
        data = json.loads(blob)
        if data.get("format") != FORMAT:
            raise ValueError(f"a unit router of format {data.get('format')} cannot be read")
        return cls(buckets=data["buckets"], units=data["units"], meta=data["meta"])
