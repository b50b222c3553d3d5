"""``grassroots routing_train [--json]``: train the category classifier and the unit router from the
closed cases and the dispatchers' corrections (the shipped sample when history is short), store
them as the active models, and print what was trained and how well it did on held-out cases."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from grassroots.routing.training import routing_train


class Command(BaseCommand):
    help = "训练智能分派模型（类别分类器和承办单位推荐），并设为当前使用的模型"

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print the summary as one JSON object")

    def handle(self, *args, json: bool = False, **options):
        def progress(pct: int, stage: str) -> None:
            if not json:
                self.stdout.write(f"[{pct:3d}%] {stage}")

        try:
            summary = routing_train(progress=progress)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        if json:
            self.stdout.write(_dumps(summary))
            return
        ev = summary["evaluation"]
        unit = summary["unit_router"]
        self.stdout.write(f"模型版本 {summary['version']}（来源：{summary['source']}），训练数据 {summary['train_size']} 条，"
                          f"{summary['classes']} 个类别")
        if ev.get("accuracy") is not None:
            self.stdout.write(f"留出评估（{ev['test_size']} 条）：准确率 {ev['accuracy']:.3f}，宏平均 F1 {ev['macro_f1']:.3f}，"
                              f"前三命中率 {ev['top3_accuracy']:.3f}")
            for row in ev["thresholds"]:
                acc = "—" if row["accuracy"] is None else f"{row['accuracy']:.3f}"
                self.stdout.write(f"  阈值 {row['threshold']:.2f}：覆盖 {row['coverage']:.1%}，其中准确率 {acc}")
        else:
            self.stdout.write(f"未评估：{ev.get('reason', '')}")
        uev = unit["evaluation"]
        self.stdout.write(f"承办单位推荐：{unit['train_size']} 件已办结诉求；"
                          + (f"最新 20% 上覆盖 {uev['coverage']:.1%}，准确率 {uev['accuracy']}" if uev.get("coverage")
                             is not None else f"未评估：{uev.get('reason', '')}"))


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False)
