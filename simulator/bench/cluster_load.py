"""`cm-sim bench --cluster`: the same load through the load balancer in front of one
replica, then two, so that what a second replica brings is measured, not assumed.

Everything runs on loopback and stops by itself: a cluster of its own (PostgreSQL,
Chroma, two replicas, HAProxy) on the fake community voice (the app's own cost) or on
llama.cpp's server (the model's), headless sessions that speak Streamlit's own protocol,
a deadline per run.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any, Literal

from simulator.bench.cluster import Cluster, ClusterSpec, Say
from simulator.bench.web_load import WebLoadReport, make_links, run_web_load
from simulator.store import SqlStore


def _figures(report: WebLoadReport) -> dict[str, Any]:
    return report.model_dump(exclude={"runs"})


def _warm(cluster: Cluster, store: SqlStore) -> None:
    """One turn on each replica first: the grader loads once per replica, on first use,
    and that start-up is not what the load run measures."""
    for port in cluster.replica_ports:
        direct = f"http://127.0.0.1:{port}"
        run_web_load(direct, make_links(store, direct, 1, lang_mix=False), 1, timeout_s=180)


def measure_cluster(
    cluster: Cluster, sessions: int, turns: int, timeout_s: float, say: Say
) -> dict[str, Any]:
    """The load run on a running cluster, through its balancer: one replica, then all."""
    store = SqlStore.open(cluster.database_url)
    try:
        say("warming each replica up (one turn each)")
        _warm(cluster, store)
        results: dict[str, Any] = {}
        for count in sorted({1, len(cluster.replicas)}):
            cluster.balance_over(count)
            say(f"{sessions} sessions x {turns} turns through the balancer, {count} replica(s)")
            links = make_links(store, cluster.url, sessions)
            results[f"replicas_{count}"] = _figures(
                run_web_load(cluster.url, links, turns, timeout_s)
            )
        cluster.balance_over(len(cluster.replicas))
    finally:
        store.dispose()
    one, many = results["replicas_1"], results.get(f"replicas_{len(cluster.replicas)}")
    if many is not None and one["turns_per_s"]:
        results["scaling"] = round(many["turns_per_s"] / one["turns_per_s"], 2)
    return results


def run_cluster_bench(
    sessions: int = 50,
    turns: int = 3,
    replicas: int = 2,
    timeout_s: float = 600,
    model: Literal["fake", "llama"] = "fake",
    root: Path | None = None,
    say: Say | None = None,
) -> dict[str, Any]:
    """Start a cluster of its own (the fake voice, or llama.cpp's server on the packaged
    model), measure, stop it and remove its data."""
    say = say or (lambda _line: None)
    folder = root or Path(tempfile.mkdtemp(prefix="cm-sim-bench-cluster-"))
    spec = ClusterSpec(root=folder, replicas=replicas, port=0, model=model)
    try:
        with Cluster(spec, say=say) as cluster:
            results = measure_cluster(cluster, sessions, turns, timeout_s, say)
    finally:
        if root is None:
            shutil.rmtree(folder, ignore_errors=True)
    return {"sessions": sessions, "turns": turns, "model": model, **results}
