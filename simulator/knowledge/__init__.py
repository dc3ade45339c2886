"""The knowledge base: practice cards and articles, sentence embeddings, the Chroma index, lexical
search, rank fusion, the FR->EN glossary.
"""

from simulator.knowledge.cards import (
    Article,
    ArticleMeta,
    Card,
    KnowledgeContent,
    load_card,
    load_content,
)
from simulator.knowledge.embedding import Embedder
from simulator.knowledge.fusion import rrf
from simulator.knowledge.glossary import to_english
from simulator.knowledge.index import ChromaKnowledgeBase, Hit, IndexReport, Mode, documents
from simulator.knowledge.lexical import BM25, tokens

__all__ = [
    "BM25",
    "Article",
    "ArticleMeta",
    "Card",
    "ChromaKnowledgeBase",
    "Embedder",
    "Hit",
    "IndexReport",
    "KnowledgeContent",
    "Mode",
    "documents",
    "load_card",
    "load_content",
    "rrf",
    "to_english",
    "tokens",
]
