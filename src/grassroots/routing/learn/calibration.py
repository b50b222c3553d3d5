"""Turning classifier scores into probabilities one can set a threshold on, and measuring how well.

Temperature scaling (Guo et al., 2017): ``p = softmax(T · scores)`` with one number ``T`` chosen to
minimise the log-loss of out-of-fold scores (scores of training messages from models that did not see
them). One parameter cannot overfit a few hundred messages, and it keeps the ranking of the labels.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize, minimize_scalar
from scipy.special import log_softmax, softmax


def fit_temperature(scores: np.ndarray, truth: np.ndarray) -> float:
    """The ``T`` that minimises the mean negative log-likelihood of ``softmax(T · scores)``."""
    rows = np.arange(len(truth))

    def loss(log_t: float) -> float:
        return float(-log_softmax(scores * np.exp(log_t), axis=1)[rows, truth].mean())

    result = minimize_scalar(loss, bounds=(-8.0, 8.0), method="bounded")
    return float(np.exp(result.x))


def probabilities(scores: np.ndarray, temperature: float, top: tuple[float, float] | None = None) -> np.ndarray:
    prob = softmax(scores * temperature, axis=1)
    return prob if top is None else top_label(prob, top)


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def fit_top_label(prob: np.ndarray, truth: np.ndarray) -> tuple[float, float]:
    """Platt scaling of the best label's probability (top-label calibration, Gupta & Ramdas 2022).

    The platform acts on the best label's probability (auto-dispatch above a threshold), so that is
    the number that must mean what it says: ``P(best label is right) = sigmoid(a · logit(p_best) + b)``,
    ``a`` and ``b`` fitted by log-loss on out-of-fold predictions. Temperature alone cannot do it: it
    left the sample's most confident predictions over-confident and the middle ones under-confident.
    """
    x = _logit(prob.max(axis=1))
    correct = (prob.argmax(axis=1) == truth).astype(float)

    def loss(ab: np.ndarray) -> float:
        z = ab[0] * x + ab[1]
        return float(np.mean(np.logaddexp(0, z) - correct * z) + 1e-3 * (ab[0] - 1) ** 2)

    result = minimize(loss, np.array([1.0, 0.0]), method="Nelder-Mead")
    return float(result.x[0]), float(result.x[1])


def top_label(prob: np.ndarray, ab: tuple[float, float]) -> np.ndarray:
    """Replace each row's best probability by its calibrated value and rescale the others to fill the rest."""
    rows = np.arange(len(prob))
    best = prob.argmax(axis=1)
    p_best = prob[rows, best]
    new_best = 1 / (1 + np.exp(-(ab[0] * _logit(p_best) + ab[1])))
    others = prob.copy()
    others[rows, best] = 0
    rest = others.sum(axis=1)
    scale = np.where(rest > 0, (1 - new_best) / np.where(rest > 0, rest, 1), 0)
    out = others * scale[:, None]
    out[rows, best] = np.maximum(new_best, out.max(axis=1))  # the best label stays the best
    return out / out.sum(axis=1, keepdims=True)


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
