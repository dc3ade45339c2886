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


class ContentError(Exception):
    """Raised when a content file (scenario, card) has one or more problems."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.file, p.line, p.field))
        super().__init__("\n".join(str(p) for p in self.problems))


def display_path(path: Path) -> str:
    """Relative to the working directory when possible: shorter messages, same meaning."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
