"""Practice cards and articles: the knowledge base as data, validated like scenarios."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, ValidationError

from simulator.content import (
    LANGS,
    BilingualText,
    Channel,
    Frozen,
    Lang,
    Problem,
    Slug,
    YamlDocument,
    display_path,
    parse_yaml_text,
    problems_from_validation,
    read_yaml,
)
from simulator.errors import ContentError

Theme = Literal[
    "answering",
    "tone-and-editorial-line",
    "empathy-and-apology",
    "private-channels",
    "personal-data-and-privacy",
    "escalation",
    "crisis-communication",
    "moderation-and-trolls",
    "transparency",
    "legal-limits",
    "identity-and-signature",
    "reactivity",
    "measuring",
    "knowing-the-brand",
]
Situation = Literal[
    "complaint",
    "question",
    "criticism",
    "crisis",
    "misinformation",
    "harassment",
    "press",
    "identity",
    "routine",
]


class Tags(Frozen):
    situations: Annotated[list[Situation], Field(min_length=1)]
    channels: list[Channel] = []
    scenarios: list[Slug] = []


class Keywords(Frozen):
    """Search terms a reader may use for this practice (synonyms, situations, jargon)."""

    fr: Annotated[list[Annotated[str, Field(min_length=2, max_length=60)]], Field(max_length=40)]
    en: Annotated[list[Annotated[str, Field(min_length=2, max_length=60)]], Field(max_length=40)]

    def get(self, lang: Lang) -> list[str]:
        return self.fr if lang == "fr" else self.en


class Card(Frozen):
    id: Slug
    theme: Theme
    source: Annotated[str, Field(min_length=3, max_length=300)]
    tags: Tags
    title: BilingualText
    principle: BilingualText
    why: BilingualText
    when: BilingualText
    do: Annotated[list[BilingualText], Field(min_length=2)]
    dont: Annotated[list[BilingualText], Field(min_length=2)]
    keywords: Keywords | None = None
    # How a CM or a trainee would bring this practice up: situations met and questions asked,
    # in their own words. Indexed one by one, so a described situation finds its practice.
    questions: Annotated[list[BilingualText], Field(max_length=8)] = []

    def full_text(self, lang: Lang) -> str:
        """Title, summary and every example reply: the card as one lexical document."""
        examples = [e.get(lang) for e in (*self.do, *self.dont, *self.questions)]
        return "\n".join([self.title.get(lang), self.summary(lang), *examples])

    def summary(self, lang: Lang) -> str:
        """The card's own words (its example replies are indexed separately)."""
        parts = [self.principle.get(lang), self.why.get(lang), self.when.get(lang)]
        if self.keywords is not None:
            parts.append(", ".join(self.keywords.get(lang)))
        return "\n".join(parts)


class ArticleMeta(Frozen):
    title: Annotated[str, Field(min_length=3, max_length=200)]
    theme: Theme
    cards: list[Slug] = []


class Article(Frozen):
    slug: str
    lang: Lang
    meta: ArticleMeta
    body: str

    def chunks(self, max_words: int = 140) -> list[str]:
        """Paragraph-aligned passages of at most about max_words words, headings kept."""
        out: list[str] = []
        current: list[str] = []
        heading = ""
        for block in re.split(r"\n\s*\n", self.body):
            block = block.strip()
            if not block:
                continue
            if block.startswith("#"):
                heading = block.lstrip("#").strip()
                continue
            words = sum(len(p.split()) for p in current)
            if current and words + len(block.split()) > max_words:
                out.append("\n".join(current))
                current = []
            if not current and heading:
                current.append(heading)
            current.append(block)
        if current:
            out.append("\n".join(current))
        return out


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def load_card(path: Path, known_ids: set[str] | None = None) -> Card:
    doc = read_yaml(path)
    if doc.data is None or doc.problems:
        raise ContentError(doc.problems or [doc.problem((), "a card is a mapping of fields")])
    if not isinstance(doc.data, dict):
        raise ContentError([doc.problem((), "a card is a mapping of fields")])
    try:
        card = Card.model_validate(doc.data)
    except ValidationError as exc:
        raise ContentError(problems_from_validation(doc, exc)) from None
    problems = []
    if card.id != path.stem:
        problems.append(doc.problem(("id",), f"must equal the file name {path.stem!r}"))
    if known_ids is not None and card.id not in known_ids:
        problems.append(doc.problem(("id",), "not listed in practice-ids.yaml"))
    if problems:
        raise ContentError(problems)
    return card


_FRONT = re.compile(r"\A---\n(.*?)\n---\n(.*)\Z", re.DOTALL)


def load_article(path: Path, lang: Lang, known_ids: set[str] | None = None) -> Article:
    shown = display_path(path)
    text = path.read_text(encoding="utf-8")
    match = _FRONT.match(text)
    if match is None:
        raise ContentError([Problem(shown, 1, "", "an article starts with a --- front matter ---")])
    doc = parse_yaml_text(match.group(1), YamlDocument(path=path))
    # Front-matter lines are numbered from the file's second line.
    doc.lines = {loc: line + 1 for loc, line in doc.lines.items()}
    doc.problems = [Problem(p.file, p.line + 1, p.field, p.message) for p in doc.problems]
    if doc.problems or not isinstance(doc.data, dict):
        raise ContentError(doc.problems or [doc.problem((), "front matter must be a mapping")])
    try:
        meta = ArticleMeta.model_validate(doc.data)
    except ValidationError as exc:
        raise ContentError(problems_from_validation(doc, exc)) from None
    if known_ids is not None:
        unknown = [
            doc.problem(("cards", i), f"unknown practice id {cid!r}")
            for i, cid in enumerate(meta.cards)
            if cid not in known_ids
        ]
        if unknown:
            raise ContentError(unknown)
    if len(match.group(2).split()) < 50:
        raise ContentError(
            [Problem(shown, 1, "", "the article body is too short (50 words at least)")]
        )
    return Article(slug=path.stem, lang=lang, meta=meta, body=match.group(2).strip())


class KnowledgeContent(Frozen):
    """Every card and article, loaded and checked."""

    cards: list[Card]
    articles: list[Article]

    def card(self, card_id: str) -> Card:
        for card in self.cards:
            if card.id == card_id:
                return card
        raise KeyError(card_id)


def load_content(root: Path, known_ids: set[str] | None) -> KnowledgeContent:
    """Load all cards and articles; raise ContentError listing every problem of every file."""
    problems: list[Problem] = []
    cards: list[Card] = []
    for path in sorted((root / "cards").glob("*.yaml")):
        try:
            cards.append(load_card(path, known_ids))
        except ContentError as exc:
            problems.extend(exc.problems)
    articles: list[Article] = []
    for lang in LANGS:
        for path in sorted((root / "articles" / lang).glob("*.md")):
            try:
                articles.append(load_article(path, lang, known_ids))
            except ContentError as exc:
                problems.extend(exc.problems)
    if known_ids is not None and not problems:
        have = {card.id for card in cards}
        registry = display_path(root / "practice-ids.yaml")
        problems.extend(
            Problem(registry, 1, missing, "practice id has no card in cards/")
            for missing in sorted(known_ids - have)
        )
    if problems:
        raise ContentError(problems)
    return KnowledgeContent(cards=cards, articles=articles)
