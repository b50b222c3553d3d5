"""Training the two routing models from the platform's own history, and storing them.

**Category classifier.** The examples are the closed cases (title + body → their final category)
and every case a dispatcher re-categorised (``RoutingCorrection``, the latest choice wins; those
cases may still be open). The taxonomy has three levels, and the tier rules and dispatch work with
a category at any level, so each example is labelled with **the most specific category (itself or
an ancestor) that has at least ``MIN_PER_CLASS`` examples** under it; rarer branches fall back to
their parent, and a first-level class with fewer than ``MIN_LEVEL1`` examples is left out. With
little history (fewer than ``COLD_START_BELOW`` examples) the shipped, really labelled sample
``data/messages_labeled_sample.jsonl`` (first-level names → the first-level ``Category`` of that
name) is added, with one short example per taxonomy line of those first-level classes (its
second- and third-level names: words a product may honestly ship). Figures come from a stratified
held-out 20 % of the real examples (never the taxonomy lines): accuracy, macro-F1, top-3
accuracy, and for each confidence threshold the share of cases above it and their accuracy — what
a street needs to set its thresholds. The stored model is then trained on everything.

**Unit router.** ``units.UnitRouter`` over the closed cases a unit held (weighted by rating) plus
the dispatchers' unit corrections; evaluated on the newest 20 % of those cases (built from the
older 80 %): how often it names a unit (coverage) and how often that is the unit that closed it.
"""

from __future__ import annotations

import json
import logging
import random
import secrets
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from grassroots.cases.models import Case, Category, Rating
from grassroots.core.memo import forget
from grassroots.core.services import audit_record
from grassroots.orgs.models import Unit

from . import store
from .learn import Sample, TextClassifier
from .models import RoutingCorrection, RoutingModel
from .units import Outcome, UnitRouter

log = logging.getLogger(__name__)
DATA = Path(__file__).resolve().parent / "data" / "messages_labeled_sample.jsonl"
TAXONOMY = Path(__file__).resolve().parents[1] / "cases" / "data" / "case_taxonomy.csv"
MAX_CASES = 20_000  # the most recently closed cases
HOLDOUT = 0.2
REFIT_BELOW = 2000
THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95)
RATING_WEIGHT = {Rating.SATISFIED: 1.0, Rating.BASIC: 0.9, "": 0.5, Rating.UNSATISFIED: 0.0}
SEP = "/"
Progress = Callable[[int, str], None]


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, f"GRASSROOTS_ROUTING_{name}", default))


@dataclass(frozen=True)
class Example:
    title: str
    body: str
    category_id: int
    source: str  # "case", "correction", "sample", "taxonomy"
    case_id: int | None = None


class Taxonomy:
    """The category tree in memory: ids, parents, the label of each node (its path of names)."""

    def __init__(self) -> None:
        rows = list(Category.objects.values_list("pk", "parent_id", "name", "level", "code"))
        self.parent = {pk: parent for pk, parent, _n, _l, _c in rows}
        self.name = {pk: name for pk, _p, name, _l, _c in rows}
        self.level = {pk: level for pk, _p, _n, level, _c in rows}
        self.code = {pk: code for pk, _p, _n, _l, code in rows}
        self.by_label = {self.label(pk): pk for pk in self.parent}
        self.level1_by_name = {self.name[pk]: pk for pk in self.parent if self.parent[pk] is None}

    def chain(self, pk: int) -> list[int]:
        """The category and its ancestors, deepest first."""
        out = []
        node: int | None = pk
        while node is not None:
            out.append(node)
            node = self.parent.get(node)
        return out

    def label(self, pk: int) -> str:
        return SEP.join(self.name[n] for n in reversed(self.chain(pk)))


def _history(limit: int = MAX_CASES) -> list[Example]:
    """Closed cases (their final category) and re-categorised cases (the latest correction)."""
    latest: dict[int, int] = {}
    for case_id, chosen in RoutingCorrection.objects.filter(
            kind=RoutingCorrection.Kind.CATEGORY, chosen_category__isnull=False).order_by("at", "pk").values_list(
            "case_id", "chosen_category_id"):
        latest[case_id] = chosen
    closed = Case.objects.filter(status=Case.Status.CLOSED, category__isnull=False).order_by("-closed_at")
    out: dict[int, Example] = {}
    for pk, title, body, category_id in closed.values_list("pk", "title", "body", "category_id")[:limit]:
        if pk in latest:
            continue
        out[pk] = Example(title, body, category_id, "case", pk)
    for pk, title, body in Case.objects.filter(pk__in=list(latest)).values_list("pk", "title", "body"):
        out[pk] = Example(title, body, latest[pk], "correction", pk)
    return list(out.values())


