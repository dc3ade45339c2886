"""The knowledge base: practice cards and articles, sentence embeddings, the Chroma index, lexical
search, rank fusion, the FR->EN glossary. Names load on first use, so importing the room costs
nothing until then.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simulator.knowledge.cards import (
        Article,
        ArticleMeta,
        Card,
        KnowledgeContent,
        load_card,
        load_content,
    )
    from simulator.knowledge.coverage import (
        SEED_THEMES_FILE,
        coverage_report,
        load_seed_themes,
        uncovered,
    )
    from simulator.knowledge.embedding import Embedder, chroma_embedding_function, encoder
    from simulator.knowledge.fusion import CARD_FEATURES, CardRanker, fit_ranker, rrf
    from simulator.knowledge.glossary import to_english
    from simulator.knowledge.index import ChromaKnowledgeBase, Hit, IndexReport, Mode, documents
    from simulator.knowledge.lexical import BM25, tokens

_WHERE = {
    "Article": "simulator.knowledge.cards",
    "ArticleMeta": "simulator.knowledge.cards",
    "BM25": "simulator.knowledge.lexical",
    "CARD_FEATURES": "simulator.knowledge.fusion",
    "Card": "simulator.knowledge.cards",
    "CardRanker": "simulator.knowledge.fusion",
    "ChromaKnowledgeBase": "simulator.knowledge.index",
    "Embedder": "simulator.knowledge.embedding",
    "Hit": "simulator.knowledge.index",
    "IndexReport": "simulator.knowledge.index",
    "KnowledgeContent": "simulator.knowledge.cards",
    "Mode": "simulator.knowledge.index",
    "SEED_THEMES_FILE": "simulator.knowledge.coverage",
    "chroma_embedding_function": "simulator.knowledge.embedding",
    "coverage_report": "simulator.knowledge.coverage",
    "documents": "simulator.knowledge.index",
    "encoder": "simulator.knowledge.embedding",
    "fit_ranker": "simulator.knowledge.fusion",
    "load_card": "simulator.knowledge.cards",
    "load_content": "simulator.knowledge.cards",
    "load_seed_themes": "simulator.knowledge.coverage",
    "rrf": "simulator.knowledge.fusion",
    "to_english": "simulator.knowledge.glossary",
    "tokens": "simulator.knowledge.lexical",
    "uncovered": "simulator.knowledge.coverage",
}
__all__ = [
    "BM25",
    "CARD_FEATURES",
    "SEED_THEMES_FILE",
    "Article",
    "ArticleMeta",
    "Card",
    "CardRanker",
    "ChromaKnowledgeBase",
    "Embedder",
    "Hit",
    "IndexReport",
    "KnowledgeContent",
    "Mode",
    "chroma_embedding_function",
    "coverage_report",
    "documents",
    "encoder",
    "fit_ranker",
    "load_card",
    "load_content",
    "load_seed_themes",
    "rrf",
    "to_english",
    "tokens",
    "uncovered",
]


def __getattr__(name: str) -> object:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
