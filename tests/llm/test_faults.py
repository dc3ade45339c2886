"""The community over HTTP while its server fails at a set rate (429, 500, too slow,
garbage): sessions go on with scripted lines, every reply is stored, retries and latency
stay bounded."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from simulator.config import load_settings
from simulator.content import get_scenario
from simulator.factory import make_voice
from simulator.grading import RuleBasedAssessor
from simulator.store import SqlStore, play_turn, start_session
from tests.openai_stub import Behaviour, FaultPlan, OpenAIStub

TIMEOUT_S = 1.0
RETRIES = 2
REPLIES = {
    "fr": [
        "Bonjour Julie, vraiment désolés : on vérifie et on vous écrit en MP. — Camille",
        "Le nœud fibre de Villeurbanne est en panne, les techniciens sont dessus. — Camille",
        "Point à 18 h ici même, et 4G illimitée offerte en attendant, par MP. — Camille",
    ],
    "en": [
        "Hi Julie, truly sorry: we're checking and will DM you. - Camille",
        "A fibre node is down in Villeurbanne; engineers are on it. - Camille",
        "Update here at 6pm, and unlimited 4G meanwhile, by DM. - Camille",
    ],
}


@pytest.mark.slow
@pytest.mark.parametrize("rate", [0.3, 1.0])
def test_sessions_go_on_through_server_faults(
    stub: OpenAIStub, tmp_path: Path, rate: float
) -> None:
    stub.state.default = Behaviour(text="Bon, j'attends de voir la suite.")
    stub.state.faults = FaultPlan(rate=rate, slow_s=TIMEOUT_S * 2.5, seed=11)
    settings = load_settings(provider="openai", timeout_s=TIMEOUT_S, max_retries=RETRIES)
    voice = make_voice("openai", settings)
    store = SqlStore.at_path(tmp_path / "faults.db")
    grader = RuleBasedAssessor()
    posts = 0
    for lang in ("fr", "en"):
        session_id = start_session(store, get_scenario("angry-customer"), lang, 3, grader, voice)
        for turn, reply in enumerate(REPLIES[lang], start=1):
            if store.get(session_id).summary.ended:
                break
            started = time.monotonic()
            play_turn(store, session_id, turn, reply, grader, voice, delay_s=20)
            elapsed = time.monotonic() - started
            state = store.get(session_id).state
            voiced = [
                e
                for e in state.events
                if e.turn == turn and e.source in ("voice", "script", "inject")
            ]
            posts += len(voiced)
            assert voiced and all(e.text.strip() for e in voiced)
            # Each post has a deadline of TIMEOUT_S, retries included; the rest is the engine.
            assert elapsed <= len(voiced) * (TIMEOUT_S + 0.5) + 2.0, (turn, elapsed)
        stored = store.get(session_id)
        sent = REPLIES[lang][: len(stored.turns)]
        assert [t.reply for t in stored.turns] == sent
        assert all(t.record is not None for t in stored.turns) and stored.pending is None
    assert posts and len(stub.state.requests) <= posts * (RETRIES + 1)
    injected = stub.state.faults.injected
    assert sum(injected.values()) >= (posts if rate == 1.0 else 3)
    if rate == 1.0:
        assert set(injected) == {"429", "500", "slow", "garbage"}
