"""What every `cm-sim` command prints: JSON on stdout, errors on stderr with an exit code."""

from __future__ import annotations

import json
from typing import Any

import typer


def emit(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


def fail(message: str, code: int = 1) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(code)
