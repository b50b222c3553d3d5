"""Turning classifier scores into probabilities one can set a threshold on, and measuring how well.

Temperature scaling (Guo et al., 2017): ``p = softmax(T · scores)`` with one number ``T`` chosen to
minimise the log-loss of out-of-fold scores (scores of training messages from models that did not see
them). One parameter cannot overfit a few hundred messages, and it keeps the ranking of the labels.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.special import log_softmax, softmax


def fit_temperature(scores: np.ndarray, truth: np.ndarray) -> float:
    """The ``T`` that minimises the mean negative log-likelihood of ``softmax(T · scores)``."""
    rows = np.arange(len(truth))

    def loss(log_t: float) -> float:
        return float(-log_softmax(scores * np.exp(log_t), axis=1)[rows, truth].mean())

    result = minimize_scalar(loss, bounds=(-8.0, 8.0), method="bounded")
    return float(np.exp(result.x))


def probabilities(scores: np.ndarray, temperature: float) -> np.ndarray:
    return softmax(scores * temperature, axis=1)


def expected_calibration_error(prob: np.ndarray, truth: np.ndarray, bins: int = 10) -> float:
    """ECE: the gap between confidence and accuracy, averaged over equal-width confidence bins."""
    confidence = prob.max(axis=1)
    correct = prob.argmax(axis=1) == truth
    total = 0.0
    for b in range(bins):
        in_bin = (confidence > b / bins) & (confidence <= (b + 1) / bins)
        if in_bin.any():
            total += in_bin.mean() * abs(confidence[in_bin].mean() - correct[in_bin].mean())
    return float(total)


def brier_score(prob: np.ndarray, truth: np.ndarray) -> float:
    """Multi-class Brier score: mean squared distance to the one-hot truth (0 best, 2 worst)."""
    onehot = np.eye(prob.shape[1])[truth]
    return float(((prob - onehot) ** 2).sum(axis=1).mean())


def reliability(prob: np.ndarray, truth: np.ndarray, thresholds=(0.5, 0.7, 0.8, 0.9, 0.95)) -> list[dict]:
    """For each confidence threshold: the share of messages at or above it and their accuracy."""
    confidence = prob.max(axis=1)
    correct = prob.argmax(axis=1) == truth
    out = []
    for t in thresholds:
        above = confidence >= t
        out.append({"threshold": t, "share": round(float(above.mean()), 3),
                    "accuracy": round(float(correct[above].mean()), 3) if above.any() else None})
    return out
