"""ChromaKnowledgeBase: practice cards and article passages, indexed per language, searched hybrid.

Dense retrieval uses sentence embeddings (knowledge/embedding.py) stored in Chroma (persistent
on disk by default, a `chroma run` server when CM_SIM_CHROMA_URL is set); lexical retrieval is
BM25 over the same documents (knowledge/lexical.py); hybrid fuses both by reciprocal rank fusion
(knowledge/fusion.py), with a third, short ranking: the cards named by the reply features the
query shows (content/cues.py). Each language has its own collection, so a French query is only
compared with French text.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlparse

import numpy as np
from filelock import FileLock
from numpy.typing import NDArray

from simulator.content import FEATURE_PRACTICES, LANGS, Frozen, Lang, Strict, detect_features
from simulator.errors import SimulatorError
from simulator.knowledge.cards import Card, KnowledgeContent, content_hash
from simulator.knowledge.embedding import PACKAGED_MINILM, Embedder, Matrix, slug
from simulator.knowledge.fusion import CardRanker, card_features, rrf
from simulator.knowledge.lexical import BM25, tokens

log = logging.getLogger(__name__)
_CLIENT_LOCK = threading.Lock()
# hybrid: the learned card ranking when one is fitted for the encoder, else rank fusion;
# rrf: rank fusion always; dense, bm25: one signal alone.
Mode = Literal["hybrid", "rrf", "dense", "bm25"]
DocKind = Literal["card", "example", "question", "article"]
Progress = Callable[[int, int], None]


class IndexUnavailable(SimulatorError, RuntimeError):
    """The index cannot answer yet (not built) or its embedding model is missing."""


CANDIDATES = 30
# Documents the dense search returns for the card ranker: enough to reach most cards.
DENSE_POOL = 300


def dense_weight(encoder_name: str, lang: Lang) -> float:
    """An English-trained encoder's French ranking counts for less in the fusion; a
    multilingual one counts fully in both languages."""
    return 0.5 if encoder_name == PACKAGED_MINILM and lang == "fr" else 1.0


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
        for n, question in enumerate(card.questions):
            docs.append(_card_doc(card, lang, f":q{n}", "question", question.get(lang)))
    # An article written in one language only is searched from both: the other language's
    # collection holds it too, so a multilingual encoder can find it from a query in either.
    here = {a.slug for a in content.articles if a.lang == lang}
    for article in content.articles:
        if article.lang != lang and article.slug in here:
            continue
        for n, chunk in enumerate(article.chunks()):
            docs.append(
                Doc(
                    id=f"article:{article.slug}:{article.lang}:{n}",
                    lang=article.lang,
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
    # Each document's card (its position in content.cards), -1 for article passages.
    doc_card: list[int]
    card_index: dict[str, int]


@dataclass
class ChromaKnowledgeBase:
    """The shared search of the app and the grader; build() makes the Chroma side current."""

    content: KnowledgeContent
    path: Path
    url: str | None = None
    embedder: Embedder = field(default_factory=Embedder)
    # The learned card ranking of hybrid search, for the encoder it was fitted with; without
    # one (or for another encoder) hybrid search fuses ranks (RRF).
    ranker: CardRanker | None = None
    prefix: str = "cm_sim"
    # A lock shared beyond this machine (replicas elsewhere building into the same Chroma
    # server), taken inside the file lock that serialises the builders of this machine.
    build_lock: Callable[[], AbstractContextManager[object]] | None = None
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
            position = {card.id: n for n, card in enumerate(cards)}
            self._langs[lang] = _LangIndex(
                docs=docs,
                by_id={d.id: d for d in docs},
                bm25=BM25([tokens(f"{d.title} {d.text}", lang) for d in docs]),
                card_order=[f"card:{card.id}:{lang}" for card in cards],
                card_bm25=BM25([tokens(card.full_text(lang), lang) for card in cards]),
                doc_card=[-1 if d.kind == "article" else position[d.card_ids[0]] for d in docs],
                card_index=position,
            )
        return self._langs[lang]

    # ------------------------------------------------------------------ index

    @property
    def client(self) -> Any:
        # Several sessions' first searches arrive together: one client, made once (Chroma
        # fails inside when two threads make it at the same time).
        with _CLIENT_LOCK:
            if self._client is None:
                self._client = chroma_client(self.path, self.url)
        return self._client

    def collection_name(self, lang: Lang, encoder_name: str) -> str:
        return f"{self.prefix}_{lang}_{slug(encoder_name)}"

    def collection(self, lang: Lang, encoder_name: str | None = None) -> Any:
        """One collection per language and encoder. It records the encoder and dimension it
        was built with; one that records others (a model changed under the same name) is
        dropped and rebuilt rather than queried with vectors of another space."""
        name = self.collection_name(lang, encoder_name or self.embedder.primary)
        if name not in self._collections:
            coder = self.embedder.encoder(encoder_name)
            wanted = {"hnsw:space": "cosine", "encoder": coder.name, "dim": coder.dim}
            found = self.client.get_or_create_collection(
                name=name, embedding_function=None, metadata=wanted
            )
            recorded = found.metadata or {}
            if (recorded.get("encoder"), recorded.get("dim")) != (coder.name, coder.dim):
                log.warning("collection %s was built with %s; rebuilding", name, recorded)
                self.client.delete_collection(name)
                found = self.client.create_collection(
                    name=name, embedding_function=None, metadata=wanted
                )
            self._collections[name] = found
        return self._collections[name]

    def _count(self, lang: Lang, encoder_name: str) -> int:
        """Chunks indexed in one language by one encoder; an empty index is asked again next
        time (it may have been built since)."""
        name = self.collection_name(lang, encoder_name)
        count = self._counts.get(name) or self.collection(lang, encoder_name).count()
        if count:
            self._counts[name] = count
        return int(count)

    def build(self, progress: Progress | None = None, batch: int = 64) -> IndexReport:
        """Embed what changed since the last build (by content hash), drop what disappeared."""
        started = time.perf_counter()
        report = IndexReport()
        lock_dir = self.path if self.url is None else self.path / "remote-lock"
        lock_dir.mkdir(parents=True, exist_ok=True)
        shared = self.build_lock() if self.build_lock is not None else nullcontext()
        with FileLock(str(lock_dir / "index.lock"), timeout=300), shared:
            work: list[tuple[Any, str, list[Doc]]] = []
            for lang, coder in [(lang, name) for lang in LANGS for name in self.embedder.names]:
                collection = self.collection(lang, coder)
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
                work.append((collection, coder, changed))
            total = sum(len(changed) for _, _, changed in work)
            done = 0
            if progress is not None:
                progress(0, total)
            for collection, coder, changed in work:
                for start in range(0, len(changed), batch):
                    part = changed[start : start + batch]
                    texts = [f"{d.title}\n{d.text}" for d in part]
                    collection.upsert(
                        ids=[d.id for d in part],
                        embeddings=self.embedder.matrix(texts, coder),
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

    def _dense(self, query: str, lang: Lang, n: int, encoder_name: str) -> list[str]:
        count = self._count(lang, encoder_name)
        if count == 0:
            raise IndexUnavailable("the knowledge index is empty: run `cm-sim index`")
        found = self.collection(lang, encoder_name).query(
            query_embeddings=self.embedder.matrix([query], encoder_name),
            n_results=min(n, count),
            include=[],
        )
        return list(found["ids"][0])

    def usable(self, ranker: CardRanker | None) -> CardRanker | None:
        return ranker if ranker is not None and ranker.encoder == self.embedder.primary else None

    def _dense_by_card(
        self, vector: Matrix, lang: Lang, coder: str, index: _LangIndex
    ) -> tuple[list[list[tuple[float, bool]]], float]:
        """The dense pool of one language's collection, grouped by the card (positions of
        `index`) each document belongs to, and the lowest similarity it returned."""
        count = self._count(lang, coder)
        if count == 0:
            raise IndexUnavailable("the knowledge index is empty: run `cm-sim index`")
        found = self.collection(lang, coder).query(
            query_embeddings=vector, n_results=min(DENSE_POOL, count), include=["distances"]
        )
        by_id = self._lang(lang).by_id
        dense: list[list[tuple[float, bool]]] = [[] for _ in index.card_order]
        floor = 1.0
        for doc_id, distance in zip(found["ids"][0], found["distances"][0], strict=True):
            similarity = 1.0 - float(distance)
            floor = min(floor, similarity)
            doc = by_id.get(doc_id)
            if doc is not None and doc.kind != "article":
                dense[index.card_index[doc.card_ids[0]]].append((similarity, doc.kind == "card"))
        return dense, floor

    def card_signals(self, query: str, lang: Lang) -> NDArray[np.float64]:
        """The ranker's features for every card (rows in content.cards order)."""
        index = self._lang(lang)
        coder = self.embedder.primary
        vector = self.embedder.matrix([query], coder)
        dense, floor = self._dense_by_card(vector, lang, coder, index)
        other: list[list[tuple[float, bool]]] | None = None
        other_floor = 0.0
        if self.embedder.multilingual:
            # The same query against the cards written in the other language.
            other_lang: Lang = "en" if lang == "fr" else "fr"
            other, other_floor = self._dense_by_card(vector, other_lang, coder, index)
        terms = tokens(query, lang)
        bm25_doc = np.zeros(len(index.card_order))
        for position, score in index.bm25.top(terms, len(index.docs)):
            card = index.doc_card[position]
            if card >= 0:
                bm25_doc[card] = max(bm25_doc[card], score)
        bm25_card = np.zeros(len(index.card_order))
        for position, score in index.card_bm25.top(terms, len(index.card_order)):
            bm25_card[position] = score
        cue = np.zeros(len(index.card_order))
        for feature in detect_features(query) - {"too_short"}:
            card_id = FEATURE_PRACTICES.get(feature, "")
            if card_id in index.card_index:
                cue[index.card_index[card_id]] = 1.0
        return card_features(dense, floor, bm25_doc, bm25_card, cue, other, other_floor)

    def _learned_cards(self, query: str, lang: Lang, ranker: CardRanker) -> list[str]:
        scores = ranker.scores(self.card_signals(query, lang))
        order = self._lang(lang).card_order
        return [order[i] for i in np.argsort(-scores, kind="stable")]

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
        ranker: CardRanker | None = None,
    ) -> list[Hit]:
        """Ranked cards and article passages for a query in one language, optionally filtered.
        `ranker` overrides the shipped card ranker (the eval's cross-validation)."""
        index = self._lang(lang)
        rankings: list[tuple[float, list[str]]] = []
        learned = self.usable(ranker if ranker is not None else self.ranker)
        if mode == "hybrid" and learned is not None:
            rankings = self._learned_rankings(query, lang, learned, kinds)
        else:
            rankings = self._fused_rankings(query, lang, mode)
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

    def _fused_rankings(self, query: str, lang: Lang, mode: Mode) -> list[tuple[float, list[str]]]:
        """The rankings reciprocal rank fusion combines: dense (each encoder), BM25 over
        documents and over whole cards, and the cards the query's cues name."""
        rankings: list[tuple[float, list[str]]] = []
        fused = mode in ("hybrid", "rrf")
        if fused or mode == "dense":
            for coder in self.embedder.names:
                dense = self._ranking(self._dense(query, lang, CANDIDATES * 3, coder), lang)
                rankings.append((dense_weight(coder, lang) if fused else 1.0, dense))
        if fused or mode == "bm25":
            rankings.append((1.0, self._ranking(self._lexical(query, lang, CANDIDATES * 3), lang)))
            rankings.append((1.0, self._lexical_cards(query, lang, CANDIDATES)))
        if fused:
            rankings.append((1.0, self._cue_ranking(query, lang)))
        return rankings

    def _learned_rankings(
        self, query: str, lang: Lang, ranker: CardRanker, kinds: tuple[str, ...]
    ) -> list[tuple[float, list[str]]]:
        """Cards by the learned ranker; article passages by their own dense and BM25
        rankings, fused with the cards so a passage that fits well still shows."""
        rankings: list[tuple[float, list[str]]] = []
        if "card" in kinds:
            rankings.append((2.0, self._learned_cards(query, lang, ranker)))
        if "article" in kinds:
            by_id = self._lang(lang).by_id
            for ranked in (
                self._dense(query, lang, CANDIDATES * 3, self.embedder.primary),
                self._lexical(query, lang, CANDIDATES * 3),
            ):
                rankings.append((1.0, [d for d in ranked if by_id[d].kind == "article"]))
        return rankings

    def card_ids(
        self,
        query: str,
        lang: Lang,
        k: int = 5,
        mode: Mode = "hybrid",
        ranker: CardRanker | None = None,
    ) -> list[str]:
        """The practice cards that apply, best first: what the grader and citations use."""
        hits = self.search(query, lang, k, mode, kinds=("card",), ranker=ranker)
        return [hit.card_ids[0] for hit in hits]


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
