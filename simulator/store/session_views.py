"""A stored session as people read it: every turn with what the trainee typed, what the
community said, the grades and the times. `cm-sim sessions show`, the employer's
transcripts and the exports all use this one shape."""

from __future__ import annotations

from typing import Any

from simulator.store.sessions import StoredSession, StoredTurn


def _community(stored: StoredSession, turn: int) -> list[dict[str, Any]]:
    return [
        {"author": e.author, "name": e.name, "kind": e.kind, "text": e.text, "minute": e.minute}
        for e in stored.state.events
        if e.turn == turn and e.author != "trainee"
    ]


def turn_view(stored: StoredSession, turn: StoredTurn) -> dict[str, Any]:
    record = turn.record
    return {
        "turn": turn.turn,
        "reply": turn.reply,
        "choice": turn.choice,
        "delay_s": turn.delay_s,
        "received_at": turn.received_at.isoformat(),
        "graded_at": turn.graded_at.isoformat() if turn.graded_at else None,
        "status": "graded" if record is not None else "pending",
        "score": turn.score,
        "criteria": [c.model_dump() for c in record.assessment.criteria] if record else [],
        "practices": record.assessment.practices if record else [],
        "flags": record.assessment.flags if record else [],
        "metrics": record.metrics if record else None,
        "community": _community(stored, turn.turn),
    }


def session_view(stored: StoredSession) -> dict[str, Any]:
    return {
        **stored.summary.model_dump(mode="json"),
        "reply_time_limit_s": stored.reply_time_limit_s,
        "opening": _community(stored, 0),
        "turns": [turn_view(stored, turn) for turn in stored.turns],
    }
