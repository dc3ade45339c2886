"""`cm-sim eval retrieval`: recall@5 and MRR of dense, BM25 and hybrid search, per language."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from pydantic import Field

from simulator.content import LANGS, Lang, Strict, read_yaml
from simulator.errors import InputError
from simulator.knowledge import CardRanker, ChromaKnowledgeBase, Mode, fit_ranker
from simulator.paths import EVALSETS

MODES: tuple[Mode, ...] = ("hybrid", "rrf", "dense", "bm25")
FOLDS = 5


class RetrievalCase(Strict):
    query: str
    lang: Lang
    # Card ids, or `article:<slug>` for a passage of an article.
    relevant: list[str] = Field(min_length=1)
    # The answer is written in the other language only (a multilingual encoder's job).
    cross_lingual: bool = False

    @property
    def wants_articles(self) -> bool:
        return any(r.startswith("article:") for r in self.relevant)


def dev_set_path() -> Path:
    return EVALSETS / "retrieval.yaml"


def holdout_path() -> Path:
    """Queries written blind to the search code, from other brands and situations; reported,
    never tuned on."""
    return EVALSETS / "retrieval-holdout.yaml"


def load_retrieval_cases(path: Path | None = None) -> list[RetrievalCase]:
    doc = read_yaml(path or dev_set_path())
    if doc.problems or not isinstance(doc.data, list):
        raise InputError(f"{doc.shown}: expected a list of cases")
    return [RetrievalCase.model_validate(item) for item in doc.data]


def score(ranked: list[str], relevant: list[str], k: int = 5) -> tuple[float, float]:
    """(recall@k, reciprocal rank of the first relevant id)."""
    top = ranked[:k]
    recall = len(set(top) & set(relevant)) / len(set(relevant))
    reciprocal = next((1 / (i + 1) for i, cid in enumerate(ranked) if cid in relevant), 0.0)
    return recall, reciprocal


def ranked_keys(
    kb: ChromaKnowledgeBase, case: RetrievalCase, mode: Mode, ranker: CardRanker | None = None
) -> list[str]:
    """What the search returns for a case: card ids, and `article:<slug>` for passages when
    the case looks for an article."""
    if not case.wants_articles:
        return kb.card_ids(case.query, case.lang, k=10, mode=mode, ranker=ranker)
    keys: dict[str, None] = {}
    # Looking for an article only: rank the passages among themselves (as the Knowledge
    # page's article search does), not among the hundreds of card documents.
    only_articles = all(r.startswith("article:") for r in case.relevant)
    kinds = ("article",) if only_articles else ("card", "article")
    for hit in kb.search(case.query, case.lang, k=10, mode=mode, kinds=kinds, ranker=ranker):
        keys.setdefault(
            f"article:{hit.doc_id.split(':')[1]}" if hit.kind == "article" else hit.card_ids[0]
        )
    return list(keys)


def _figures(
    kb: ChromaKnowledgeBase,
    cases: list[RetrievalCase],
    misses: list[dict[str, Any]] | None,
    rankers: dict[int, CardRanker] | None = None,
) -> dict[str, Any]:
    """recall@5 and MRR per mode and language. `rankers` gives a case (by position) the card
    ranker of the fold that did not see it."""
    result: dict[str, Any] = {}
    for mode in MODES:
        result[mode] = {}
        for lang in LANGS:
            recalls, ranks = [], []
            for n, case in enumerate(cases):
                if case.lang != lang:
                    continue
                ranker = (rankers or {}).get(n) if mode == "hybrid" else None
                ranked = ranked_keys(kb, case, mode, ranker)
                recall, reciprocal = score(ranked, case.relevant)
                recalls.append(recall)
                ranks.append(reciprocal)
                if misses is not None and mode == "hybrid" and recall < 1:
                    misses.append({"query": case.query, "want": case.relevant, "got": ranked[:5]})
            result[mode][lang] = {
                "recall@5": round(sum(recalls) / len(recalls), 3) if recalls else 0.0,
                "mrr": round(sum(ranks) / len(ranks), 3) if ranks else 0.0,
                "queries": len(recalls),
            }
    return result


def _training(
    kb: ChromaKnowledgeBase, cases: list[RetrievalCase]
) -> tuple[list[NDArray[np.float64]], list[NDArray[np.float64]]]:
    """The card ranker's features and targets, one matrix per card-seeking case."""
    order = [card.id for card in kb.content.cards]
    features = [kb.card_signals(c.query, c.lang) for c in cases]
    targets = [np.array([card in c.relevant for card in order], dtype=np.float64) for c in cases]
    return features, targets


def fit_card_ranker(
    kb: ChromaKnowledgeBase, cases: list[RetrievalCase] | None = None
) -> CardRanker:
    """The shipped ranker: fitted on every same-language card case of the dev set."""
    cases = cases if cases is not None else load_retrieval_cases()
    usable = [c for c in cases if not c.cross_lingual and not c.wants_articles]
    features, targets = _training(kb, usable)
    return fit_ranker(features, targets, kb.embedder.primary)


def cross_validated_rankers(
    kb: ChromaKnowledgeBase, cases: list[RetrievalCase], k: int = FOLDS
) -> dict[int, CardRanker]:
    """For each case, a ranker fitted without it (k folds, seeded): dev figures are never
    measured on the queries the ranker learned from."""
    positions = [n for n, c in enumerate(cases) if not c.wants_articles]
    features, targets = _training(kb, [cases[n] for n in positions])
    order = list(range(len(positions)))
    random.Random(0).shuffle(order)
    fold_of = {index: rank % k for rank, index in enumerate(order)}
    rankers: dict[int, CardRanker] = {}
    for fold in range(k):
        train = [i for i in range(len(positions)) if fold_of[i] != fold]
        ranker = fit_ranker(
            [features[i] for i in train], [targets[i] for i in train], kb.embedder.primary
        )
        for i in range(len(positions)):
            if fold_of[i] == fold:
                rankers[positions[i]] = ranker
    return rankers


def run_retrieval_eval(
    kb: ChromaKnowledgeBase,
    cases: list[RetrievalCase] | None = None,
    holdout: list[RetrievalCase] | None = None,
) -> dict[str, Any]:
    """The dev set's figures (same-language queries) under the contract's keys, then the
    cross-lingual queries and the blind hold-out set as their own rows. With a card ranker
    for the encoder, `hybrid` on the dev set is cross-validated (a fold's queries ranked by a
    ranker fitted on the others); the hold-out set is ranked by the shipped ranker."""
    cases = cases if cases is not None else load_retrieval_cases()
    if holdout is None and holdout_path().is_file():
        holdout = load_retrieval_cases(holdout_path())
    same = [c for c in cases if not c.cross_lingual]
    rankers = cross_validated_rankers(kb, same) if kb.usable(kb.ranker) is not None else None
    misses: list[dict[str, Any]] = []
    result = _figures(kb, same, misses, rankers)
    crossing = [c for c in cases if c.cross_lingual]
    if crossing:
        result["cross_lingual"] = _figures(kb, crossing, None)
    if holdout:
        result["holdout"] = _figures(kb, holdout, None)
    result["encoder"] = kb.embedder.name
    result["card_ranker"] = kb.usable(kb.ranker) is not None
    result["hybrid_misses"] = misses
    return result
