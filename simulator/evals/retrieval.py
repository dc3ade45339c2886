"""`cm-sim eval retrieval`: recall@5 and MRR of dense, BM25 and hybrid search, per language."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field

from simulator.content import LANGS, Lang, Strict, read_yaml
from simulator.errors import InputError
from simulator.knowledge import ChromaKnowledgeBase, Mode
from simulator.paths import EVALSETS

MODES: tuple[Mode, ...] = ("hybrid", "dense", "bm25")


class RetrievalCase(Strict):
    query: str
    lang: Lang
    relevant: list[str] = Field(min_length=1)


def dev_set_path() -> Path:
    return EVALSETS / "retrieval.yaml"


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


def run_retrieval_eval(
    kb: ChromaKnowledgeBase, cases: list[RetrievalCase] | None = None
) -> dict[str, Any]:
    cases = cases if cases is not None else load_retrieval_cases()
    result: dict[str, Any] = {}
    misses: list[dict[str, Any]] = []
    for mode in MODES:
        result[mode] = {}
        for lang in LANGS:
            subset = [c for c in cases if c.lang == lang]
            recalls, ranks = [], []
            for case in subset:
                ranked = kb.card_ids(case.query, lang, k=10, mode=mode)
                recall, reciprocal = score(ranked, case.relevant)
                recalls.append(recall)
                ranks.append(reciprocal)
                if mode == "hybrid" and recall < 1:
                    misses.append({"query": case.query, "want": case.relevant, "got": ranked[:5]})
            result[mode][lang] = {
                "recall@5": round(sum(recalls) / len(recalls), 3) if recalls else 0.0,
                "mrr": round(sum(ranks) / len(ranks), 3) if ranks else 0.0,
                "queries": len(subset),
            }
    result["hybrid_misses"] = misses
    return result
