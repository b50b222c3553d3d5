"""``grassroots routing_evaluate``: train the case classifier on one labelled file, measure it on another
(or cross-validate on one), print readable lines and, with ``--json``, one JSON object as the last line."""

from __future__ import annotations

import json
import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from grassroots.routing.learn import TextClassifier
from grassroots.routing.learn.datasets import LABEL_COLUMN, TEXT_COLUMNS, DataError, read_samples
from grassroots.routing.learn.evaluate import cross_validate, evaluate


class Command(BaseCommand):
    help = (
        "训练分类模型并评估：--train 训练文件 --test 测试文件（JSON lines 含 title/body/label；"
        "或 .csv/.xlsx 配合 --text-columns、--label-column）；只给 --train 加 --folds K 则做交叉验证。"
        "加 --json 时最后一行输出一个 JSON 对象。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--train", required=True, help="训练用的带标签文件（.jsonl / .csv / .xlsx）")
        parser.add_argument("--test", help="评估用的带标签文件（格式同上）")
        parser.add_argument("--folds", type=int, default=0, help="不给 --test 时：在训练文件上做 K 折分层交叉验证")
        parser.add_argument("--repeats", type=int, default=1, help="交叉验证重复次数（默认 1）")
        parser.add_argument("--text-columns", default=",".join(TEXT_COLUMNS),
                            help="正文所在的列，逗号分隔；第一列作标题，其余作正文（默认 title,body）")
        parser.add_argument("--label-column", default=LABEL_COLUMN, help="类别所在的列（默认 label）")
        parser.add_argument("--json", dest="as_json", action="store_true", help="最后一行输出全部结果的 JSON 对象")

    def handle(self, *args, train: str, test: str | None, folds: int, repeats: int, text_columns: str,
               label_column: str, as_json: bool, **options) -> None:
        if not test and folds < 2:
            raise CommandError("请给出 --test 测试文件，或用 --folds K（K ≥ 2）在训练文件上做交叉验证")
        if test and folds:
            raise CommandError("--test 与 --folds 只能二选一")
        if repeats < 1:
            raise CommandError("--repeats 至少为 1")
        columns = [c.strip() for c in text_columns.split(",") if c.strip()]
        try:
            train_samples = read_samples(train, text_columns=columns, label_column=label_column)
            test_samples = read_samples(test, text_columns=columns, label_column=label_column) if test else []
        except DataError as exc:
            raise CommandError(str(exc)) from None
        labels = sorted({s.label for s in train_samples})
        if len(labels) < 2:
            raise CommandError(f"训练文件 {train} 只有 1 个类别（{labels[0]}）：至少需要两个类别")
        if folds:
            result = self._cross_validate(train_samples, folds, repeats)
        else:
            result = self._held_out(train_samples, test_samples, test)
        if as_json:
            self.stdout.write(_json(result))

    def _held_out(self, train_samples, test_samples, test: str) -> dict:
        started = time.perf_counter()
        model = TextClassifier.train(train_samples)
        train_seconds = time.perf_counter() - started
        result = {"train_size": len(train_samples), "train_seconds": round(train_seconds, 3)}
        result |= evaluate(model, test_samples)
        write = self.stdout.write
        write(f"训练 {len(train_samples)} 条（{len(model.labels)} 类，{train_seconds:.2f} 秒），测试 {len(test_samples)} 条")
        write(f"准确率 accuracy {result['accuracy']:.4f}   宏平均 F1 macro_f1 {result['macro_f1']:.4f}   "
              f"每秒预测 {result['predictions_per_second']:,.0f} 条")
        if "calibration" in result:
            c = result["calibration"]
            write(f"置信度校准 ECE {c['ece']:.4f}   Brier {c['brier']:.4f}   "
                  + "  ".join(f"≥{r['threshold']}: 占 {r['share']:.0%} 准确 {r['accuracy'] or 0:.0%}"
                              for r in c["reliability"]))
        self._per_class(result["per_class"])
        if result["unknown_labels"]:
            write(f"注意：测试文件中有训练文件没有的类别（必然判错）：{'、'.join(result['unknown_labels'])}")
        return result

    def _cross_validate(self, samples, folds: int, repeats: int) -> dict:
        smallest = min(sum(1 for s in samples if s.label == label) for label in {s.label for s in samples})
        if folds > len(samples):
            raise CommandError(f"--folds {folds} 大于样本数 {len(samples)}：请减小 K")
        result = cross_validate(samples, folds=folds, repeats=repeats)
        result |= {"train_size": len(samples), "test_size": len(samples)}
        a, f = result["accuracy"], result["macro_f1"]
        write = self.stdout.write
        write(f"{folds} 折分层交叉验证 × {repeats} 次，{len(samples)} 条"
              + (f"（最少的类别只有 {smallest} 条，少于折数）" if smallest < folds else ""))
        write(f"准确率 accuracy {a['mean']:.4f} ± {a['sd']:.4f}   宏平均 F1 macro_f1 {f['mean']:.4f} ± {f['sd']:.4f}")
        c = result["calibration"]
        write(f"置信度校准 ECE {c['ece']:.4f}   Brier {c['brier']:.4f}")
        self._per_class(result["per_class"])
        result["accuracy"], result["macro_f1"] = a["mean"], f["mean"]
        result["accuracy_sd"], result["macro_f1_sd"] = a["sd"], f["sd"]
        return result

    def _per_class(self, per_class: dict) -> None:
        for label, row in per_class.items():
            self.stdout.write(f"  {label:<12} precision {row['precision']:.3f}  recall {row['recall']:.3f}  "
                              f"f1 {row['f1']:.3f}  support {row['support']}")


def _json(result: dict) -> str:
    return json.dumps(result, ensure_ascii=False, separators=(",", ":"))
