"""A text classifier with calibrated probabilities, saved and loaded as one versioned blob.

Method (why each part: ``docs/routing.md``, "Classification"): TF-IDF over character 1–2-grams of
the title (three times) and the head of the body, plus one pseudo-document per taxonomy category;
Complement Naive Bayes (Rennie et al., 2003: the Naive Bayes variant made for small, unbalanced text
sets); probabilities calibrated on out-of-fold scores (temperature, then top-label Platt scaling). Deterministic: no randomness
but the seeded fold split.
"""

from __future__ import annotations

import io
import pickle
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
from scipy.sparse import vstack
from sklearn.model_selection import StratifiedKFold
from sklearn.naive_bayes import ComplementNB

from grassroots.text import TextVectors

from . import calibration, features

FORMAT = 3  # bump when a saved blob of the old format can no longer be read (3: grassroots.text vectors)
ALPHA = 0.03  # Complement NB smoothing (chosen by nested cross-validation, docs/routing.md)
DOCUMENT_WEIGHT = 2.0  # weight of one taxonomy pseudo-document against one labelled message
CALIBRATION_FOLDS = 5
SEED = 0


@dataclass(frozen=True)
class Sample:
    title: str
    body: str = ""
    label: str = ""

    @property
    def text(self) -> str:
        return f"{self.title}\n{self.body}"


def _feature_text(sample: Sample | str, shape: dict) -> str:
    if isinstance(sample, str):  # a bare string is read as Sample.text: the first line is the title
        title, _, body = sample.partition("\n")
        return features.message_text(title, body, **shape)
    return features.message_text(sample.title, sample.body, **shape)


def _weights(model: ComplementNB, n_labels: int) -> np.ndarray:
    """The model as one matrix (labels × grams): a text's scores are its TF-IDF row times this.

    Complement NB scores a text by ``X @ feature_log_prob_.T``; labels the model never saw (a fold
    without them) get the lowest weight of each gram, so they never win.
    """
    weights = np.repeat(model.feature_log_prob_.min(axis=0, keepdims=True), n_labels, axis=0)
    weights[model.classes_] = model.feature_log_prob_
    return weights.astype(np.float32)


def _scores(by_gram: np.ndarray, matrix) -> np.ndarray:
    """Scores of each text (rows) for each label, centred per row; ``by_gram`` is grams × labels."""
    raw = np.asarray(matrix @ by_gram, dtype=np.float64)
    return raw - raw.mean(axis=1, keepdims=True)


