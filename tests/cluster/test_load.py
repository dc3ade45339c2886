"""The load run through the balancer reports two replicas beside one, and every session
of it ends with exactly its own replies in the shared store."""

from __future__ import annotations

from simulator.bench import Cluster, measure_cluster
from simulator.store import SqlStore


def test_the_load_run_measures_two_replicas_beside_one(cluster: Cluster) -> None:
    said: list[str] = []
    results = measure_cluster(cluster, sessions=8, turns=2, timeout_s=300, say=said.append)

    one, two = results["replicas_1"], results["replicas_2"]
    for figures in (one, two):
        assert figures["errors"] == 0, figures["first_errors"]
        assert figures["turns"] == 16
        assert 0 < figures["turn_p50_s"] <= figures["turn_p95_s"]
        assert figures["turns_per_s"] > 0
    assert results["scaling"] == round(two["turns_per_s"] / one["turns_per_s"], 2)
    assert any("1 replica" in line for line in said) and any("2 replica" in line for line in said)

    # No cross-talk and nothing lost: each reply names its session and sits in that one only.
    store = SqlStore.open(cluster.database_url)
    try:
        loaded = [store.get(s.id) for s in store.list() if s.turn]
    finally:
        store.dispose()
    runs = [s for s in loaded if any("[" in t.reply for t in s.turns)]
    assert len(runs) >= 16  # two runs of 8 sessions (and one warm-up session per replica)
    for session in runs:
        tags = [t.reply[t.reply.rindex("[") :] for t in session.turns]
        assert tags == [f"[{session.id} t{n}]" for n in range(1, len(tags) + 1)]
        assert all(t.record is not None for t in session.turns)
