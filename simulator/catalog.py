"""Where the shipped scenarios live, and loading them by id."""

from __future__ import annotations

import os
import sys
import time
import urllib.request
from functools import lru_cache
from pathlib import Path

from simulator.problems import ContentError, Problem
from simulator.scenario import Scenario, load_scenario
from simulator.yaml_safe import read_yaml

REPO_ROOT = Path(__file__).resolve().parent.parent


def scenarios_dir() -> Path:
    return Path(os.environ.get("CM_SIM_SCENARIOS_DIR", REPO_ROOT / "scenarios"))


def streamlit_command(port: int, address: str = "127.0.0.1", headless: bool = True) -> list[str]:
    """How the app is started: by `cm-sim run`, the benchmarks and the browser tests alike."""
    return [
        sys.executable, "-m", "streamlit", "run", str(REPO_ROOT / "app.py"),
        "--server.port", str(port), "--server.address", address,
        "--server.headless", str(headless).lower(), "--browser.gatherUsageStats", "false",
    ]  # fmt: skip


def wait_until_up(url: str, timeout: float = 120, pause: float = 0.2) -> bool:
    """Poll `url` until it answers 200 or the timeout passes; True when it answered."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return True
        except OSError:
            time.sleep(pause)
    return False


def knowledge_dir() -> Path:
    return Path(os.environ.get("CM_SIM_KNOWLEDGE_DIR", REPO_ROOT / "knowledge_base"))


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


class UnknownScenario(LookupError):
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
