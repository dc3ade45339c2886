"""Which scenarios, cards and articles cover each theme of the source material
(`knowledge_base/seed-themes.yaml`) and each practice card: what `cm-sim coverage` prints."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, TypeAdapter, ValidationError

from simulator.content import (
    BilingualText,
    Frozen,
    Lang,
    Problem,
    Scenario,
    Slug,
    problems_from_validation,
    read_yaml,
)
from simulator.errors import ContentError
from simulator.knowledge.cards import KnowledgeContent

SEED_THEMES_FILE = "seed-themes.yaml"


class SeedTheme(Frozen):
    id: Slug
    title: BilingualText
    cards: Annotated[list[Slug], Field(min_length=1)]
    articles: list[Slug] = []


_THEMES = TypeAdapter(list[SeedTheme])


def load_seed_themes(path: Path, content: KnowledgeContent) -> list[SeedTheme]:
    """The themes file, checked: unique ids, every card and article it names exists."""
    doc = read_yaml(path)
    if doc.problems:
        raise ContentError(doc.problems)
    if not isinstance(doc.data, list):
        raise ContentError([doc.problem((), "the themes file is a list of themes")])
    try:
        themes = _THEMES.validate_python(doc.data)
    except ValidationError as exc:
        raise ContentError(problems_from_validation(doc, exc)) from None
    cards = {card.id for card in content.cards}
    articles = {article.slug for article in content.articles}
    problems: list[Problem] = []
    seen: set[str] = set()
    for i, theme in enumerate(themes):
        if theme.id in seen:
            problems.append(doc.problem((i, "id"), f"duplicate theme id {theme.id!r}"))
        seen.add(theme.id)
        problems.extend(
            doc.problem((i, "cards", j), f"unknown practice card {card!r}")
            for j, card in enumerate(theme.cards)
            if card not in cards
        )
        problems.extend(
            doc.problem((i, "articles", j), f"no article {slug!r} in articles/fr or articles/en")
            for j, slug in enumerate(theme.articles)
            if slug not in articles
        )
    if problems:
        raise ContentError(problems)
    return themes


def coverage_report(
    themes: list[SeedTheme],
    content: KnowledgeContent,
    scenarios: list[Scenario],
    root: Path,
    lang: Lang = "en",
) -> dict[str, Any]:
    """Per theme: the scenarios citing one of its cards, its cards and its article files;
    per card: the scenarios citing it."""
    citing: dict[str, list[str]] = {card.id: [] for card in content.cards}
    for scenario in sorted(scenarios, key=lambda s: s.id):
        for practice in scenario.cited_practices():
            citing.setdefault(practice, []).append(scenario.id)
    out_themes = []
    for theme in themes:
        covered = {sid for card in theme.cards for sid in citing.get(card, [])}
        files = [
            f"{root.name}/articles/{article.lang}/{article.slug}.md"
            for slug in theme.articles
            for article in content.articles
            if article.slug == slug
        ]
        out_themes.append(
            {
                "id": theme.id,
                "title": theme.title.get(lang),
                "scenarios": sorted(covered),
                "cards": list(theme.cards),
                "articles": files,
            }
        )
    cards = [{"id": card.id, "scenarios": citing[card.id]} for card in content.cards]
    return {"themes": out_themes, "cards": cards}


def uncovered(report: dict[str, Any]) -> list[str]:
    """Theme ids no scenario practises."""
    return [theme["id"] for theme in report["themes"] if not theme["scenarios"]]
