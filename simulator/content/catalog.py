"""Where the shipped scenarios live, and loading them by id."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from simulator.content.problems import Problem
from simulator.content.scenario import Scenario, load_scenario
from simulator.content.yaml_safe import read_yaml
from simulator.errors import ContentError, NotFound
from simulator.paths import knowledge_dir, scenarios_dir


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


def scenario_ids(directory: Path | None = None) -> list[str]:
    root = directory or scenarios_dir()
    return sorted(p.stem for p in root.glob("*.yaml"))


class UnknownScenario(NotFound):
    def __init__(self, scenario_id: str, known: list[str]) -> None:
        self.scenario_id = scenario_id
        self.known = known
        super().__init__(f"unknown scenario {scenario_id!r}; known: {', '.join(known) or 'none'}")


@lru_cache(maxsize=64)
def _load_cached(path: Path, mtime_ns: int) -> Scenario:
    return load_scenario(path, practice_ids())


def get_scenario(scenario_id: str, directory: Path | None = None) -> Scenario:
    """Load a scenario by id; cached per file version, so edits are picked up."""
    root = directory or scenarios_dir()
    path = root / f"{scenario_id}.yaml"
    if not path.is_file():
        raise UnknownScenario(scenario_id, scenario_ids(root))
    return _load_cached(path, path.stat().st_mtime_ns)


def all_scenarios(directory: Path | None = None) -> tuple[list[Scenario], list[Problem]]:
    """Every valid scenario, plus the problems of the invalid ones (they are skipped)."""
    valid: list[Scenario] = []
    problems: list[Problem] = []
    for scenario_id in scenario_ids(directory):
        try:
            valid.append(get_scenario(scenario_id, directory))
        except ContentError as exc:
            problems.extend(exc.problems)
    return valid, problems
