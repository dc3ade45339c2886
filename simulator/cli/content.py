"""`cm-sim validate`, `schema`, `validate-kb`: authored content, checked with located messages."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from simulator.cli.root import app


@app.command()
def validate(
    paths: Annotated[list[Path], typer.Argument(help="Scenario files or directories.")],
) -> None:
    """Check scenarios; print `FILE:LINE: field.path: message` per problem, exit 1 on any."""
    from simulator.content import practice_ids, scenario_files, validate_paths

    problems = validate_paths(paths, practice_ids())
    for problem in problems:
        typer.echo(str(problem))
    count = len(scenario_files(paths))
    if problems:
        typer.echo(f"{len(problems)} problem(s) in {count} file(s)", err=True)
        raise typer.Exit(1)
    typer.echo(f"{count} scenario(s) valid", err=True)


@app.command()
def schema(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file.")
    ] = None,
) -> None:
    """Print the JSON Schema of the scenario format (for editors)."""
    from simulator.content import json_schema

    text = json.dumps(json_schema(), ensure_ascii=False, indent=2) + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {output}", err=True)


@app.command("validate-kb")
def validate_kb() -> None:
    """Check every practice card and article; `FILE:LINE: field.path: message` per problem."""
    from simulator.errors import ContentError
    from simulator.factory import load_knowledge_content

    try:
        content = load_knowledge_content()
    except ContentError as exc:
        for problem in exc.problems:
            typer.echo(str(problem))
        typer.echo(f"{len(exc.problems)} problem(s)", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"{len(content.cards)} card(s), {len(content.articles)} article(s) valid", err=True)
