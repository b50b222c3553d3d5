"""A text classifier with calibrated probabilities, saved and loaded as one versioned blob.

This is the baseline (TF-IDF over character 1–3-grams + logistic regression); its internals may
change, its interface (``Sample``, ``TextClassifier.train/predict/dumps/loads/meta``) does not.
"""

from __future__ import annotations

import io
import pickle
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

FORMAT = 1  # bump when a saved blob of the old format can no longer be read


@dataclass(frozen=True)
class Sample:
    title: str
    body: str = ""
    label: str = ""

    @property
    def text(self) -> str:
        return f"{self.title}\n{self.body}"


@dataclass
class TextClassifier:
    pipeline: object
    labels: list[str]
    meta: dict = field(default_factory=dict)

    @classmethod
    def train(cls, samples: Sequence[Sample], *, version: str = "", evaluation: dict | None = None) -> TextClassifier:
        labels = sorted({s.label for s in samples})
        if len(labels) < 2:
            raise ValueError("at least two labels are needed to train")
        pipeline = make_pipeline(
            TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=1),
            LogisticRegression(max_iter=2000, C=10.0, class_weight="balanced"),
        )
        pipeline.fit([s.text for s in samples], [s.label for s in samples])
        meta = {"format": FORMAT, "version": version or datetime.now(UTC).strftime("%Y%m%d%H%M%S"),
                "trained_at": datetime.now(UTC).isoformat(timespec="seconds"), "train_size": len(samples),
                "labels": labels, "evaluation": evaluation or {}}
        return cls(pipeline=pipeline, labels=[str(label) for label in pipeline.classes_], meta=meta)

    def predict(self, samples: Sequence[Sample | str], *, k: int = 3) -> list[list[tuple[str, float]]]:
        texts = [s if isinstance(s, str) else s.text for s in samples]
        if not texts:
            return []
        probabilities = self.pipeline.predict_proba(texts)
        out = []
        for row in probabilities:
            best = sorted(zip(self.labels, row, strict=True), key=lambda lp: -lp[1])[:k]
            out.append([(label, float(p)) for label, p in best])
        return out

    def dumps(self) -> bytes:
        buffer = io.BytesIO()
        pickle.dump({"format": FORMAT, "pipeline": self.pipeline, "labels": self.labels, "meta": self.meta},
                    buffer, protocol=pickle.HIGHEST_PROTOCOL)
        return buffer.getvalue()

    @classmethod
    def loads(cls, blob: bytes) -> TextClassifier:
        data = pickle.loads(blob)  # noqa: S301 — blobs are written by this code into our own database
        if data.get("format") != FORMAT:
            raise ValueError(f"a model of format {data.get('format')} cannot be read (this code reads {FORMAT})")
        return cls(pipeline=data["pipeline"], labels=data["labels"], meta=data["meta"])
