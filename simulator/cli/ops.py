"""`cm-sim bench` and `cm-sim doctor`: how fast this machine runs it, and what answers."""

from __future__ import annotations

from typing import Annotated

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
) -> None:
    """Measure the engine on this machine: medians with their spread."""
    from simulator.bench import run_all

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


@app.command()
def doctor(
    provider: Annotated[
        ProviderOpt | None, typer.Option("--provider", help="Check this provider.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Which provider and model are active, and whether they answer."""
    from simulator.llm import diagnose

    report = diagnose(provider.value if provider else None)
    if as_json:
        emit(report)
    else:
        for key, value in report.items():
            typer.echo(f"{key:>14}: {value}")
    if not report["answers"]:
        raise typer.Exit(1)
