"""Many sessions at once through the engine and the store, as a class or a hiring campaign
would play them: each in its own thread, all sharing one grader, one voice and one database.

Used by the load test (no cross-talk, no lost turn) and by `cm-sim bench` (the figures).
"""

from __future__ import annotations

import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from simulator.content import Frozen, Lang, shipped_scenario
from simulator.protocols import CommunityVoice, Grader, Store
from simulator.store import play_turn, start_session

SCENARIOS = ("angry-customer", "viral-crisis", "identity-choice")


class SessionRun(Frozen):
    session_id: str
    sent: list[str]
    turn_s: list[float]


class LoadReport(Frozen):
    sessions: int
    turns: int
    wall_s: float
    turns_per_s: float
    turn_p50_s: float
    turn_p95_s: float
    runs: list[SessionRun]


def _reply(index: int, turn: int, lang: Lang) -> str:
    """A reply that names its session and turn, so any cross-talk shows in the store."""
    if lang == "fr":
        return f"Bonjour, désolés pour la gêne : on regarde et on écrit en MP. [s{index} t{turn}]"
    return f"Hi, sorry for the trouble: we're checking and will DM you. [s{index} t{turn}]"


def _play_one(
    store: Store, index: int, turns: int, grader: Grader, voice: CommunityVoice
) -> SessionRun:
    lang: Lang = "fr" if index % 2 == 0 else "en"
    scenario = shipped_scenario(SCENARIOS[index % len(SCENARIOS)])
    session_id = start_session(store, scenario, lang, index, grader, voice)
    sent, timings = [], []
    decision = scenario.decision
    for turn in range(1, turns + 1):
        if store.get(session_id).summary.ended:
            break
        choice = decision.options[0].id if decision and decision.at_turn == turn else None
        text = _reply(index, turn, lang)
        started = time.perf_counter()
        play_turn(store, session_id, turn, text, grader, voice, delay_s=20, choice=choice)
        timings.append(time.perf_counter() - started)
        sent.append(text)
    return SessionRun(session_id=session_id, sent=sent, turn_s=timings)


def run_concurrent(
    store: Store, sessions: int, turns: int, grader: Grader, voice: CommunityVoice
) -> LoadReport:
    """Start `sessions` sessions together (a barrier) and play up to `turns` turns each."""
    barrier = threading.Barrier(sessions)

    def worker(index: int) -> SessionRun:
        barrier.wait()
        return _play_one(store, index, turns, grader, voice)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=sessions) as pool:
        runs = list(pool.map(worker, range(sessions)))
    wall = time.perf_counter() - started
    timings = sorted(t for run in runs for t in run.turn_s)
    p95 = timings[min(len(timings) - 1, int(0.95 * len(timings)))] if timings else 0.0
    return LoadReport(
        sessions=sessions,
        turns=len(timings),
        wall_s=round(wall, 3),
        turns_per_s=round(len(timings) / wall, 2) if wall else 0.0,
        turn_p50_s=round(statistics.median(timings), 4) if timings else 0.0,
        turn_p95_s=round(p95, 4),
        runs=runs,
    )
