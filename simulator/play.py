"""Headless play: a scenario, a list of replies, a seed; the session as JSON-ready data."""

from __future__ import annotations

from typing import Any

from simulator.catalog import get_scenario
from simulator.factory import make_grader, make_voice
from simulator.replies import ReplyItem
from simulator.report import build_report
from simulator.scenario import Lang
from simulator.session import Session


def play(
    scenario_id: str, lang: Lang, replies: list[ReplyItem], seed: int, provider: str | None
) -> dict[str, Any]:
    """Play until the replies run out or the session ends; extra replies are reported unused."""
    scenario = get_scenario(scenario_id)
    voice = make_voice(provider)
    session = Session.start(scenario, lang, seed, make_grader(), voice)
    used = 0
    for item in replies:
        if session.state.ended:
            break
        session.submit(item.text, delay_s=item.delay_s, choice=item.choice)
        used += 1
    state = session.state
    return {
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
