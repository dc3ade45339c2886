"""Headless play: a scenario, a list of replies, a seed; the session as JSON-ready data."""

from __future__ import annotations

from typing import Any

from simulator.catalog import get_scenario
from simulator.factory import make_grader, make_voice
from simulator.protocols import CommunityVoice, Grader
from simulator.replies import ReplyItem
from simulator.report import build_report
from simulator.scenario import Lang, Scenario
from simulator.session import Session, SessionState
from simulator.store import SqlStore
from simulator.stored_play import play_turn, start_session


def _play_stored(
    store: SqlStore,
    scenario: Scenario,
    lang: Lang,
    replies: list[ReplyItem],
    seed: int,
    grader: Grader,
    voice: CommunityVoice,
) -> tuple[str, SessionState, int]:
    """The app's path: each reply committed, then graded and answered."""
    session_id = start_session(store, scenario, lang, seed, grader, voice)
    used = 0
    for turn, item in enumerate(replies, start=1):
        if store.get(session_id).summary.ended:
            break
        play_turn(
            store,
            session_id,
            turn,
            item.text,
            grader,
            voice,
            delay_s=item.delay_s,
            choice=item.choice,
        )
        used += 1
    return session_id, store.get(session_id).state, used


def play(
    scenario_id: str,
    lang: Lang,
    replies: list[ReplyItem],
    seed: int,
    provider: str | None,
    store: SqlStore | None = None,
) -> dict[str, Any]:
    """Play until the replies run out or the session ends; extra replies are reported unused.
    With a store, the session is saved turn by turn (`session_id` in the result)."""
    scenario = get_scenario(scenario_id)
    voice = make_voice(provider)
    grader = make_grader()
    session_id = None
    if store is not None:
        session_id, state, used = _play_stored(store, scenario, lang, replies, seed, grader, voice)
    else:
        session = Session.start(scenario, lang, seed, grader, voice)
        used = 0
        for item in replies:
            if session.state.ended:
                break
            session.submit(item.text, delay_s=item.delay_s, choice=item.choice)
            used += 1
        state = session.state
    return {
        "session_id": session_id,
        "scenario": scenario.id,
        "lang": lang,
        "seed": seed,
        "provider": voice.name,
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
        "replies_unused": len(replies) - used,
        "report": build_report(scenario, state).model_dump(),
    }
