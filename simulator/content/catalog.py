"""Where scenarios come from, and loading them by id.

Files first: the shipped folder (or the one `CM_SIM_SCENARIOS_DIR` swaps in), then each folder
of `CM_SIM_SCENARIO_PATH`; an id an earlier folder already has is not loaded again (and is
reported). Then the registered source: the scenarios trainers write in the app, kept in the
store. Content cannot import the store, so the store registers itself when it is opened
(`register_scenario_source`); the last store opened is the one asked.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from simulator.content.problems import Problem, display_path
from simulator.content.scenario import Scenario, load_scenario
from simulator.content.yaml_safe import read_yaml
from simulator.errors import ContentError, NotFound
from simulator.paths import knowledge_dir, scenario_dirs, shipped_scenarios_dir

_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_ID_LINE = re.compile(r"^id\s*:", re.MULTILINE)


def practice_ids(directory: Path | None = None) -> set[str] | None:
    """The practice ids scenarios may cite, or None when no registry is there to check."""
    registry = (directory or knowledge_dir()) / "practice-ids.yaml"
    if not registry.is_file():
        return None
    return set(_registry_ids(registry, registry.stat().st_mtime_ns))


@lru_cache(maxsize=8)
def _registry_ids(registry: Path, mtime_ns: int) -> frozenset[str]:
    """Parsed once per file version: scenarios are loaded on every page run."""
    doc = read_yaml(registry)
    if doc.problems or not isinstance(doc.data, dict):
        raise ContentError(doc.problems or [doc.problem((), "expected a mapping id: title")])
    return frozenset(str(key) for key in doc.data)


class ScenarioSource(Protocol):
    """Scenarios kept somewhere else than in files (the store's library), by id and version."""

    def load(self, scenario_id: str, version: int | None = None) -> Scenario | None:
        """That version of the scenario (None: the latest published one), or None."""
        ...


_source: ScenarioSource | None = None


def register_scenario_source(source: ScenarioSource | None) -> None:
    """Make `source` the one `get_scenario` asks after the files, replacing the previous one
    (None: no source). The store registers itself each time one is opened."""
    global _source
    _source = source


def scenario_source() -> ScenarioSource | None:
    return _source


def _folders(directory: Path | None) -> list[Path]:
    return [directory] if directory is not None else scenario_dirs()


def scenario_ids(directory: Path | None = None) -> list[str]:
    """The ids of the scenario files: of one folder, or of every folder (stored scenarios
    are not listed: they are offered through cohorts)."""
    return sorted({p.stem for folder in _folders(directory) for p in folder.glob("*.yaml")})


def scenario_path(scenario_id: str, directory: Path | None = None) -> Path | None:
    """The file that holds a scenario: the first folder that has it; None if no file does."""
    if not _SLUG.match(scenario_id):
        return None
    for folder in _folders(directory):
        path = folder / f"{scenario_id}.yaml"
        if path.is_file():
            return path
    return None


class UnknownScenario(NotFound):
    def __init__(
        self,
        scenario_id: str,
        known: list[str],
        version: int | None = None,
        message: str | None = None,
    ) -> None:
        self.scenario_id = scenario_id
        self.known = known
        self.version = version
        which = f"{scenario_id!r} version {version}" if version is not None else repr(scenario_id)
        super().__init__(
            message or f"unknown scenario {which}; known: {', '.join(known) or 'none'}"
        )


@lru_cache(maxsize=64)
def _load_cached(path: Path, mtime_ns: int) -> Scenario:
    return load_scenario(path, practice_ids())


def _load(path: Path) -> Scenario:
    return _load_cached(path, path.stat().st_mtime_ns)


def get_scenario(
    scenario_id: str, directory: Path | None = None, version: int | None = None
) -> Scenario:
    """A scenario by id: a file (cached per file version, so edits are picked up), else the
    registered source's (the latest published version, or `version` when asked: a file has
    no versions). With `directory`, only that folder's file."""
    if version is None or directory is not None:
        path = scenario_path(scenario_id, directory)
        if path is not None:
            return _load(path)
    source = _source
    if directory is None and source is not None and _SLUG.match(scenario_id):
        found = source.load(scenario_id, version)
        if found is not None:
            return found
    raise UnknownScenario(scenario_id, scenario_ids(directory), version)


def shipped_scenario(scenario_id: str) -> Scenario:
    """A scenario of the package's own folder whatever the configuration adds or swaps in:
    the dev sets, the fitted grader and the benchmarks are about these. Any other id (a
    programme's graded replies) is looked up the usual way."""
    path = scenario_path(scenario_id, shipped_scenarios_dir())
    return _load(path) if path is not None else get_scenario(scenario_id)


def _id_line(path: Path) -> int:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return 1
    found = _ID_LINE.search(text)
    return text.count("\n", 0, found.start()) + 1 if found else 1


def all_scenarios(directory: Path | None = None) -> tuple[list[Scenario], list[Problem]]:
    """Every valid scenario file, plus the problems of the others (they are skipped). A file
    whose id an earlier folder already has is not loaded: it is reported."""
    valid: list[Scenario] = []
    problems: list[Problem] = []
    taken: dict[str, Path] = {}
    folders = _folders(directory)
    for folder in folders:
        for path in sorted(folder.glob("*.yaml")):
            first = taken.get(path.stem)
            if first is not None:
                where = (
                    "a shipped scenario"
                    if first.parent == folders[0]
                    else f"a scenario of {display_path(first.parent)}"
                )
                problems.append(
                    Problem(
                        display_path(path),
                        _id_line(path),
                        "id",
                        f"{path.stem!r} is already {where} ({display_path(first)}); "
                        "this file is not loaded: give it its own id",
                    )
                )
                continue
            taken[path.stem] = path
            try:
                valid.append(_load(path))
            except ContentError as exc:
                problems.extend(exc.problems)
    return valid, problems
