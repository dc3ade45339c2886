"""Lexical search: tokens with Snowball stems and Okapi BM25 over a fixed corpus."""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import Any

from simulator.content import SEARCH_STOPWORDS, Lang, fold, stem


def tokens(text: str, lang: Lang | None = None) -> list[str]:
    """Lower case, no accents, no stopwords, Snowball stems of the language (if given)."""
    words = [
        token
        for token in re.findall(r"[a-z0-9]+", fold(text).lower())
        if token not in SEARCH_STOPWORDS and len(token) > 1
    ]
    if lang is None:
        return words
    return [stem(lang, word) for word in words]


class BM25:
    """Okapi BM25 over a fixed corpus (k1=1.5, b=0.75).

    Each term's contribution to each document does not depend on the query, so it is
    computed once: a query sums a few precomputed arrays (numpy), which keeps lexical search
    at a fraction of a millisecond at 10,000 chunks. Ties go to the earlier document, so a
    ranking is the same in every process.
    """

    def __init__(self, corpus: list[list[str]], k1: float = 1.5, b: float = 0.75) -> None:
        import numpy as np

        self.size = len(corpus)
        lengths = np.array([len(doc) for doc in corpus], dtype=np.float64)
        avg = float(lengths.mean()) if self.size and lengths.any() else 1.0
        found: dict[str, tuple[list[int], list[int]]] = {}
        for index, doc in enumerate(corpus):
            for token, count in Counter(doc).items():
                docs, counts = found.setdefault(token, ([], []))
                docs.append(index)
                counts.append(count)
        self.postings: dict[str, tuple[Any, Any]] = {}
        for token, (docs, counts) in found.items():
            where = np.array(docs, dtype=np.int64)
            tf = np.array(counts, dtype=np.float64)
            idf = math.log(1 + (self.size - len(docs) + 0.5) / (len(docs) + 0.5))
            norm = tf + k1 * (1 - b + b * lengths[where] / avg)
            self.postings[token] = (where, idf * tf * (k1 + 1) / norm)

    def top(self, query: list[str], n: int) -> list[tuple[int, float]]:
        import numpy as np

        matched = [self.postings[token] for token in set(query) if token in self.postings]
        if not matched or n <= 0:
            return []
        scores = np.zeros(self.size, dtype=np.float64)
        for where, gain in matched:
            scores[where] += gain  # a document appears once per term: no repeated index
        candidates = np.flatnonzero(scores)
        if len(candidates) > n:
            # The n best without sorting them all; ties at the cut go to earlier documents.
            cut = np.partition(scores[candidates], len(candidates) - n)[len(candidates) - n]
            candidates = candidates[scores[candidates] >= cut]
        order = np.lexsort((candidates, -scores[candidates]))[:n]
        return [(int(candidates[i]), float(scores[candidates[i]])) for i in order]
