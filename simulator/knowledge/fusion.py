"""Reciprocal rank fusion: several rankings of the same documents become one."""

from __future__ import annotations

from collections.abc import Iterable

RRF_K = 60


def rrf(rankings: Iterable[tuple[float, list[str]]], k: int = RRF_K) -> list[tuple[str, float]]:
    """Weighted reciprocal rank fusion: sum of weight / (k + rank) over the rankings."""
    scores: dict[str, float] = {}
    for weight, ranking in rankings:
        for rank, doc_id in enumerate(ranking):
            scores[doc_id] = scores.get(doc_id, 0.0) + weight / (k + rank + 1)
    return sorted(scores.items(), key=lambda item: -item[1])