def _cold_start(tax: Taxonomy) -> tuple[list[Example], list[Example]]:
    """The shipped labelled sample, and a short example per taxonomy line of its first-level classes."""
    sample = []
    for line in DATA.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        pk = tax.level1_by_name.get(row.get("label", ""))
        if pk is not None:
            sample.append(Example(row.get("title", ""), row.get("body", ""), pk, "sample"))
    present = {e.category_id for e in sample}
    lines = []
    for row in TAXONOMY.read_text(encoding="utf-8").splitlines()[1:]:
        level1, *rest = [x.strip() for x in row.split(",")]
        pk = tax.level1_by_name.get(level1)
        if pk in present and rest:
            lines.append(Example(rest[-1], " ".join(rest), pk, "taxonomy"))
    return sample, lines


def assign_labels(examples: list[Example], tax: Taxonomy, *, min_per_class: int, min_level1: int) -> list[str]:
    """Each example's label: its deepest category (or ancestor) with ``min_per_class`` examples under
    it; its first-level category otherwise, or "" (left out) when even that has too few."""
    counts: Counter[int] = Counter()
    for e in examples:
        counts.update(tax.chain(e.category_id))
    labels = []
    for e in examples:
        chain = tax.chain(e.category_id)
        node = next((n for n in chain if counts[n] >= min_per_class), None)
        if node is None:
            node = chain[-1] if counts[chain[-1]] >= min_level1 else None
        labels.append(tax.label(node) if node is not None else "")
    return labels


def _split(n: int, labels: list[str], rng: random.Random) -> set[int]:
    """Indexes of a stratified held-out part (about HOLDOUT of each label with 2+ examples)."""
    by_label: dict[str, list[int]] = {}
    for i, label in enumerate(labels):
        by_label.setdefault(label, []).append(i)
    held = set()
    for idx in by_label.values():
        if len(idx) < 2:
            continue
        rng.shuffle(idx)
        held.update(idx[:max(1, round(len(idx) * HOLDOUT))])
    return held


def evaluate(samples: list[Sample], extra: list[Sample], *, seed: int = 0,
             version: str = "") -> tuple[dict, TextClassifier | None]:
    """Train on 80 % (+ ``extra``) and measure on the held-out 20 % of ``samples``: the figures,
    and the model they describe (None when there was too little to hold some out)."""
    from sklearn.metrics import accuracy_score, f1_score

    labels = [s.label for s in samples]
    held = _split(len(samples), labels, random.Random(seed))
    train = [s for i, s in enumerate(samples) if i not in held] + extra
    test = [s for i, s in enumerate(samples) if i in held]
    if len(test) < 5 or len({s.label for s in train}) < 2:
        return {"method": "none", "reason": "样本太少，无法留出一部分做评估"}, None
    model = TextClassifier.train(train, version=version)
    predictions = model.predict(test, k=3)
    truth = [s.label for s in test]
    top1 = [p[0][0] for p in predictions]
    figures = {
        "method": f"分层留出 {int(HOLDOUT * 100)}% 评估", "train_size": len(train), "test_size": len(test),
        "accuracy": round(accuracy_score(truth, top1), 4),
        "macro_f1": round(f1_score(truth, top1, average="macro", zero_division=0), 4),
        "top3_accuracy": round(sum(t in [lab for lab, _p in p] for t, p in zip(truth, predictions, strict=True))
                               / len(test), 4),
        "level1_accuracy": round(sum(t.split(SEP)[0] == p.split(SEP)[0] for t, p in zip(truth, top1, strict=True))
                                 / len(test), 4),
        "thresholds": [],
    }
    for t in THRESHOLDS:
        above = [(truth[i], top1[i]) for i, p in enumerate(predictions) if p[0][1] >= t]
        figures["thresholds"].append({
            "threshold": t, "coverage": round(len(above) / len(test), 4),
            "accuracy": round(sum(a == b for a, b in above) / len(above), 4) if above else None})
    model.meta["evaluation"] = figures
    return figures, model


def _outcomes() -> list[tuple[Outcome, object]]:
    rows = Case.objects.filter(status=Case.Status.CLOSED, assigned_unit__isnull=False, category__isnull=False)
    out = [(Outcome(code, place, unit, RATING_WEIGHT.get(rating, 0.5)), closed_at) for code, place, unit, rating, closed_at
           in rows.order_by("closed_at", "pk").values_list("category__code", "area_code", "assigned_unit_id", "rating",
                                                           "closed_at")[:MAX_CASES]]
    corrections = RoutingCorrection.objects.filter(kind=RoutingCorrection.Kind.UNIT, chosen_unit__isnull=False,
                                                   case__category__isnull=False)
    out += [(Outcome(code, place, unit, 1.0), at) for code, place, unit, at in corrections.values_list(
        "case__category__code", "case__area_code", "chosen_unit_id", "at")]
    out.sort(key=lambda x: x[1])
    return out


def _units() -> dict[int, dict]:
    return {pk: {"name": name, "area": code, "district": district} for pk, name, code, district
            in Unit.objects.values_list("pk", "name", "area__code", "district_code")}


