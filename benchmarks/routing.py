"""The case classifier (``grassroots.routing.learn``): prediction throughput, training time, and the
cross-validated figures of ``docs/routing.md``.

    .venv/bin/python benchmarks/routing.py            # speed: predictions/s (batch and one by one), training
    .venv/bin/python benchmarks/routing.py --cv       # + 5×5 CV of the method, its ablations and the char-SVM
    .venv/bin/python benchmarks/routing.py --nested   # + nested CV (hyper-parameters chosen inside each fold)

Data: the 244 labelled messages shipped in ``src/grassroots/routing/data/messages_labeled_sample.jsonl``.
Throughput is end to end from raw title + body (text shaping, features, scores, calibrated
probabilities, top 3) in one process. Training time is measured on the sample repeated to 2,440
and 4,880 messages (each copy's title numbered, so the texts differ) — "a few thousand texts". Ends
with one JSON line of figures.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from grassroots.routing.learn import Sample, TextClassifier  # noqa: E402
from grassroots.routing.learn.datasets import read_samples  # noqa: E402
from grassroots.routing.learn.evaluate import BaselineCharSVM, cross_validate  # noqa: E402

SAMPLE = ROOT / "src/grassroots/routing/data/messages_labeled_sample.jsonl"
GRID = {"alpha": [0.01, 0.03, 0.1], "document_weight": [1.0, 2.0], "title_weight": [1, 3]}


def speed(samples: list[Sample]) -> dict:
    model = TextClassifier.train(samples)
    blob = model.dumps()
    started = time.perf_counter()
    model = TextClassifier.loads(blob)
    load_ms = (time.perf_counter() - started) * 1000
    queries = [Sample(s.title, s.body) for s in samples] * 20  # 4,880 predictions
    rates = []
    for _ in range(3):
        started = time.perf_counter()
        model.predict(queries, k=3)
        rates.append(len(queries) / (time.perf_counter() - started))
    started = time.perf_counter()
    for query in queries[:1000]:
        model.predict([query], k=3)
    single = 1000 / (time.perf_counter() - started)
    training = {}
    for copies in (10, 20):
        bigger = [Sample(f"{s.title}（{i}）", s.body, s.label) for i in range(copies) for s in samples]
        started = time.perf_counter()
        TextClassifier.train(bigger)
        training[len(bigger)] = round(time.perf_counter() - started, 2)
    started = time.perf_counter()
    TextClassifier.train(samples)
    training[len(samples)] = round(time.perf_counter() - started, 3)
    out = {"predictions_per_second": round(max(rates)), "predictions_per_second_runs": [round(r) for r in rates],
           "one_at_a_time_per_second": round(single), "load_ms": round(load_ms, 2),
           "model_bytes": len(blob), "train_seconds": training, "load_average": os.getloadavg()[0]}
    print(f"predictions: {out['predictions_per_second']:,}/s in batches (runs {out['predictions_per_second_runs']}), "
          f"{out['one_at_a_time_per_second']:,}/s one at a time; model {len(blob) / 1e6:.2f} MB, loads in "
          f"{load_ms:.1f} ms; training: " + ", ".join(f"{n:,} messages {s} s" for n, s in training.items())
          + f" (load average {out['load_average']:.1f})")
    return out


def show(name: str, result: dict) -> dict:
    a, f = result["accuracy"], result["macro_f1"]
    c = result["calibration"]
    print(f"{name:<44} accuracy {a['mean']:.3f} ± {a['sd']:.3f}   macro-F1 {f['mean']:.3f} ± {f['sd']:.3f}"
          f"   ECE {c['ece']:.3f}  Brier {c['brier']:.3f}", flush=True)
    return {"name": name, "accuracy": a, "macro_f1": f, "calibration": c, "per_class": result["per_class"]}


def ablations(samples: list[Sample], repeats: int) -> list[dict]:
    def cv(train):
        return cross_validate(samples, folds=5, repeats=repeats, seed=0, train=train)

    return [
        show("this method (defaults)", cv(TextClassifier.train)),
        show("  without taxonomy documents", cv(lambda s: TextClassifier.train(s, documents={}))),
        show("  title once (no title weighting)", cv(lambda s: TextClassifier.train(s, title_weight=1))),
        show("  whole body (no 400-character head)", cv(lambda s: TextClassifier.train(s, body_chars=100_000))),
        show("baseline: TF-IDF char 1-3 + linear SVM", cv(BaselineCharSVM.train)),
        show("baseline: TF-IDF char 1-2 + linear SVM", cv(lambda s: BaselineCharSVM.train(s, (1, 2)))),
    ]


def nested(samples: list[Sample], repeats: int) -> dict:
    """Outer 5-fold × repeats; in each outer training set, an inner 5-fold CV picks the grid point."""
    grid = [dict(zip(GRID, values, strict=True)) for values in itertools.product(*GRID.values())]
    chosen = []

    def train(outer_train):
        best = max(grid, key=lambda params: cross_validate(
            outer_train, folds=5, repeats=1, seed=1,
            train=lambda s: TextClassifier.train(s, **params))["accuracy"]["mean"])
        chosen.append(best)
        return TextClassifier.train(outer_train, **best)

    result = show("nested CV (grid chosen inside each fold)", cross_validate(samples, folds=5, repeats=repeats,
                                                                             seed=0, train=train))
    counts = {json.dumps(p, sort_keys=True): chosen.count(p) for p in grid if p in chosen}
    print("  chosen:", counts)
    return result | {"chosen": counts}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cv", action="store_true", help="5×5 cross-validation of the method, ablations, baseline")
    parser.add_argument("--nested", action="store_true", help="nested cross-validation over the grid")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    samples = read_samples(SAMPLE)
    figures = {"benchmark": "routing", "train_size": len(samples)} | speed(samples)
    if args.cv:
        figures["cv"] = ablations(samples, args.repeats)
    if args.nested:
        figures["nested"] = nested(samples, min(args.repeats, 3))
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
