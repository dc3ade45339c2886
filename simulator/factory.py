"""Builds the engine's parts from settings: the one place the CLI and the app share.

Imports of heavy libraries (LangChain, Chroma, sentence-transformers) happen inside the
builders, so a command only pays for what it uses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator.assessor_rules import RuleBasedAssessor
from simulator.config import PROVIDERS, Settings, load_settings
from simulator.protocols import Grader

if TYPE_CHECKING:
    from simulator.cards import KnowledgeContent
    from simulator.community import LLMVoice
    from simulator.knowledge import ChromaKnowledgeBase


class UnknownProvider(ValueError):
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
    )


def make_grader() -> Grader:
    return RuleBasedAssessor()


def load_knowledge_content() -> KnowledgeContent:
    from simulator.cards import load_content
    from simulator.catalog import knowledge_dir, practice_ids

    return load_content(knowledge_dir(), practice_ids())


def make_knowledge_base(settings: Settings | None = None) -> ChromaKnowledgeBase:
    """The knowledge base over the shipped cards and articles (the index may need a build)."""
    from simulator.knowledge import ChromaKnowledgeBase, Embedder

    settings = settings or load_settings()
    return ChromaKnowledgeBase(
        content=load_knowledge_content(),
        path=settings.chroma_path,
        url=settings.chroma_url,
        embedder=Embedder(settings.embedding_model),
    )
