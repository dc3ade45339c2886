"""The community's voice: an LLM rewriting scripted lines in each persona's words, the validators
every post must pass, and the scripted fallback.
"""

from simulator.community.scripted import ScriptedVoice
from simulator.community.validators import VALIDATORS, PostContext, clean, detect_lang, validate
from simulator.community.voice import LLMVoice, VoiceOutcome, anchor, build_messages, shorten

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
