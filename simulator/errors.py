"""Every refusal the package makes derives from `SimulatorError`: the edges (the CLI, the
pages) catch it once and show its message. Subclasses exist where a caller needs to tell
them apart; each also derives from the built-in error it stands for (a lookup, a value...),
so code written against those keeps working."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simulator.content import Problem


class SimulatorError(Exception):
    """A refusal with a message meant for the person who caused it."""


class ContentError(SimulatorError):
    """A content file (scenario, card, article, dev set) has one or more located problems."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.file, p.line, p.field))
        super().__init__("\n".join(str(p) for p in self.problems))


class ConfigError(SimulatorError, ValueError):
    """A setting (environment, TOML file, command-line option) is not acceptable."""


class NotFound(SimulatorError, LookupError):
    """Something asked for by id does not exist (a scenario, a session, a campaign)."""


class InputError(SimulatorError, ValueError):
    """Input refused before anything changed (a reply too long, a bad batch line...)."""


class StoreError(SimulatorError, RuntimeError):
    """The database cannot be opened or used; the message says which and why."""


class ProviderError(SimulatorError, RuntimeError):
    """A model provider or a local model cannot be used."""


class Forbidden(SimulatorError, PermissionError):
    """Someone reached what is not theirs (another participant's session, another cohort)."""
