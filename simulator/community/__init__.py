"""The community's voice: an LLM rewriting scripted lines in each persona's words, the validators
every post must pass, and the scripted fallback. Names load on first use, so importing the room
costs nothing until then.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simulator.community.scripted import ScriptedVoice
    from simulator.community.validators import VALIDATORS, PostContext, clean, detect_lang, validate
    from simulator.community.voice import LLMVoice, VoiceOutcome, anchor, build_messages, shorten

_WHERE = {
    "LLMVoice": "simulator.community.voice",
    "PostContext": "simulator.community.validators",
    "ScriptedVoice": "simulator.community.scripted",
    "VALIDATORS": "simulator.community.validators",
    "VoiceOutcome": "simulator.community.voice",
    "anchor": "simulator.community.voice",
    "build_messages": "simulator.community.voice",
    "clean": "simulator.community.validators",
    "detect_lang": "simulator.community.validators",
    "shorten": "simulator.community.voice",
    "validate": "simulator.community.validators",
}
__all__ = [
    "VALIDATORS",
    "LLMVoice",
    "PostContext",
    "ScriptedVoice",
    "VoiceOutcome",
    "anchor",
    "build_messages",
    "clean",
    "detect_lang",
    "shorten",
    "validate",
]


def __getattr__(name: str) -> object:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
