"""Measuring a classifier: figures on a test set, and (repeated, stratified) cross-validation.

``train`` arguments are callables ``samples -> model`` where a model has ``predict_proba`` and
``labels`` (``TextClassifier`` and ``BaselineCharSVM`` below), so both are measured the same way.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Sequence

import numpy as np
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support
from sklearn.model_selection import RepeatedStratifiedKFold

from . import calibration
from .classifier import Sample, TextClassifier


def figures(truth: Sequence[str], predicted: Sequence[str], labels: Sequence[str] | None = None) -> dict:
    """Accuracy, macro-F1, per-class precision/recall/F1/support and the confusion matrix."""
    labels = sorted(set(truth) | set(predicted)) if labels is None else list(labels)
    with warnings.catch_warnings():  # a label never predicted has precision 0, which is what we report
        warnings.simplefilter("ignore")
        precision, recall, f1, support = precision_recall_fscore_support(
            truth, predicted, labels=labels, zero_division=0)
    present = [i for i, label in enumerate(labels) if label in set(truth)]
    return {
        "accuracy": round(float(np.mean(np.asarray(truth) == np.asarray(predicted))), 4) if len(truth) else 0.0,
        "macro_f1": round(float(np.mean(f1[present])), 4) if present else 0.0,
        "per_class": {label: {"precision": round(float(precision[i]), 4), "recall": round(float(recall[i]), 4),
                              "f1": round(float(f1[i]), 4), "support": int(support[i])}
                      for i, label in enumerate(labels)},
        "confusion": {"labels": labels,
                      "matrix": confusion_matrix(truth, predicted, labels=labels).tolist()},
    }


def evaluate(model, samples: Sequence[Sample]) -> dict:
    """Figures of a trained model on labelled test samples, with its speed and calibration."""
    started = time.perf_counter()
    prob = model.predict_proba([Sample(s.title, s.body) for s in samples])
    elapsed = time.perf_counter() - started
    labels = list(model.labels)
    predicted = [labels[i] for i in prob.argmax(axis=1)] if len(samples) else []
    truth = [s.label for s in samples]
    out = figures(truth, predicted, sorted(set(labels) | set(truth)))
    known = np.array([s.label in labels for s in samples], dtype=bool)
    if known.any():
        index = np.searchsorted(labels, [s.label for s, k in zip(samples, known, strict=True) if k])
        out["calibration"] = {"ece": round(calibration.expected_calibration_error(prob[known], index), 4),
                              "brier": round(calibration.brier_score(prob[known], index), 4),
                              "reliability": calibration.reliability(prob[known], index)}
    out["unknown_labels"] = sorted({s.label for s in samples} - set(labels))
    out["test_size"] = len(samples)
    out["predictions_per_second"] = round(len(samples) / elapsed, 1) if elapsed > 0 else None
    return out


def cross_validate(samples: Sequence[Sample], *, folds: int = 5, repeats: int = 1, seed: int = 0,
                   train: Callable[[Sequence[Sample]], object] = TextClassifier.train) -> dict:
    """Repeated stratified k-fold: mean and standard deviation over the folds, per-class F1 means,
    and calibration of the pooled out-of-fold probabilities."""
    samples = list(samples)
    labels = sorted({s.label for s in samples})
    truth = np.array([s.label for s in samples])
    fold_figures, pooled_prob, pooled_truth = [], [], []
    predicting, predicted_count = 0.0, 0
    splitter = RepeatedStratifiedKFold(n_splits=folds, n_repeats=repeats, random_state=seed)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The least populated class", category=UserWarning)
        splits = list(splitter.split(np.zeros(len(samples)), truth))
    for train_rows, test_rows in splits:
        model = train([samples[i] for i in train_rows])
        test = [samples[i] for i in test_rows]
        started = time.perf_counter()
        prob = model.predict_proba([Sample(s.title, s.body) for s in test])
        predicting, predicted_count = predicting + time.perf_counter() - started, predicted_count + len(test)
        predicted = [model.labels[i] for i in prob.argmax(axis=1)]
        fold_figures.append(figures(list(truth[test_rows]), predicted, labels))
        full = np.zeros((len(test), len(labels)))  # columns of the labels this fold's model knows
        full[:, np.searchsorted(labels, model.labels)] = prob
        pooled_prob.append(full)
        pooled_truth.append(np.searchsorted(labels, truth[test_rows]))
    prob, index = np.vstack(pooled_prob), np.concatenate(pooled_truth)

    def spread(values: list[float]) -> dict:
        return {"mean": round(float(np.mean(values)), 4), "sd": round(float(np.std(values)), 4)}

    return {
        "folds": folds, "repeats": repeats, "size": len(samples),
        "accuracy": spread([f["accuracy"] for f in fold_figures]),
        "macro_f1": spread([f["macro_f1"] for f in fold_figures]),
        "per_class": {label: {key: round(float(np.mean([f["per_class"][label][key] for f in fold_figures])), 4)
                              for key in ("precision", "recall", "f1")} | {"support": int((truth == label).sum())}
                      for label in labels},
        "calibration": {"ece": round(calibration.expected_calibration_error(prob, index), 4),
                        "brier": round(calibration.brier_score(prob, index), 4),
                        "reliability": calibration.reliability(prob, index)},
        "confusion": {"labels": labels,  # summed over every repeat's out-of-fold predictions
                      "matrix": confusion_matrix(index, prob.argmax(axis=1), labels=range(len(labels))).tolist()},
        "predictions_per_second": round(predicted_count / predicting, 1) if predicting > 0 else None,
    }


class BaselineCharSVM:
    """The issue's reference point: TF-IDF over character n-grams of title + body, linear SVM.

    Only for comparison in the same cross-validation (its "probabilities" are a softmax of the SVM
    margins, not calibrated).
    """

    def __init__(self, pipeline, labels: list[str]) -> None:
        self.pipeline, self.labels = pipeline, labels

    @classmethod
    def train(cls, samples: Sequence[Sample], ngram_range: tuple[int, int] = (1, 3)) -> BaselineCharSVM:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.pipeline import make_pipeline
        from sklearn.svm import LinearSVC

        pipeline = make_pipeline(TfidfVectorizer(analyzer="char", ngram_range=ngram_range, sublinear_tf=True),
                                 LinearSVC())
        pipeline.fit([s.text for s in samples], [s.label for s in samples])
        return cls(pipeline, [str(c) for c in pipeline.classes_])

    def predict_proba(self, samples: Sequence[Sample]) -> np.ndarray:
        from scipy.special import softmax

        margins = self.pipeline.decision_function([s.text for s in samples])
        if margins.ndim == 1:
            margins = np.stack([-margins, margins], axis=1)
        return softmax(margins, axis=1)