def train_router(version: str) -> tuple[UnitRouter, dict, int]:
    rows = _outcomes()
    units = _units()
    outcomes = [o for o, _at in rows]
    cut = int(len(outcomes) * (1 - HOLDOUT))
    evaluation: dict = {"method": "none", "reason": "由单位办结的诉求太少，暂无法评估"}
    if cut >= 10 and len(outcomes) - cut >= 5:
        older = UnitRouter.build(outcomes[:cut], units=units)
        newer = outcomes[cut:]
        named = [(o, older.suggest(category_code=o.category_code, place_code=o.place_code)) for o in newer]
        covered = [(o, s[0]) for o, s in named if s]
        evaluation = {"method": "以最近办结的 20% 诉求评估", "train_size": cut, "test_size": len(newer),
                      "coverage": round(len(covered) / len(newer), 4),
                      "accuracy": round(sum(s.unit_id == o.unit_id for o, s in covered) / len(covered), 4)
                      if covered else None}
    router = UnitRouter.build(outcomes, units=units, meta={"version": version, "evaluation": evaluation})
    return router, evaluation, len(outcomes)


def _version() -> str:
    return f"{timezone.localtime():%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"


def routing_train(*, actor=None, progress: Progress | None = None, seed: int = 0, limit: int = MAX_CASES,
                  refit: bool | None = None) -> dict:
    """Train both models from what the platform knows now (at most ``limit`` of the most recently
    closed cases), store them as the active ones, and return a summary (also audited).

    ``refit``: train the stored model again on all the examples after the held-out evaluation
    (the default below ``REFIT_BELOW`` examples, where the last 20 % matter), or store the very
    model the figures were measured on (large histories: half the training time, and the figures
    are exactly the stored model's)."""
    progress = progress or (lambda pct, stage: None)
    min_per_class = _setting("MIN_PER_CLASS", 20)
    min_level1 = _setting("MIN_LEVEL1", 3)
    cold_below = _setting("COLD_START_BELOW", 300)
    progress(5, "读取已办结诉求和人工纠正")
    tax = Taxonomy()
    history = _history(limit)
    real, pseudo = list(history), []
    if len(history) < cold_below:
        sample, pseudo = _cold_start(tax)
        real += sample
    source = (RoutingModel.Source.HISTORY if len(real) == len(history) else
              RoutingModel.Source.MIXED if history else RoutingModel.Source.COLD_START)
    labels = assign_labels(real + pseudo, tax, min_per_class=min_per_class, min_level1=min_level1)
    samples = [Sample(e.title, e.body, lab) for e, lab in zip(real + pseudo, labels, strict=True) if lab]
    n_real = sum(1 for lab in labels[:len(real)] if lab)
    real_samples, extra = samples[:n_real], samples[n_real:]
    if len({s.label for s in samples}) < 2:
        raise ValueError("训练数据不足：至少需要两个类别的已办结诉求或样本")
    progress(20, "留出 20% 评估")
    version = _version()
    evaluation, classifier = evaluate(real_samples, extra, seed=seed, version=version)
    if refit is None:
        refit = len(real_samples) < REFIT_BELOW
    if refit or classifier is None:
        progress(55, "用全部数据训练分类模型")
        classifier = TextClassifier.train(samples, version=version, evaluation=evaluation)
    evaluation["stored_model"] = "refit on all examples" if refit or evaluation.get("method") == "none" else \
        "the evaluated model (80%)"
    level_counts = Counter(s.label.count(SEP) + 1 for s in samples)
    corrections = RoutingCorrection.objects.filter(used_in_version="")
    details = {
        "examples": dict(Counter(e.source for e, lab in zip(real + pseudo, labels, strict=True) if lab)),
        "left_out": sum(1 for lab in labels if not lab), "label_levels": {str(k): v for k, v in sorted(level_counts.items())},
        "min_per_class": min_per_class, "classes": len(classifier.labels),
        "corrections_new": corrections.count(),
    }
    progress(80, "统计各单位办结同类诉求的情况")
    router, router_eval, router_size = train_router(version)
    progress(90, "保存模型")
    with transaction.atomic():
        RoutingModel.objects.filter(active=True).update(active=False)
        category_row = RoutingModel.objects.create(
            kind=RoutingModel.Kind.CATEGORY, version=version, trained_at=timezone.now(),
            train_size=classifier.meta.get("train_size", len(samples)),
            source=source, labels=classifier.labels, evaluation=evaluation, details=details,
            blob=classifier.dumps(), active=True, created_by=actor if getattr(actor, "pk", None) else None)
        RoutingModel.objects.create(
            kind=RoutingModel.Kind.UNIT, version=version, trained_at=category_row.trained_at, train_size=router_size,
            source=RoutingModel.Source.HISTORY, labels=[], evaluation=router_eval,
            details={"buckets": len(router.buckets), "units": len(router.units)}, blob=router.dumps(), active=True,
            created_by=category_row.created_by)
        corrections.update(used_in_version=version)
        summary = {"version": version, "source": source, "train_size": category_row.train_size,
                   "classes": len(classifier.labels),
                   "evaluation": evaluation, "details": details,
                   "unit_router": {"train_size": router_size, "evaluation": router_eval}}
        audit_record(actor=actor, action="routing.train", obj=category_row, detail=summary)
    forget(store.KEY)
    progress(100, "完成")
    log.info("routing model %s trained on %s examples", version, len(samples))
    return summary
