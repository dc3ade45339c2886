"""The grader's calibrated model: ridge regressions fitted on the expert dev set.

Stage 1 predicts each criterion's 1-5 grade from the criterion's features and the reply's;
stage 2 predicts the overall 1-5 grade from the weighted stage-1 grades, the weakest one and
the reply's features (one harmful act can sink a reply the weighted mean would pass).
Ridge, not anything richer: with a few hundred graded replies a linear model with shrinkage
generalises, and every coefficient can be read. The fitted numbers are shipped as JSON
(`simulator/grading/fitted/calibration.json`), rebuilt by `cm-sim eval grader --fit`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from simulator.content import Criterion, Strict
from simulator.grading.checks import Scale
from simulator.grading.features import CRITERION_FEATURES, GLOBAL_FEATURES, as_row

Array = NDArray[np.float64]


def criterion_columns() -> list[str]:
    return [*CRITERION_FEATURES, *GLOBAL_FEATURES]


def overall_columns() -> list[str]:
    return ["weighted", "weakest", *GLOBAL_FEATURES]


def overall_row(
    criterion_grades: Sequence[float], weights: Sequence[float], globals_: dict[str, float]
) -> list[float]:
    weighted = float(np.dot(criterion_grades, weights) / max(sum(weights), 1e-9))
    return [weighted, float(min(criterion_grades)), *as_row(globals_, GLOBAL_FEATURES)]


class Linear(Strict):
    """A standardised ridge model: y = intercept + coef . (x - mean) / scale."""

    features: list[str]
    mean: list[float]
    scale: list[float]
    coef: list[float]
    intercept: float
    alpha: float

    def predict(self, rows: Array) -> Array:
        x = (np.asarray(rows, dtype=np.float64) - np.asarray(self.mean)) / np.asarray(self.scale)
        result: Array = x @ np.asarray(self.coef) + self.intercept
        return result


def fit_ridge(rows: Array, target: Array, features: list[str], alpha: float) -> Linear:
    x = np.asarray(rows, dtype=np.float64)
    y = np.asarray(target, dtype=np.float64)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    z = (x - mean) / scale
    gram = z.T @ z + alpha * np.eye(z.shape[1])
    coef = np.linalg.solve(gram, z.T @ (y - y.mean()))
    return Linear(
        features=features,
        mean=mean.tolist(),
        scale=scale.tolist(),
        coef=coef.tolist(),
        intercept=float(y.mean()),
        alpha=alpha,
    )


class Calibration(Strict):
    version: int = 2
    devset: str
    replies: int
    scenarios: list[str] = []
    criterion: Linear
    overall: Linear
    # How check similarities are read (the same for every scenario; fitted on no grade).
    scale: Scale = Scale()

    def predict(
        self,
        criterion_rows: Sequence[Sequence[float]],
        rubric: Sequence[Criterion],
        globals_: dict[str, float],
    ) -> tuple[list[float], float]:
        """(criterion grades 1-5, overall grade 1-5)."""
        rows = np.asarray(criterion_rows, dtype=np.float64)
        grades = np.clip(self.criterion.predict(rows), 1.0, 5.0).tolist()
        weights = [c.weight for c in rubric]
        row = np.asarray([overall_row(grades, weights, globals_)], dtype=np.float64)
        overall = float(np.clip(self.overall.predict(row)[0], 1.0, 5.0))
        return grades, overall

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.model_dump(), indent=1) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> Calibration:
        return cls.model_validate_json(path.read_text(encoding="utf-8"))


def grade_to_score(grade: float) -> float:
    """1-5 grade to the 0-100 score of the contract."""
    return float(np.clip((grade - 1.0) / 4.0 * 100.0, 0.0, 100.0))


def _ranks(values: Array) -> Array:
    order = np.argsort(values, kind="mergesort")
    ranks = np.empty(len(values), dtype=np.float64)
    ranks[order] = np.arange(len(values), dtype=np.float64)
    # Ties share the mean of their ranks.
    for value in np.unique(values):
        tied = values == value
        if tied.sum() > 1:
            ranks[tied] = ranks[tied].mean()
    return ranks


def spearman(a: Array | list[float], b: Array | list[float]) -> float:
    ra, rb = _ranks(np.asarray(a, dtype=np.float64)), _ranks(np.asarray(b, dtype=np.float64))
    if ra.std() == 0 or rb.std() == 0:
        return 0.0
    return float(np.corrcoef(ra, rb)[0, 1])


def pairwise_accuracy(expert: Array | list[float], predicted: Array | list[float]) -> float:
    """Share of pairs with different expert grades that the prediction orders the same way
    (a predicted tie counts half)."""
    e = np.asarray(expert, dtype=np.float64)
    p = np.asarray(predicted, dtype=np.float64)
    de = np.sign(e[:, None] - e[None, :])
    dp = np.sign(p[:, None] - p[None, :])
    mask = np.triu(de != 0, k=1)
    if not mask.any():
        return 0.0
    agree = (de == dp)[mask].sum() + 0.5 * ((dp == 0) & (de != 0))[mask].sum()
    return float(agree / mask.sum())