@dataclass
class TextClassifier:
    vectorizer: TextVectors
    weights: np.ndarray  # labels × grams (see _weights)
    labels: list[str]
    temperature: float = 1.0
    top: tuple[float, float] | None = None  # top-label Platt scaling (calibration.fit_top_label)
    meta: dict = field(default_factory=dict)
    shape: dict = field(default_factory=dict)  # title_weight, body_chars: how a message becomes text

    def __post_init__(self) -> None:
        self._by_gram = np.ascontiguousarray(self.weights.T)  # grams × labels: sparse @ dense without a copy

    @classmethod
    def train(cls, samples: Sequence[Sample], *, version: str = "", evaluation: dict | None = None,
              documents: Mapping[str, Sequence[str]] | None = None, alpha: float = ALPHA,
              document_weight: float = DOCUMENT_WEIGHT, title_weight: int = features.TITLE_WEIGHT,
              body_chars: int = features.BODY_CHARS) -> TextClassifier:
        """Train on labelled samples.

        ``documents`` maps a label to short texts that describe it (its category names): each is added
        as a training document of weight ``document_weight``. Default: for labels that are level-1
        names or ``/``-paths of the shipped taxonomy, the level-2/3 names beneath them
        (``features.default_documents``); pass ``{}`` for none. Documents for labels without a
        labelled sample are ignored. Documents stay in every calibration fold and are not scored.
        """
        samples = [s for s in samples if (s.title or s.body) and s.label]
        labels = sorted({str(s.label) for s in samples})
        if len(labels) < 2:
            raise ValueError("at least two labels are needed to train")
        if documents is None:
            documents = features.default_documents(labels)
        extra = [(str(label), text) for label, texts in documents.items() if str(label) in labels
                 for text in texts if text and text.strip()]
        shape = {"title_weight": title_weight, "body_chars": body_chars}
        texts = [_feature_text(s, shape) for s in samples]
        truth = np.searchsorted(labels, [str(s.label) for s in samples])
        doc_truth = np.searchsorted(labels, [label for label, _ in extra])
        vectorizer = TextVectors(ngrams=(1, 2))
        matrix = vectorizer.fit_transform(texts + [text for _, text in extra])
        x_samples, x_docs = matrix[: len(texts)], matrix[len(texts):]
        doc_weights = np.full(len(extra), document_weight)

        def fit(rows: np.ndarray) -> np.ndarray:
            model = ComplementNB(alpha=alpha)
            model.fit(vstack([x_samples[rows], x_docs]), np.concatenate([truth[rows], doc_truth]),
                      sample_weight=np.concatenate([np.ones(len(rows)), doc_weights]))
            return _weights(model, len(labels))

        temperature, top, oof = _calibrate(fit, x_samples, truth, len(labels))
        weights = fit(np.arange(len(texts)))
        meta = {"format": FORMAT, "version": version or datetime.now(UTC).strftime("%Y%m%d%H%M%S"),
                "trained_at": datetime.now(UTC).isoformat(timespec="seconds"), "train_size": len(samples),
                "labels": labels, "evaluation": evaluation or {},
                "method": "tfidf-char12+taxonomy-docs+complement-nb+temperature+top-label-platt",
                "documents": len(extra), "temperature": round(temperature, 4),
                "top_label": [round(v, 4) for v in top] if top else None,
                "parameters": {"alpha": alpha, "document_weight": document_weight, **shape},
                "calibration": oof}
        return cls(vectorizer=vectorizer, weights=weights, labels=labels, temperature=temperature, top=top, meta=meta,
                   shape=shape)

    def predict_proba(self, samples: Sequence[Sample | str]) -> np.ndarray:
        """Calibrated probabilities, one row per sample, columns in the order of ``labels``."""
        if not samples:
            return np.zeros((0, len(self.labels)))
        matrix = self.vectorizer.transform([_feature_text(s, self.shape) for s in samples])
        scores = _scores(self._by_gram, matrix)
        return calibration.probabilities(scores, self.temperature, self.top)

    def predict(self, samples: Sequence[Sample | str], *, k: int = 3) -> list[list[tuple[str, float]]]:
        """The ``k`` most likely labels of each sample with their probabilities, best first."""
        prob = self.predict_proba(samples)
        out = []
        for row in prob:
            best = np.argsort(-row, kind="stable")[:k]
            out.append([(self.labels[i], float(row[i])) for i in best])
        return out

    def dumps(self) -> bytes:
        buffer = io.BytesIO()
        pickle.dump({"format": FORMAT, "vectorizer": self.vectorizer, "weights": self.weights, "labels": self.labels,
                     "temperature": self.temperature, "top": self.top, "meta": self.meta, "shape": self.shape}, buffer, protocol=pickle.HIGHEST_PROTOCOL)
        return buffer.getvalue()

    @classmethod
    def loads(cls, blob: bytes) -> TextClassifier:
        try:
            data = pickle.loads(blob)  # noqa: S301 — blobs are written by this code into our own database
        except (ImportError, AttributeError, pickle.UnpicklingError, EOFError) as exc:  # an older code's classes
            raise ValueError(f"a model written by an older version cannot be read ({exc}): retrain it") from exc
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            found = data.get("format") if isinstance(data, dict) else None
            raise ValueError(f"a model of format {found} cannot be read (this code reads {FORMAT}): retrain it")
        return cls(vectorizer=data["vectorizer"], weights=data["weights"], labels=data["labels"],
                   temperature=data["temperature"], top=data["top"], meta=data["meta"], shape=data["shape"])


def _calibrate(fit, x_samples, truth: np.ndarray, n_labels: int) -> tuple[float, tuple[float, float] | None, dict]:
    """Temperature from out-of-fold scores of the labelled samples (taxonomy documents stay in every fold)."""
    counts = np.bincount(truth, minlength=n_labels)
    folds = min(CALIBRATION_FOLDS, int(counts.max()))
    if len(truth) < 10 or folds < 2:
        return 1.0, None, {"folds": 0}
    oof = np.zeros((len(truth), n_labels))
    with warnings.catch_warnings():  # a label with fewer messages than folds is fine here
        warnings.filterwarnings("ignore", message="The least populated class", category=UserWarning)
        splits = list(StratifiedKFold(folds, shuffle=True, random_state=SEED).split(np.zeros(len(truth)), truth))
    for train_rows, test_rows in splits:
        oof[test_rows] = _scores(fit(train_rows).T, x_samples[test_rows])
    temperature = calibration.fit_temperature(oof, truth)
    top = calibration.fit_top_label(calibration.probabilities(oof, temperature), truth)
    prob = calibration.probabilities(oof, temperature, top)
    return temperature, top, {"folds": folds, "oof_accuracy": round(float((prob.argmax(1) == truth).mean()), 4),
                         "ece": round(calibration.expected_calibration_error(prob, truth), 4),
                         "brier": round(calibration.brier_score(prob, truth), 4)}
