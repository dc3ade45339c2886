"""ChromaKnowledgeBase: practice cards and article passages, indexed per language, searched hybrid.

Dense retrieval uses sentence embeddings (knowledge/embedding.py) stored in Chroma (persistent
on disk by default, a `chroma run` server when CM_SIM_CHROMA_URL is set); lexical retrieval is
BM25 over the same documents (knowledge/lexical.py); hybrid fuses both by reciprocal rank fusion
(knowledge/fusion.py), with a third, short ranking: the cards named by the reply features the
query shows (content/cues.py). Each language has its own collection, so a French query is only
compared with French text.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlparse

from filelock import FileLock

from simulator.content import FEATURE_PRACTICES, LANGS, Frozen, Lang, Strict, detect_features
from simulator.errors import SimulatorError
from simulator.knowledge.cards import Card, KnowledgeContent, content_hash
from simulator.knowledge.embedding import Embedder
from simulator.knowledge.fusion import rrf
from simulator.knowledge.lexical import BM25, tokens

Mode = Literal["hybrid", "dense", "bm25"]
DocKind = Literal["card", "example", "article"]
Progress = Callable[[int, int], None]


class IndexUnavailable(SimulatorError, RuntimeError):
    """The index cannot answer yet (not built) or its embedding model is missing."""


# The packaged embedding model is English-trained: its French rankings count for less.
DENSE_WEIGHT: dict[str, float] = {"en": 1.0, "fr": 0.5}
CANDIDATES = 30


@dataclass(frozen=True)
class Doc:
    id: str
    lang: Lang
    # A card's own text, one of its do/don't example replies, or an article passage.
    kind: DocKind
    card_ids: tuple[str, ...]
    title: str
    text: str
    situations: tuple[str, ...] = ()
    scenarios: tuple[str, ...] = ()

    @property
    def hash(self) -> str:
        return content_hash(f"{self.title}\n{self.text}\n{self.card_ids}")


class Hit(Frozen):
    doc_id: str
    kind: str
    card_ids: list[str]
    title: str
    passage: str
    score: float


class IndexReport(Strict):
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    seconds: float = 0.0


def _card_doc(card: Card, lang: Lang, suffix: str, kind: DocKind, text: str) -> Doc:
    return Doc(
        id=f"card:{card.id}:{lang}{suffix}",
        lang=lang,
        kind=kind,
        card_ids=(card.id,),
        title=card.title.get(lang),
        text=text,
        situations=tuple(card.tags.situations),
        scenarios=tuple(card.tags.scenarios),
    )


def documents(content: KnowledgeContent, lang: Lang) -> list[Doc]:
    docs = [_card_doc(card, lang, "", "card", card.summary(lang)) for card in content.cards]
    # Example replies are indexed on their own: a trainee's reply that resembles a "don't"
    # must bring back the practice it breaks, one that resembles a "do" the one it follows.
    for card in content.cards:
        examples = [("do", e) for e in card.do] + [("dont", e) for e in card.dont]
        for n, (side, example) in enumerate(examples):
            docs.append(_card_doc(card, lang, f":{side}{n}", "example", example.get(lang)))
    for article in content.articles:
        if article.lang != lang:
            continue
        for n, chunk in enumerate(article.chunks()):
            docs.append(
                Doc(
                    id=f"article:{article.slug}:{lang}:{n}",
                    lang=lang,
                    kind="article",
                    card_ids=tuple(article.meta.cards),
                    title=article.meta.title,
                    text=chunk,
                )
            )
    return docs


def chroma_client(path: Path, url: str | None) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    settings = ChromaSettings(anonymized_telemetry=False)
    if url:
        parsed = urlparse(url)
        return chromadb.HttpClient(
            host=parsed.hostname or "127.0.0.1",
            port=parsed.port or 8000,
            ssl=parsed.scheme == "https",
            settings=settings,
        )
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=settings)


@dataclass
class _LangIndex:
    docs: list[Doc]
    by_id: dict[str, Doc]
    bm25: BM25
    # One BM25 document per card (its text, keywords and example replies together): a
    # situation described in many words matches the card as a whole better than any part.
    card_order: list[str]
    card_bm25: BM25


@dataclass
class ChromaKnowledgeBase:
    """The shared search of the app and the grader; build() makes the Chroma side current."""

    content: KnowledgeContent
    path: Path
    url: str | None = None
    embedder: Embedder = field(default_factory=Embedder)
    prefix: str = "cm_sim"
    _client: Any = None
    _langs: dict[str, _LangIndex] = field(default_factory=dict)
    # Collection handles and sizes, looked up once: each lookup is a round trip to Chroma's
    # catalogue, several milliseconds a query otherwise. build() refreshes the sizes.
    _collections: dict[str, Any] = field(default_factory=dict)
    _counts: dict[str, int] = field(default_factory=dict)

    def _lang(self, lang: Lang) -> _LangIndex:
        """Documents and BM25 indexes of one language, built on first use (not for `index`)."""
        if lang not in self._langs:
            docs = documents(self.content, lang)
            cards = self.content.cards
            self._langs[lang] = _LangIndex(
                docs=docs,
                by_id={d.id: d for d in docs},
                bm25=BM25([tokens(f"{d.title} {d.text}", lang) for d in docs]),
                card_order=[f"card:{card.id}:{lang}" for card in cards],
                card_bm25=BM25([tokens(card.full_text(lang), lang) for card in cards]),
            )
        return self._langs[lang]

    # ------------------------------------------------------------------ index

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = chroma_client(self.path, self.url)
        return self._client

    def collection(self, lang: Lang) -> Any:
        if lang not in self._collections:
            self._collections[lang] = self.client.get_or_create_collection(
                name=f"{self.prefix}_{lang}",
                embedding_function=None,
                metadata={"hnsw:space": "cosine"},
            )
        return self._collections[lang]

    def _count(self, lang: Lang) -> int:
        """Chunks indexed in one language; an empty index is asked again next time (it may
        have been built since)."""
        count = self._counts.get(lang) or self.collection(lang).count()
        if count:
            self._counts[lang] = count
        return int(count)

    def build(self, progress: Progress | None = None, batch: int = 64) -> IndexReport:
        """Embed what changed since the last build (by content hash), drop what disappeared."""
        started = time.perf_counter()
        report = IndexReport()
        lock_dir = self.path if self.url is None else self.path / "remote-lock"
        lock_dir.mkdir(parents=True, exist_ok=True)
        with FileLock(str(lock_dir / "index.lock"), timeout=300):
            work: list[tuple[Any, list[Doc]]] = []
            for lang in LANGS:
                collection = self.collection(lang)
                existing = collection.get(include=["metadatas"])
                known = {
                    doc_id: (meta or {}).get("hash")
                    for doc_id, meta in zip(existing["ids"], existing["metadatas"], strict=True)
                }
                docs = documents(self.content, lang)
                wanted = {d.id for d in docs}
                stale = [doc_id for doc_id in known if doc_id not in wanted]
                if stale:
                    collection.delete(ids=stale)
                report.removed += len(stale)
                changed = [d for d in docs if known.get(d.id) != d.hash]
                report.added += sum(1 for d in changed if d.id not in known)
                report.updated += sum(1 for d in changed if d.id in known)
                report.unchanged += len(docs) - len(changed)
                work.append((collection, changed))
            total = sum(len(changed) for _, changed in work)
            done = 0
            if progress is not None:
                progress(0, total)
            for collection, changed in work:
                for start in range(0, len(changed), batch):
                    part = changed[start : start + batch]
                    collection.upsert(
                        ids=[d.id for d in part],
                        embeddings=self.embedder.encode([f"{d.title}\n{d.text}" for d in part]),
                        documents=[d.text for d in part],
                        metadatas=[_metadata(d) for d in part],
                    )
                    done += len(part)
                    if progress is not None:
                        progress(done, total)
            self._counts.clear()
        report.seconds = round(time.perf_counter() - started, 3)
        return report

    # ------------------------------------------------------------------ search

    def _dense(self, query: str, lang: Lang, n: int) -> list[str]:
        count = self._count(lang)
        if count == 0:
            raise IndexUnavailable("the knowledge index is empty: run `cm-sim index`")
        found = self.collection(lang).query(
            query_embeddings=self.embedder.encode([query]),
            n_results=min(n, count),
            include=[],
        )
        return list(found["ids"][0])

    def _lexical(self, query: str, lang: Lang, n: int) -> list[str]:
        index = self._lang(lang)
        return [index.docs[i].id for i, _ in index.bm25.top(tokens(query, lang), n)]

    def _lexical_cards(self, query: str, lang: Lang, n: int) -> list[str]:
        index = self._lang(lang)
        return [index.card_order[i] for i, _ in index.card_bm25.top(tokens(query, lang), n)]

    def _key(self, doc: Doc) -> str:
        """Cards and their examples count as one result; article passages stand alone."""
        return f"card:{doc.card_ids[0]}:{doc.lang}" if doc.kind != "article" else doc.id

    def _ranking(self, doc_ids: list[str], lang: Lang) -> list[str]:
        by_id = self._lang(lang).by_id
        keys: dict[str, None] = {}  # ordered set: first occurrence wins
        for doc_id in doc_ids:
            doc = by_id.get(doc_id)
            if doc is not None:
                keys.setdefault(self._key(doc))
        return list(keys)

    def _cue_ranking(self, query: str, lang: Lang) -> list[str]:
        """Cards named by the reply features the query shows (an apology, blame, sarcasm...)."""
        found = detect_features(query) - {"too_short"}
        keys = []
        for feature in sorted(found):
            key = f"card:{FEATURE_PRACTICES.get(feature, '')}:{lang}"
            if key in self._lang(lang).by_id and key not in keys:
                keys.append(key)
        return keys

    def search(
        self,
        query: str,
        lang: Lang,
        k: int = 5,
        mode: Mode = "hybrid",
        kinds: tuple[str, ...] = ("card", "article"),
        situation: str | None = None,
        scenario: str | None = None,
    ) -> list[Hit]:
        """Ranked cards and article passages for a query in one language, optionally filtered."""
        index = self._lang(lang)
        rankings: list[tuple[float, list[str]]] = []
        if mode in ("hybrid", "dense"):
            dense = self._ranking(self._dense(query, lang, CANDIDATES * 3), lang)
            rankings.append((DENSE_WEIGHT[lang] if mode == "hybrid" else 1.0, dense))
        if mode in ("hybrid", "bm25"):
            rankings.append((1.0, self._ranking(self._lexical(query, lang, CANDIDATES * 3), lang)))
            rankings.append((1.0, self._lexical_cards(query, lang, CANDIDATES)))
        if mode == "hybrid":
            rankings.append((1.0, self._cue_ranking(query, lang)))
        hits = []
        for key, score in rrf(rankings):
            doc = index.by_id[key]
            if doc.kind not in kinds:
                continue
            if situation and doc.kind == "card" and situation not in doc.situations:
                continue
            if scenario and doc.kind == "card" and scenario not in doc.scenarios:
                continue
            hits.append(
                Hit(
                    doc_id=doc.id,
                    kind=doc.kind,
                    card_ids=list(doc.card_ids),
                    title=doc.title,
                    passage=doc.text,
                    score=round(score, 5),
                )
            )
            if len(hits) >= k:
                break
        return hits

    def card_ids(self, query: str, lang: Lang, k: int = 5, mode: Mode = "hybrid") -> list[str]:
        """The practice cards that apply, best first: what the grader and citations use."""
        return [hit.card_ids[0] for hit in self.search(query, lang, k, mode, kinds=("card",))]


def _metadata(doc: Doc) -> dict[str, str]:
    return {
        "kind": doc.kind,
        "lang": doc.lang,
        "cards": ",".join(doc.card_ids),
        "title": doc.title,
        "hash": doc.hash,
        "situations": ",".join(doc.situations),
        "scenarios": ",".join(doc.scenarios),
    }
