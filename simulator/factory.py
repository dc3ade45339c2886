"""Builds the engine's parts from a provider name: the one place the CLI and the app share."""

from __future__ import annotations

from simulator.assessor_rules import RuleBasedAssessor
from simulator.protocols import CommunityVoice, Grader
from simulator.voice_scripted import ScriptedVoice

PROVIDERS = ("fake",)


class UnknownProvider(ValueError):
    pass


def make_voice(provider: str) -> CommunityVoice:
    if provider == "fake":
        return ScriptedVoice()
    raise UnknownProvider(f"unknown provider {provider!r}; available: {', '.join(PROVIDERS)}")


def make_grader() -> Grader:
    return RuleBasedAssessor()
