"""Twenty sessions at once through the engine and the store (fake community voice, the
default grader, one SQLite database): no cross-talk, no lost turn."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.bench import run_concurrent
from simulator.factory import make_grader, make_voice
from simulator.store import SqlStore


@pytest.mark.slow
def test_twenty_concurrent_sessions_keep_every_turn_apart(tmp_path: Path) -> None:
    store = SqlStore.at_path(tmp_path / "load.db")
    report = run_concurrent(
        store, sessions=20, turns=3, grader=make_grader(), voice=make_voice("fake")
    )
    assert report.sessions == 20 and len({run.session_id for run in report.runs}) == 20
    assert report.turns == sum(len(run.sent) for run in report.runs) >= 40 * 0.9
    for index, run in enumerate(report.runs):
        stored = store.get(run.session_id)
        assert [t.reply for t in stored.turns] == run.sent
        assert all(f"[s{index} t" in t.reply for t in stored.turns)
        assert stored.state.seed == index and stored.pending is None
        assert len(run.sent) == 3 or stored.summary.ended  # played until the end or 3 turns
        assert [r.reply for r in stored.state.turns] == run.sent
        trainee = [e.text for e in stored.state.events if e.author == "trainee"]
        assert trainee == run.sent
    assert len(store.list()) == 20
