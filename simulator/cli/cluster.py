"""`cm-sim cluster up`: the whole deployment on this machine (what `make cluster` runs)."""

from __future__ import annotations

import signal
import time
from pathlib import Path
from types import FrameType
from typing import Annotated, Literal

import typer

from simulator.cli.root import app, sub_app

cluster_app = sub_app("Run a deployment on this machine: replicas behind HAProxy, and the servers.")
app.add_typer(cluster_app, name="cluster")


def _interrupt(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt


@cluster_app.command("up")
def up(
    replicas: Annotated[int, typer.Option("--replicas", min=1, max=16)] = 2,
    port: Annotated[int, typer.Option("--port", help="The load balancer's port.")] = 8600,
    model: Annotated[
        str, typer.Option("--model", help="llama (llama.cpp server) or fake (no model).")
    ] = "llama",
    folder: Annotated[
        Path | None,
        typer.Option("--dir", help="Where the servers keep their data (default: data/cluster)."),
    ] = None,
) -> None:
    """Start PostgreSQL, Chroma, the model server, the replicas and HAProxy on loopback;
    print the URL; stop them all on Ctrl-C. The data stays in --dir for the next run."""
    from simulator.bench import Cluster, ClusterSpec
    from simulator.config import load_settings

    if model not in ("llama", "fake"):
        raise typer.BadParameter("--model: llama or fake", param_hint="--model")
    choice: Literal["llama", "fake"] = "llama" if model == "llama" else "fake"
    root = folder or load_settings().data_dir / "cluster"
    spec = ClusterSpec(root=root, replicas=replicas, port=port, model=choice)
    cluster = Cluster(spec, say=lambda line: typer.echo(f"cluster: {line}", err=True))
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        cluster.start()
        typer.echo(f"CM Simulator on {cluster.url} ({replicas} replicas); Ctrl-C stops it all")
        while True:
            time.sleep(2)
            for service in cluster.services.values():
                if service.proc is not None and not service.alive:
                    typer.echo(f"cluster: {service.name} stopped; see {service.log}", err=True)
                    service.proc = None
    except KeyboardInterrupt:
        typer.echo("cluster: stopping", err=True)
    finally:
        cluster.stop()
        typer.echo("cluster: stopped", err=True)
