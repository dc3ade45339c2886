"""The roles the engine depends on, and the data that crosses them.

Implementations are named by prefix (`RuleBasedAssessor`, `ScriptedVoice`, later
`LlamaCppVoice`, `ChromaKnowledgeBase`); the engine only knows these protocols.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from simulator.scenario import Lang, Persona, Scenario


class Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CriterionScore(Frozen):
    id: str
    score: float = Field(ge=0, le=100)
    feedback: str
    practices: list[str]


class Assessment(Frozen):
    """A grader's verdict on one reply, in the contract's shape plus what the engine needs."""

    score: float = Field(ge=0, le=100)
    criteria: list[CriterionScore]
    practices: list[str]
    better_reply: str
    features: list[str] = []
    flags: list[str] = []
    grader: str


class GradingContext(Frozen):
    """What the grader may know of the situation besides the reply itself."""

    scenario: Scenario
    lang: Lang
    turn: int
    thread: list[str] = []


class Grader(Protocol):
    name: str

    def assess(self, reply: str, context: GradingContext) -> Assessment: ...


class VoiceRequest(Frozen):
    """Everything a voice needs to write one persona's post; `fallback` is the scripted line."""

    scenario: Scenario
    lang: Lang
    persona: Persona
    mood: str
    trainee_reply: str
    thread: list[str]
    examples: list[str]
    fallback: str
    # A reaction to the trainee's reply, or an inject (an event the scenario brings in).
    kind: Literal["reaction", "inject"] = "reaction"


class CommunityVoice(Protocol):
    """Words one persona's post; `on_token` receives text as it is written (streaming)."""

    name: str

    def speak(
        self, request: VoiceRequest, on_token: Callable[[str], None] | None = None
    ) -> str: ...
