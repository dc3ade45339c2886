"""One shape for every authoring problem, so the CLI, the app and tests print the same line."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    """A located problem: `FILE:LINE: field.path: message`."""

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        field = self.field or "(document)"
        return f"{self.file}:{self.line}: {field}: {self.message}"


def display_path(path: Path) -> str:
    """Relative to the working directory when possible: shorter messages, same meaning."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
