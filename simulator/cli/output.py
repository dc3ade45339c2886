"""What every `cm-sim` command shares: JSON on stdout, errors on stderr with an exit code,
the option types, and one progress bar."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import Any, NoReturn

import typer


class LangOpt(StrEnum):
    fr = "fr"
    en = "en"


class ProviderOpt(StrEnum):
    local = "local"
    openai = "openai"
    ollama = "ollama"
    fake = "fake"


def emit(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


def fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(code)


@contextmanager
def progress_bar(
    desc: str, unit: str = "doc", quiet: bool = False, leave: bool = True
) -> Iterator[Callable[[int, int], None]]:
    """A tqdm bar on stderr, driven by `progress(done, total)` callbacks (index builds)."""
    from tqdm import tqdm

    with tqdm(total=0, unit=unit, desc=desc, disable=quiet, file=sys.stderr, leave=leave) as bar:

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.n = done
            bar.refresh()

        yield progress
