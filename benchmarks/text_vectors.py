"""What the three users of the text vectors produce on the shipped data, and how fast: the figures
that must not move when the text-vector code changes (docs/routing.md, "One text-vector module").

    .venv/bin/python benchmarks/text_vectors.py                  # this checkout
    .venv/bin/python benchmarks/text_vectors.py --src OTHER/src   # another checkout (e.g. before a change)

* routing: 5×5 repeated stratified CV of the classifier on the 244 labelled messages (accuracy,
  macro-F1, ECE), and the cold-start model's top label and probability for each of the 150 other real
  messages (votes + replies);
* duplicates: precision / recall of the finder on its 546 labelled pairs at the default rules;
* hot problems: the groups ``similar_groups`` finds among all 394 real messages (and among the 30
  voted ones), as a fingerprint (sizes, and a hash of the exact grouping with each group's order);
* speed: single-message and batch predictions, and training on 4,880 messages.

Pure Python, no database. Ends with one JSON line of figures; compare two runs' ``fingerprint``s
to see whether anything moved.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"


def digest(value) -> str:
    return hashlib.sha256(json.dumps(value, ensure_ascii=False).encode()).hexdigest()[:16]


def messages(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--src", default=str(ROOT / "src"), help="the src/ folder of the code to measure")
    args = parser.parse_args()
    src = Path(args.src).resolve()
    sys.path.insert(0, str(src))
    from grassroots.duplicates.evaluate import evaluate, load_pairs
    from grassroots.duplicates.scoring import Rules
    from grassroots.hotspots.textcluster import similar_groups
    from grassroots.routing.learn import Sample, TextClassifier
    from grassroots.routing.learn.datasets import read_samples
    from grassroots.routing.learn.evaluate import cross_validate

    data = src / "grassroots" / "routing" / "data"
    samples = read_samples(data / "messages_labeled_sample.jsonl")
    cv = cross_validate(samples, folds=5, repeats=5, seed=0, train=TextClassifier.train)
    routing = {"accuracy": cv["accuracy"]["mean"], "macro_f1": cv["macro_f1"]["mean"],
               "ece": cv["calibration"]["ece"]}
    print(f"routing 5×5 CV: accuracy {routing['accuracy']:.4f}, macro-F1 {routing['macro_f1']:.4f}, "
          f"ECE {routing['ece']:.4f}", flush=True)

    voted, labelled = messages(data / "messages_with_votes_sample.jsonl"), messages(data / "messages_labeled_sample.jsonl")
    replies = messages(SHARED / "messages_with_replies_sample.jsonl")
    others = [Sample(r["title"], r.get("body") or "") for r in voted + replies]
    model = TextClassifier.train(samples)
    predicted = [[p[0][0], round(p[0][1], 3)] for p in model.predict(others, k=1)]

    d = evaluate(load_pairs(), Rules())
    duplicates = {k: d[k] for k in ("precision", "recall", "f1", "tp", "fp", "fn")}
    print(f"duplicates: precision {duplicates['precision']}, recall {duplicates['recall']} "
          f"({duplicates['tp']} found, {duplicates['fp']} wrong, {duplicates['fn']} missed)", flush=True)

    everything = voted + labelled + replies
    groups_all = similar_groups([r["title"] for r in everything], [r.get("body") or "" for r in everything])
    groups_voted = similar_groups([r["title"] for r in voted], [r["body"] for r in voted])
    clusters = {"messages": len(everything), "groups": len(groups_all), "sizes": [len(g) for g in groups_all],
                "voted_groups": len(groups_voted)}
    print(f"hot-problem groups among {len(everything)} messages: {len(groups_all)} (sizes {clusters['sizes']}), "
          f"among the 30 voted: {len(groups_voted)}", flush=True)

    queries = [Sample(s.title, s.body) for s in samples] * 20
    started = time.perf_counter()
    model.predict(queries, k=3)
    batch = len(queries) / (time.perf_counter() - started)
    started = time.perf_counter()
    for query in queries[:1000]:
        model.predict([query], k=3)
    single_ms = time.perf_counter() - started  # 1,000 calls: seconds in total = ms per call
    bigger = [Sample(f"{s.title}（{i}）", s.body, s.label) for i in range(20) for s in samples]
    started = time.perf_counter()
    TextClassifier.train(bigger)
    train_s = time.perf_counter() - started
    speed = {"batch_per_second": round(batch), "single_ms": round(single_ms, 3), "train_4880_s": round(train_s, 2)}
    print(f"speed: {speed['batch_per_second']:,} predictions/s in batches, {speed['single_ms']} ms one at a time, "
          f"training 4,880 messages {speed['train_4880_s']} s", flush=True)

    fingerprint = {"routing_cv": digest([round(routing["accuracy"], 4), round(routing["macro_f1"], 4)]),
                   "routing_predictions": digest(predicted), "duplicates": digest(duplicates),
                   "clusters": digest([groups_all, groups_voted])}
    print(json.dumps({"benchmark": "text_vectors", "src": str(src), "routing": routing, "duplicates": duplicates,
                      "clusters": clusters, "speed": speed, "fingerprint": fingerprint}, ensure_ascii=False))


if __name__ == "__main__":
    main()
