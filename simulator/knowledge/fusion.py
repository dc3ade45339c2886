"""Fusion: several rankings of the same documents become one (reciprocal rank fusion), and
the learned card ranker that weighs the searches' scores."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from simulator.content import Strict

RRF_K = 60


def rrf(rankings: Iterable[tuple[float, list[str]]], k: int = RRF_K) -> list[tuple[str, float]]:
    """Weighted reciprocal rank fusion: sum of weight / (k + rank) over the rankings."""
    scores: dict[str, float] = {}
    for weight, ranking in rankings:
        for rank, doc_id in enumerate(ranking):
            scores[doc_id] = scores.get(doc_id, 0.0) + weight / (k + rank + 1)
    return sorted(scores.items(), key=lambda item: -item[1])


# ---------------------------------------------------------------- learned card fusion
#
# Rank fusion throws the scores away: a card whose best example sits far above every other
# card counts the same as one that barely leads. The card ranker keeps them: for each card,
# a few signals of the dense and lexical searches, weighed by a logistic regression fitted on
# the retrieval dev set (`cm-sim eval retrieval --fit`; figures cross-validated).

CARD_FEATURES = (
    "dense_max",  # best cosine between the query and any of the card's documents
    "dense_top3",  # mean of its three best documents
    "dense_card",  # cosine with the card's own text (principle, why, when, keywords)
    "dense_rank",  # 1 / (rank + 1) of the card by dense_max
    "dense_margin",  # how far dense_max stands above the five best cards' mean
    "bm25_doc",  # best BM25 score of its documents, over the query's best
    "bm25_card",  # BM25 of the card as one document, over the query's best
    "bm25_card_rank",  # 1 / (rank + 1) of the card by bm25_card
    "cue",  # the query shows a reply feature this card judges (an apology, blame...)
    # A multilingual encoder also reads the card in the other language: a second opinion.
    "other_max",
    "other_top3",
)


def _best(dense: list[list[tuple[float, bool]]], floor: float) -> tuple[NDArray[Any], ...]:
    """Per card: its best cosine and the mean of its three best (`floor` for the rest)."""
    sims = [sorted((s for s, _ in docs), reverse=True) or [floor] for docs in dense]
    best = np.array([s[0] for s in sims])
    top3 = np.array([np.mean((s + [floor] * 3)[:3]) for s in sims])
    return best, top3


def card_features(
    dense: list[list[tuple[float, bool]]],
    floor: float,
    bm25_doc: NDArray[np.float64],
    bm25_card: NDArray[np.float64],
    cue: NDArray[np.float64],
    other: list[list[tuple[float, bool]]] | None = None,
    other_floor: float = 0.0,
) -> NDArray[np.float64]:
    """The feature matrix (cards x CARD_FEATURES) of one query. `dense[c]` lists the
    (cosine, is the card's own text) of card c's documents the dense search returned;
    `floor` stands in for documents it did not return. `other` is the same in the other
    language (a multilingual encoder only)."""
    n = len(dense)
    best, top3 = _best(dense, floor)
    other_best, other_top3 = _best(other or [[] for _ in dense], other_floor)
    own = np.array([max((s for s, own in docs if own), default=floor) for docs in dense])
    ranks = np.empty(n)
    ranks[np.argsort(-best, kind="stable")] = np.arange(n)
    margin = best - np.sort(best)[::-1][:5].mean()
    card_ranks = np.empty(n)
    card_ranks[np.argsort(-bm25_card, kind="stable")] = np.arange(n)
    columns = [
        best,
        top3,
        own,
        1.0 / (ranks + 1),
        margin,
        bm25_doc / (bm25_doc.max() + 1e-9),
        bm25_card / (bm25_card.max() + 1e-9),
        (1.0 / (card_ranks + 1)) * (bm25_card > 0),
        cue,
        other_best,
        other_top3,
    ]
    return np.vstack(columns).T.astype(np.float64)


class CardRanker(Strict):
    """A standardised logistic scorer over CARD_FEATURES, for one encoder's similarities."""

    encoder: str
    features: list[str]
    mean: list[float]
    scale: list[float]
    coef: list[float]
    queries: int

    def scores(self, features: NDArray[np.float64]) -> NDArray[np.float64]:
        z = (features - np.asarray(self.mean)) / np.asarray(self.scale)
        result: NDArray[np.float64] = z @ np.asarray(self.coef)
        return result

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.model_dump_json(indent=1) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> CardRanker:
        return cls.model_validate_json(path.read_text(encoding="utf-8"))


def fit_ranker(
    features: Sequence[NDArray[np.float64]],
    relevant: Sequence[NDArray[np.float64]],
    encoder: str,
    l2: float = 10.0,
    steps: int = 600,
) -> CardRanker:
    """Logistic regression by gradient descent, the rare relevant cards weighed up to balance
    the many irrelevant ones; L2 shrinkage keeps the weights readable and stable."""
    x = np.vstack(features)
    y = np.concatenate(relevant)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    z = (x - mean) / scale
    weight = np.where(y == 1, (len(y) - y.sum()) / max(y.sum(), 1.0), 1.0)
    weight /= weight.mean()
    coef = np.zeros(z.shape[1])
    bias = 0.0
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(z @ coef + bias)))
        grad = (p - y) * weight
        coef -= 0.5 * (z.T @ grad / len(y) + l2 * coef / len(y))
        bias -= 0.5 * float(grad.mean())
    return CardRanker(
        encoder=encoder,
        features=list(CARD_FEATURES),
        mean=mean.tolist(),
        scale=scale.tolist(),
        coef=coef.tolist(),
        queries=len(features),
    )
