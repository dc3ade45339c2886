"""Where things live: the repository's content folders (overridable by environment) and the
data shipped inside the package (eval sets, fitted grader models, text catalogues)."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE.parent
# Shipped with the package, never swapped by configuration: what the grader was fitted on
# and with, and the dev sets the evals measure.
EVALSETS = PACKAGE / "evals" / "sets"
FITTED = PACKAGE / "grading" / "fitted"
# The learned card ranking of hybrid search (`cm-sim eval retrieval --fit`).
CARD_RANKER = PACKAGE / "knowledge" / "fitted" / "card-ranker.json"
LOCALES = PACKAGE / "content" / "locales"
MIGRATIONS = PACKAGE / "store" / "migrations"


def shipped_scenarios_dir() -> Path:
    """The scenarios the package ships: what the dev sets, the fitted grader and the
    benchmarks are about, whatever folders the configuration adds or swaps in."""
    return REPO_ROOT / "scenarios"


def scenarios_dir() -> Path:
    """The first scenario folder: the shipped one, unless `CM_SIM_SCENARIOS_DIR` replaces it
    (kept for compatibility; `CM_SIM_SCENARIO_PATH` adds folders instead)."""
    return Path(os.environ.get("CM_SIM_SCENARIOS_DIR", shipped_scenarios_dir()))


def extra_scenario_dirs() -> list[Path]:
    """The folders `CM_SIM_SCENARIO_PATH` adds after the first one (os.pathsep between)."""
    raw = os.environ.get("CM_SIM_SCENARIO_PATH", "")
    return [Path(part) for part in raw.split(os.pathsep) if part.strip()]


def scenario_dirs() -> list[Path]:
    """Every scenario folder, in the order an id is looked up (a folder named twice counts
    once)."""
    folders: list[Path] = []
    seen: set[Path] = set()
    for folder in [scenarios_dir(), *extra_scenario_dirs()]:
        key = folder.resolve()
        if key not in seen:
            seen.add(key)
            folders.append(folder)
    return folders


def knowledge_dir() -> Path:
    return Path(os.environ.get("CM_SIM_KNOWLEDGE_DIR", REPO_ROOT / "knowledge_base"))


def default_data_dir() -> Path:
    return REPO_ROOT / "data"
