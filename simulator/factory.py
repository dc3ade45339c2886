"""Builds the engine's parts from settings: the one place the CLI and the app share.

Imports of heavy libraries (LangChain, Chroma, sentence-transformers) happen inside the
builders, so a command only pays for what it uses.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simulator.config import PROVIDERS, Settings, load_settings
from simulator.errors import ConfigError
from simulator.grading import RuleBasedAssessor
from simulator.protocols import Grader, Retriever

if TYPE_CHECKING:
    from simulator.community import LLMVoice
    from simulator.grading import ExemplarGrader, Featurizer
    from simulator.knowledge import ChromaKnowledgeBase, KnowledgeContent
    from simulator.store import SqlStore


class UnknownProvider(ConfigError):
    pass


def voice_name(settings: Settings) -> str:
    return f"{settings.provider}:{settings.model or 'default'}"


def make_voice(provider: str | None = None, settings: Settings | None = None) -> LLMVoice:
    """The community voice for a provider (default: the configured one)."""
    from simulator.community import LLMVoice
    from simulator.llm import make_chat_model

    if provider is not None and provider not in PROVIDERS:
        raise UnknownProvider(f"unknown provider {provider!r}; available: {', '.join(PROVIDERS)}")
    settings = settings or load_settings(provider=provider)
    if provider is not None:
        settings = settings.model_copy(update={"provider": provider})
    return LLMVoice(
        make_chat_model(settings),
        name=voice_name(settings),
        timeout_s=settings.timeout_s,
        max_retries=settings.max_retries,
        # Only llama.cpp lets us start the answer for the model; servers get plain chat.
        prefill=settings.provider == "local",
        max_tokens=settings.max_tokens,
        style=settings.prompt_style,
    )


GRADERS = ("exemplar", "rules")


def calibration_path() -> Path:
    from simulator.paths import FITTED

    return FITTED / "calibration.json"


def addressee_path() -> Path:
    from simulator.paths import FITTED

    return FITTED / "addressee.json"


def make_featurizer(settings: Settings | None = None) -> Featurizer:
    """Exemplar embeddings (cached on disk) and the reply encoder, on the configured model."""
    import numpy as np

    from simulator.content import FEATURE_CUES, all_scenarios, practice_ids
    from simulator.grading import AddresseeModel, ExemplarBank, Featurizer, exemplar_texts
    from simulator.knowledge import Embedder
    from simulator.paths import shipped_scenarios_dir

    settings = settings or load_settings()
    embedder = Embedder(settings.embedding_model)

    def encode(texts: list[str]) -> Any:
        return np.asarray(embedder.matrix(texts))

    # The bank (cached on disk) holds the shipped scenarios, whatever folders the settings
    # add or swap in: the dev sets and the calibration are about those. Any other scenario
    # (an extra folder's, a stored one, a new version) is embedded when first graded.
    shipped, _ = all_scenarios(shipped_scenarios_dir())
    bank = ExemplarBank.build(
        exemplar_texts(load_knowledge_content(), shipped),
        encode,
        settings.data_dir / "grader",
        settings.embedding_model,
    )
    bank.remember(shipped)
    scenarios = shipped + all_scenarios()[0]
    # Ids no one writes to a customer: a reply naming them is talking to the grader.
    guarded = (
        set(practice_ids() or ())
        | {c.id for s in scenarios for c in s.rubric}
        | {name for name in FEATURE_CUES if "_" in name}
    )
    addressee_file = addressee_path()
    return Featurizer(
        bank=bank,
        encode=encode,
        guarded_ids=frozenset(guarded),
        addressee=AddresseeModel.load(addressee_file) if addressee_file.exists() else None,
        gist=not embedder.multilingual,
    )


def make_exemplar_grader(
    settings: Settings | None = None, retriever: Retriever | None = None
) -> ExemplarGrader:
    from simulator.grading import Calibration, ExemplarGrader

    path = calibration_path()
    if not path.exists():
        raise ConfigError(f"{path}: no grader calibration; run `cm-sim eval grader --fit`")
    from dataclasses import replace

    cards = {card.id: card for card in load_knowledge_content().cards}
    calibration = Calibration.load(path)
    featurizer = replace(make_featurizer(settings), scale=calibration.scale)
    return ExemplarGrader(featurizer, calibration, cards, retriever)


def make_grader(name: str | None = None, retriever: Retriever | None = None) -> Grader:
    """The configured grader: the calibrated exemplar grader unless `rules` is asked for."""
    settings = load_settings()
    name = name or settings.grader
    if name == "rules":
        return RuleBasedAssessor()
    if name != "exemplar":
        raise ConfigError(f"unknown grader {name!r}; available: {', '.join(GRADERS)}")
    grader = make_exemplar_grader(settings, retriever)
    if settings.judge_provider is None:
        return grader
    return with_judge(grader, settings)


def with_judge(grader: ExemplarGrader, settings: Settings) -> Grader:
    """The calibrated grader with an LLM judge on the judge's own provider and model."""
    from simulator.grading import JudgedGrader, LLMJudge
    from simulator.llm import make_chat_model

    assert settings.judge_provider is not None
    judge_settings = settings.model_copy(
        update={
            "provider": settings.judge_provider,
            "model": settings.judge_model,
            "base_url": settings.judge_base_url or settings.base_url,
            "temperature": 0.0,
            "max_tokens": 600,
        }
    )
    judge = LLMJudge(
        make_chat_model(judge_settings),
        timeout_s=settings.timeout_s,
        max_retries=settings.max_retries,
    )
    return JudgedGrader(grader, judge)


def load_knowledge_content() -> KnowledgeContent:
    from simulator.content import practice_ids
    from simulator.knowledge import load_content
    from simulator.paths import knowledge_dir

    return load_content(knowledge_dir(), practice_ids())


def make_knowledge_base(settings: Settings | None = None) -> ChromaKnowledgeBase:
    """The knowledge base over the shipped cards and articles (the index may need a build)."""
    from simulator.knowledge import CardRanker, ChromaKnowledgeBase, Embedder
    from simulator.paths import CARD_RANKER

    settings = settings or load_settings()
    return ChromaKnowledgeBase(
        content=load_knowledge_content(),
        path=settings.chroma_path,
        url=settings.chroma_url,
        embedder=Embedder(settings.embedding_model),
        ranker=CardRanker.load(CARD_RANKER) if CARD_RANKER.is_file() else None,
        build_lock=_index_lock(settings),
    )


def _index_lock(settings: Settings) -> Callable[[], AbstractContextManager[object]] | None:
    """Replicas on several machines build into one Chroma server: the PostgreSQL database
    they share serialises them (on one machine the index's file lock already does)."""
    if settings.chroma_url is None or not settings.store_url.startswith("postgres"):
        return None
    from simulator.store import database_lock

    url = settings.store_url
    return lambda: database_lock(url, "cm-sim.index")


def make_store(settings: Settings | None = None) -> SqlStore:
    """The configured store, its schema migrated: SQLite in data_dir, or the URL's server."""
    from simulator.store import SqlStore

    settings = settings or load_settings()
    return SqlStore.open(settings.store_url, settings.data_dir, settings.db_wait_s)
