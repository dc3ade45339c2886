"""Benchmarks of the knowledge index: a build from scratch, a no-change refresh, and hybrid
retrieval latency at 100, 1,000 and 10,000 indexed chunks (English side).

Sizes other than the shipped one are made from the shipped content: fewer cards for 100,
and for more, extra articles whose paragraphs are the shipped articles' sentences
reshuffled (seeded), so BM25 and the dense index see realistic text and vocabulary.
"""

from __future__ import annotations

import random
import re
import tempfile
import time
from pathlib import Path

from simulator.evals import load_retrieval_cases
from simulator.knowledge import (
    Article,
    ArticleMeta,
    Card,
    CardRanker,
    ChromaKnowledgeBase,
    KnowledgeContent,
    documents,
)
from simulator.paths import CARD_RANKER

SIZES = (100, 1_000, 10_000)


def _sentences(content: KnowledgeContent, lang: str) -> list[str]:
    text = " ".join(a.body for a in content.articles if a.lang == lang)
    found = [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if len(s.split()) >= 6]
    return [s for s in found if not s.startswith("#")]


def scaled_content(content: KnowledgeContent, target: int, seed: int = 0) -> KnowledgeContent:
    """Content whose English side indexes about `target` chunks."""
    base = len(documents(content, "en"))
    if target <= base:
        # Each card indexes its summary and each example reply: take cards until full.
        kept: list[Card] = []
        count = 0
        for card in content.cards:
            size = 1 + len(card.do) + len(card.dont) + len(card.questions)
            if kept and count + size > target:
                break
            kept.append(card)
            count += size
        return KnowledgeContent(cards=kept, articles=[])
    rng = random.Random(seed)
    pool = _sentences(content, "en")
    extra: list[Article] = []
    missing = target - base
    while missing > 0:
        paragraphs = []
        for _ in range(min(10, missing)):
            paragraphs.append(" ".join(rng.sample(pool, 5)))
        extra.append(
            Article(
                slug=f"synthetic-{len(extra)}",
                lang="en",
                meta=ArticleMeta(title=f"Synthetic reading {len(extra)}", theme="answering"),
                body="\n\n".join(paragraphs),
            )
        )
        missing -= len(extra[-1].chunks())
    return KnowledgeContent(cards=content.cards, articles=[*content.articles, *extra])


def build_times(content: KnowledgeContent) -> tuple[float, float]:
    """Seconds for a build from scratch (both languages) and for a no-change refresh."""
    with tempfile.TemporaryDirectory(prefix="cm-sim-bench-") as folder:
        kb = ChromaKnowledgeBase(content=content, path=Path(folder))
        started = time.perf_counter()
        kb.build()
        scratch = time.perf_counter() - started
        started = time.perf_counter()
        kb.build()
        return scratch, time.perf_counter() - started


def shipped_ranker() -> CardRanker | None:
    """The card ranker hybrid search ships with: the latency measured is the real one."""
    return CardRanker.load(CARD_RANKER) if CARD_RANKER.is_file() else None


def retrieval_latencies(
    content: KnowledgeContent, sizes: tuple[int, ...] = SIZES, repeats: int = 3
) -> dict[str, dict[str, float]]:
    """Hybrid search latency (ms) over the dev set's English queries, per index size."""
    queries = [case.query for case in load_retrieval_cases() if case.lang == "en"]
    out: dict[str, dict[str, float]] = {}
    for size in sizes:
        scaled = scaled_content(content, size)
        with tempfile.TemporaryDirectory(prefix="cm-sim-bench-") as folder:
            kb = ChromaKnowledgeBase(content=scaled, path=Path(folder), ranker=shipped_ranker())
            kb.build()
            kb.search(queries[0], "en")  # first query loads BM25 and the collection
            samples = []
            for _ in range(repeats):
                for query in queries:
                    started = time.perf_counter()
                    kb.search(query, "en")
                    samples.append((time.perf_counter() - started) * 1000)
        samples.sort()
        out[str(size)] = {
            "chunks": len(documents(scaled, "en")),
            "p50_ms": round(samples[len(samples) // 2], 2),
            "p95_ms": round(samples[int(0.95 * (len(samples) - 1))], 2),
            "max_ms": round(samples[-1], 2),
            "queries": len(samples),
        }
    return out
