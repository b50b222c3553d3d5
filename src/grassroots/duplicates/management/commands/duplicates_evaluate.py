"""grassroots duplicates_evaluate [--pairs FILE] [--district CODE] [--threshold X] [--json]

Precision, recall and F1 of the duplicate finder on labelled pairs (default: the shipped
``duplicates/data/pairs.jsonl``), at the district's configured rules (or the defaults), with a
sweep of the text threshold. The last line is one JSON object."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from grassroots.duplicates.evaluate import PAIRS_FILE, evaluate, load_pairs, with_threshold
from grassroots.duplicates.selectors import default_rules, rules_for


class Command(BaseCommand):
    help = "Measure the duplicate finder on labelled pairs (precision, recall, F1, threshold sweep)"

    def add_arguments(self, parser):
        parser.add_argument("--pairs", default=str(PAIRS_FILE), help="JSON lines: a, b, label, distance_m, hours")
        parser.add_argument("--district", default="", help="区县代码：使用该区县的识别设置")
        parser.add_argument("--threshold", type=float, default=None, help="覆盖相似度阈值")
        parser.add_argument("--json", action="store_true", help="只输出一行 JSON")

    def handle(self, *args, **opts):
        path = Path(opts["pairs"])
        if not path.exists():
            raise CommandError(f"找不到文件：{path}")
        try:
            pairs = load_pairs(path)
        except (ValueError, KeyError) as exc:
            raise CommandError(f"{path} 不是有效的 JSON lines 文件：{exc}") from None
        missing = [i + 1 for i, p in enumerate(pairs) if not {"a", "b", "label"} <= set(p)]
        if missing:
            raise CommandError(f"第 {missing[0]} 行缺少 a、b 或 label 字段")
        for p in pairs:
            p.setdefault("distance_m", 0.0)
            p.setdefault("hours", 0.0)
            p.setdefault("kind", "duplicate" if p["label"] else "other")
            p.setdefault("made_by", "given")
        rules = rules_for(opts["district"]) if opts["district"] else default_rules()
        result = evaluate(pairs, with_threshold(rules, opts["threshold"]))
        if not opts["json"]:
            r = result
            self.stdout.write(f"pairs {r['pairs']} (duplicates {r['duplicates']}, near-misses {r['near_misses']}); "
                              f"rules {r['rules']}")
            self.stdout.write(f"precision {r['precision']:.3f}  recall {r['recall']:.3f}  f1 {r['f1']:.3f}  "
                              f"(strong: precision {r['strong']['precision']:.3f} recall {r['strong']['recall']:.3f})")
            for kind, share in r["per_kind_correct"].items():
                self.stdout.write(f"  {kind:40s} {share:.3f}")
            for row in r["sweep"]:
                self.stdout.write(f"  threshold {row['threshold']:.2f}: precision {row['precision']:.3f} "
                                  f"recall {row['recall']:.3f} f1 {row['f1']:.3f}")
        self.stdout.write(json.dumps(result, ensure_ascii=False))
