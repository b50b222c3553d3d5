"""The finder measured on labelled pairs (pure Python): precision, recall and F1 of its decision
(radius, time window and text threshold together) at given rules, per kind of pair, and a sweep of
the text threshold."""

from __future__ import annotations

import json
import math
import time
from collections import defaultdict
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from .scoring import EARTH_RADIUS_M, Item, Rules, Scorer, near

PAIRS_FILE = Path(__file__).resolve().parent / "data" / "pairs.jsonl"
LAT, LNG = 32.62, 110.78
T0 = datetime(2026, 5, 1, 9, tzinfo=UTC)
SWEEP = [round(0.10 + 0.05 * i, 2) for i in range(15)]


def load_pairs(path: Path = PAIRS_FILE) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _items(p: dict) -> tuple[Item, Item]:
    dlng = math.degrees(p["distance_m"] / (EARTH_RADIUS_M * math.cos(math.radians(LAT))))
    a = Item(id=1, text=p["a"], at=T0, lat=LAT, lng=LNG)
    b = Item(id=2, text=p["b"], at=T0 + timedelta(hours=p["hours"]), lat=LAT, lng=LNG + dlng)
    return a, b


def _prf(tp: int, fp: int, fn: int) -> dict:
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
            "tp": tp, "fp": fp, "fn": fn}


def evaluate(pairs: list[dict], rules: Rules, scorer: Scorer | None = None) -> dict:
    scorer = scorer or Scorer.default()
    started = time.perf_counter()
    rows = []
    for p in pairs:
        a, b = _items(p)
        sim = scorer.similarity(a.text, b.text, conflict_factor=rules.number_conflict_factor)
        close, _ = near(a, b, rules.radius_m)
        in_time = abs(a.at - b.at) <= timedelta(days=rules.window_days)
        rows.append((p, sim, close and in_time))
    elapsed = time.perf_counter() - started

    def at(threshold: float, *, text_only: bool = False) -> dict:
        tp = fp = fn = 0
        for p, sim, gate in rows:
            said = sim >= threshold and (text_only or gate)
            tp += said and p["label"] == 1
            fp += said and p["label"] == 0
            fn += (not said) and p["label"] == 1
        return _prf(tp, fp, fn)

    kinds: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for p, sim, gate in rows:
        said = sim >= rules.threshold and gate
        key = p["kind"] if p["label"] == 0 else f"duplicate:{p['made_by']}"
        kinds[key][0] += said == bool(p["label"])
        kinds[key][1] += 1
    return {
        "pairs": len(rows), "duplicates": sum(p["label"] for p, _, _ in rows),
        "near_misses": sum(1 - p["label"] for p, _, _ in rows),
        "rules": {"radius_m": rules.radius_m, "window_days": rules.window_days, "threshold": rules.threshold,
                  "strong_threshold": rules.strong_threshold},
        **at(rules.threshold),
        "strong": at(rules.strong_threshold),
        "text_only": at(rules.threshold, text_only=True),
        "per_kind_correct": {k: round(v[0] / v[1], 4) for k, v in sorted(kinds.items())},
        "sweep": [{"threshold": t, **at(t)} for t in SWEEP],
        "pairs_per_second": round(len(rows) / elapsed, 1) if elapsed else None,
    }


def with_threshold(rules: Rules, threshold: float | None) -> Rules:
    return rules if threshold is None else replace(rules, threshold=threshold)
