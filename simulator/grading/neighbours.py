"""Expert-graded replies as exemplars: the grades of the replies most like this one.

A reply close in meaning to dev-set replies of the same scenario and language probably
deserves a grade close to theirs. The grade is a similarity-weighted mean over the k
nearest; `allowed` restricts the neighbours (cross-validation keeps a fold's own replies,
and a reply itself, out of its features).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

import numpy as np

from simulator.grading.exemplars import ExemplarBank, Matrix

K = 7


@dataclass(frozen=True)
class Graded:
    id: str
    scenario: str
    lang: str
    expert: int
    criteria: dict[str, int]


@dataclass
class Neighbours:
    items: list[Graded]
    matrix: Matrix

    @classmethod
    def from_bank(cls, items: Sequence[Graded], bank: ExemplarBank) -> Neighbours:
        rows = [bank.vectors[f"graded:{item.id}"][0] for item in items]
        dim = next(iter(bank.vectors.values())).shape[1] if bank.vectors else 1
        matrix = np.asarray(rows, dtype=np.float32) if rows else np.zeros((0, dim), np.float32)
        return cls(list(items), matrix)

    def subset(self, ids: Collection[str]) -> Neighbours:
        keep = [i for i, item in enumerate(self.items) if item.id in ids]
        return Neighbours([self.items[i] for i in keep], self.matrix[keep])

    def nearest(
        self, vector: Matrix, scenario: str, lang: str, allowed: Callable[[str], bool] | None
    ) -> list[tuple[float, Graded]]:
        if not self.items:
            return []
        sims = self.matrix @ vector
        pool = [
            (float(sims[i]), item)
            for i, item in enumerate(self.items)
            if item.scenario == scenario
            and item.lang == lang
            and (allowed is None or allowed(item.id))
        ]
        pool.sort(key=lambda pair: -pair[0])
        return pool[:K]


def weighted_grade(found: Sequence[tuple[float, Graded]], criterion: str | None = None) -> float:
    """Similarity-weighted mean grade (3, the middle, when there are no neighbours)."""
    if not found:
        return 3.0
    weights = np.asarray([max(sim, 0.0) ** 4 + 1e-6 for sim, _ in found])
    grades = np.asarray(
        [
            item.criteria.get(criterion, item.expert) if criterion else item.expert
            for _, item in found
        ],
        dtype=np.float64,
    )
    return float(np.dot(weights, grades) / weights.sum())


def mean_similarity(found: Sequence[tuple[float, Graded]]) -> float:
    return float(np.mean([sim for sim, _ in found])) if found else 0.0


def only(ids: Collection[str]) -> Callable[[str], bool]:
    allowed = set(ids)
    return allowed.__contains__
