"""A second opinion on who a sentence speaks to: the community, or the grader.

The patterns of simulator/injection.py catch the forms of attack we know. This model
catches the meaning: a logistic regression over sentence embeddings, trained on sentences
written to a grader (the payloads of the tuning corpora) against sentences written to a
community (expert-graded replies, model answers, the cards' example replies, the corpora's
poor replies). Its threshold is set on out-of-fold scores so that almost no real reply
sentence is cut. Shipped as `simulator/grading/fitted/addressee.json`.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from simulator.content import Strict
from simulator.grading.injection import normalise, split_segments
from simulator.knowledge import to_english

Array = NDArray[np.float64]
# Share of real reply sentences we accept to cut (out of fold): the threshold's quantile.
FALSE_CUT_RATE = 0.002
L2 = 1.0
MIN_WORDS = 3


class AddresseeModel(Strict):
    weights: list[float]
    bias: float
    threshold: float
    positives: int
    negatives: int

    def probability(self, features: Array) -> Array:
        z = np.asarray(features, dtype=np.float64) @ np.asarray(self.weights) + self.bias
        result: Array = 1.0 / (1.0 + np.exp(-z))
        return result

    def save(self, path: Path) -> None:
        path.write_text(self.model_dump_json(indent=0) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> AddresseeModel:
        return cls.model_validate_json(path.read_text(encoding="utf-8"))


def texts_for(segment: str, gist: bool = True) -> tuple[str, str]:
    """What is embedded for a segment: its normalised form and (for an English-trained
    encoder) its English gist."""
    plain = normalise(segment)
    return plain, (to_english(plain) or plain) if gist else plain


def sentences(text: str) -> list[str]:
    """The segments of a text long enough to judge."""
    return [seg.strip() for seg, _ in split_segments(text) if len(seg.split()) >= MIN_WORDS]


def _fit(x: Array, y: Array, l2: float = L2, steps: int = 60) -> tuple[Array, float]:
    """Logistic regression by Newton's method with an L2 penalty (bias not penalised)."""
    n, d = x.shape
    xb = np.hstack([x, np.ones((n, 1))])
    w = np.zeros(d + 1)
    penalty = np.full(d + 1, l2)
    penalty[-1] = 0.0
    # Classes are unbalanced: weight each class to the same total.
    cw = np.where(y == 1, 0.5 / max(y.sum(), 1), 0.5 / max((1 - y).sum(), 1)) * n
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(xb @ w)))
        grad = xb.T @ (cw * (p - y)) + penalty * w
        hess = (xb * (cw * p * (1 - p))[:, None]).T @ xb + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-6:
            break
    return w[:-1], float(w[-1])


def train(positive: Array, negative: Array, folds: int = 5, seed: int = 0) -> AddresseeModel:
    x = np.vstack([positive, negative])
    y = np.concatenate([np.ones(len(positive)), np.zeros(len(negative))])
    order = list(range(len(y)))
    random.Random(seed).shuffle(order)
    fold = np.empty(len(y), dtype=int)
    for position, index in enumerate(order):
        fold[index] = position % folds
    out_of_fold = np.zeros(len(y))
    for k in range(folds):
        w, b = _fit(x[fold != k], y[fold != k])
        out_of_fold[fold == k] = 1.0 / (1.0 + np.exp(-(x[fold == k] @ w + b)))
    threshold = float(np.quantile(out_of_fold[y == 0], 1 - FALSE_CUT_RATE))
    w, b = _fit(x, y)
    return AddresseeModel(
        weights=w.tolist(),
        bias=b,
        threshold=max(threshold, 0.5),
        positives=len(positive),
        negatives=len(negative),
    )


def recall_at(model: AddresseeModel, positive: Array) -> float:
    return float((model.probability(positive) >= model.threshold).mean()) if len(positive) else 0.0


def stack(vectors: Sequence[Array]) -> Array:
    return np.asarray(vectors, dtype=np.float64)
