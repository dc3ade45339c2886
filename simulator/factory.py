"""Builds the engine's parts from settings: the one place the CLI and the app share."""

from __future__ import annotations

from simulator.assessor_rules import RuleBasedAssessor
from simulator.community import LLMVoice
from simulator.config import PROVIDERS, Settings, load_settings
from simulator.llm import make_chat_model
from simulator.protocols import Grader


class UnknownProvider(ValueError):
    pass


def voice_name(settings: Settings) -> str:
    return f"{settings.provider}:{settings.model or 'default'}"


def make_voice(provider: str | None = None, settings: Settings | None = None) -> LLMVoice:
    """The community voice for a provider (default: the configured one)."""
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
