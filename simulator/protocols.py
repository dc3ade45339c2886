"""The roles the engine depends on, and the data that crosses them.

Implementations are named by prefix (`ExemplarGrader`, `LLMVoice`, `ChromaKnowledgeBase`,
`SqlStore`; test doubles `Fake...`/`Scripted...`); the engine, the CLI and the pages know
these protocols, and `simulator/factory.py` is the one place that builds the concrete parts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, Literal, Protocol

from pydantic import Field

from simulator.content import Frozen, Lang, Persona, Scenario

if TYPE_CHECKING:
    from simulator.engine import SessionState, TurnRecord
    from simulator.knowledge import Hit, IndexReport, KnowledgeContent, Mode
    from simulator.store import SessionSummary, StoredSession, StoredTurn


class CriterionScore(Frozen):
    id: str
    score: float = Field(ge=0, le=100)
    feedback: str
    practices: list[str]


class CheckResult(Frozen):
    """One expectation or pitfall, as judged in one reply."""

    id: str
    kind: Literal["expectation", "pitfall"]
    criterion: str
    text: str
    status: Literal["met", "missed", "violated", "avoided"]
    # The sentence of the reply that shows it (for a missed expectation, the closest one).
    evidence: str = ""
    strength: float
    similarity: float
    # How much closer the evidence is to this check than to the other side (see Scale).
    contrast: float = 0.0
    cue: bool = False
    practices: list[str]
    severity: Literal["harmful", "minor"] | None = None
    weight: float = 1.0


class Assessment(Frozen):
    """A grader's verdict on one reply, in the contract's shape plus what the engine needs."""

    score: float = Field(ge=0, le=100)
    criteria: list[CriterionScore]
    practices: list[str]
    better_reply: str
    features: list[str] = []
    flags: list[str] = []
    grader: str
    # What this turn called for, and each expectation and pitfall as judged, with evidence.
    calls_for: list[str] = []
    checks: list[CheckResult] = []


class GradingContext(Frozen):
    """What the grader may know of the situation besides the reply itself."""

    scenario: Scenario
    lang: Lang
    turn: int
    thread: list[str] = []
    # Injects that fired before this reply (what the situations' `when` reads).
    fired: list[str] = []


class Grader(Protocol):
    name: str

    def assess(self, reply: str, context: GradingContext) -> Assessment: ...

    def assess_many(self, replies: Sequence[tuple[str, GradingContext]]) -> list[Assessment]:
        """Several replies at once, in order (a batch shares its model calls)."""
        ...


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


class Retriever(Protocol):
    """What the grader needs of the knowledge base: the practice cards that apply."""

    def card_ids(self, query: str, lang: Lang, k: int = 5) -> list[str]: ...


class KnowledgeBase(Retriever, Protocol):
    """Cards and articles, indexed and searched (the Knowledge page, `cm-sim search`)."""

    content: KnowledgeContent

    def build(self, progress: Callable[[int, int], None] | None = None) -> IndexReport: ...

    def search(
        self,
        query: str,
        lang: Lang,
        k: int = 5,
        mode: Mode = "hybrid",
        kinds: tuple[str, ...] = ("card", "article"),
        situation: str | None = None,
        scenario: str | None = None,
    ) -> list[Hit]: ...


class Store(Protocol):
    """Sessions kept turn by turn: a reply is committed before it is graded and answered."""

    def session(self) -> AbstractContextManager[Any]:
        """A database session for the store's own rooms (accounts, campaigns, results)."""
        ...

    def create_session(
        self,
        state: SessionState,
        provider: str,
        reply_time_limit_s: int,
        participant_id: str | None = None,
        campaign_id: str | None = None,
        cohort_id: str | None = None,
        scenario_version: int | None = None,
    ) -> str: ...

    def attempt(self, participant_id: str, scenario_id: str) -> str | None: ...

    def get(self, session_id: str, participant_id: str | None = None) -> StoredSession: ...

    def list(
        self,
        participant_id: str | None = None,
        campaign_id: str | None = None,
        limit: int = 1000,
    ) -> list[SessionSummary]: ...

    def receive(
        self,
        session_id: str,
        turn: int,
        reply: str,
        choice: str | None = None,
        delay_s: float | None = None,
    ) -> StoredTurn: ...

    def complete(self, session_id: str, record: TurnRecord, state: SessionState) -> bool: ...

    def dispose(self) -> None: ...
