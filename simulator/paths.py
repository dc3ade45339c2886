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


def scenarios_dir() -> Path:
    return Path(os.environ.get("CM_SIM_SCENARIOS_DIR", REPO_ROOT / "scenarios"))


def knowledge_dir() -> Path:
    return Path(os.environ.get("CM_SIM_KNOWLEDGE_DIR", REPO_ROOT / "knowledge_base"))


def default_data_dir() -> Path:
    return REPO_ROOT / "data"
