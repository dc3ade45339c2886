"""Headless play: a scenario, a list of replies, a seed; the session as JSON-ready data."""

from __future__ import annotations

from typing import Any

from simulator.content import Lang, ReplyItem, Scenario
from simulator.engine.report import build_report
from simulator.engine.session import Session, SessionState
from simulator.protocols import CommunityVoice, Grader


def play_headless(
    scenario: Scenario,
    lang: Lang,
    replies: list[ReplyItem],
    seed: int,
    grader: Grader,
    voice: CommunityVoice,
) -> tuple[SessionState, int]:
    """Play in memory until the replies run out or the session ends: (state, replies used)."""
    session = Session.start(scenario, lang, seed, grader, voice)
    used = 0
    for item in replies:
        if session.state.ended:
            break
        session.submit(item.text, delay_s=item.delay_s, choice=item.choice)
        used += 1
    return session.state, used


def play_result(
    scenario: Scenario,
    state: SessionState,
    *,
    seed: int,
    provider: str,
    replies: int,
    used: int,
    session_id: str | None = None,
) -> dict[str, Any]:
    """What `cm-sim play --json` prints: transcript, every turn, metrics, the end, the report."""
    return {
        "session_id": session_id,
        "scenario": scenario.id,
        "lang": state.lang,
        "seed": seed,
        "provider": provider,
        "transcript": [event.model_dump() for event in state.events],
        "turns": [
            {
                "turn": record.turn,
                "reply": record.reply,
                "score": record.score,
                "criteria": [c.model_dump() for c in record.assessment.criteria],
                "features": record.assessment.features,
                "choice": record.choice,
                "metrics": record.metrics,
                "moods": record.moods,
                "injects": record.injects,
                "late_min": record.late_min,
            }
            for record in state.turns
        ],
        "metrics": state.history,
        "end": {"ended": state.ended, "reason": state.end_reason, "turn": state.turn},
        "replies_unused": replies - used,
        "report": build_report(scenario, state).model_dump(),
    }
