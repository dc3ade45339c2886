"""`cm-sim bench` and `cm-sim doctor`: how fast this machine runs it, and what answers."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import typer

from simulator.cli.output import ProviderOpt, emit, fail
from simulator.cli.root import app


@app.command()
def bench(
    runs: Annotated[int, typer.Option("--runs", min=1, help="Repetitions per figure.")] = 5,
    provider: Annotated[ProviderOpt, typer.Option("--provider")] = ProviderOpt.local,
    sizes: Annotated[
        str, typer.Option("--sizes", help="Index sizes (chunks) for retrieval latency.")
    ] = "100,1000,10000",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    cluster: Annotated[
        bool,
        typer.Option(
            "--cluster",
            help="Load run through HAProxy (a cluster of its own on loopback): one replica, "
            "then two.",
        ),
    ] = False,
    sessions: Annotated[
        int, typer.Option("--sessions", min=1, max=500, help="--cluster: concurrent sessions.")
    ] = 50,
    turns: Annotated[
        int, typer.Option("--turns", min=1, max=5, help="--cluster: turns per session.")
    ] = 3,
    model: Annotated[
        str, typer.Option("--model", help="--cluster: fake (the app's cost) or llama.")
    ] = "fake",
) -> None:
    """Measure the engine on this machine: medians with their spread (--cluster: turns per
    second through the load balancer, one replica beside two)."""
    from simulator.bench import run_all, run_cluster_bench

    if cluster:
        say = lambda line: typer.echo(f"bench: {line}", err=True)  # noqa: E731
        if model not in ("fake", "llama"):
            fail(f"--model: fake or llama, not {model!r}")
        voice: Literal["fake", "llama"] = "llama" if model == "llama" else "fake"
        emit(run_cluster_bench(sessions=sessions, turns=turns, model=voice, say=say))
        return

    try:
        chunk_sizes = tuple(int(size) for size in sizes.split(",") if size.strip())
    except ValueError:
        fail(f"--sizes: expected numbers separated by commas, got {sizes!r}")
    result = run_all(
        runs,
        progress=lambda step: typer.echo(f"bench: {step}...", err=True),
        provider=provider.value,
        sizes=chunk_sizes,
    )
    if as_json:
        emit(result)
    else:
        for key, value in result.items():
            if key != "details":
                typer.echo(f"{key:>20}: {value}")


def _part_line(name: str, part: dict[str, Any]) -> str:
    """`      database: ok    sqlite:///... (0.004 s) schema at head (0007)`."""
    status = {True: "ok", False: "DOWN", None: "-"}[part["ok"]]
    said = part.get("error") or part.get("detail")
    words = [f"{name:>14}: {status:<5}", part.get("target"), f"({part['latency_s']} s)", said]
    return " ".join(word for word in words if word)


@app.command()
def doctor(
    provider: Annotated[
        ProviderOpt | None, typer.Option("--provider", help="Check this provider.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    no_answer: Annotated[
        bool,
        typer.Option("--no-answer", help="Skip the model's answer: reachability only (fast)."),
    ] = False,
) -> None:
    """Which provider and model are active, whether they answer, and which parts (database,
    index, model server, LRS) this machine reaches. Exit 1 when a configured part is down."""
    from simulator.bench import check_parts
    from simulator.config import load_settings
    from simulator.errors import ConfigError
    from simulator.llm import diagnose

    chosen = provider.value if provider else None
    report = diagnose(chosen, answer=not no_answer)
    try:
        parts = check_parts(load_settings(provider=chosen))
    except ConfigError:  # diagnose's report already says why
        parts = {}
    report["parts"] = parts
    if as_json:
        emit(report)
    else:
        for key, value in report.items():
            if key != "parts":
                typer.echo(f"{key:>14}: {value}")
        for name, part in parts.items():
            typer.echo(_part_line(name, part))
    down = not parts or any(part["ok"] is False for part in parts.values())
    if down or (not no_answer and not report["answers"]):
        raise typer.Exit(1)
