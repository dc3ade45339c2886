"""What AppTest tests read back: the session the page stored, from the store itself."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from streamlit.testing.v1 import AppTest

from simulator.factory import make_store

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def stored_state(at: AppTest) -> dict[str, Any]:
    """The engine state of the page's current session, as saved in the database."""
    store = make_store()
    try:
        return store.get(str(at.session_state["session_id"])).state.model_dump()
    finally:
        store.dispose()


def app(**params: str) -> AppTest:
    """The app in AppTest, opened with these URL parameters (a link someone followed)."""
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    return at
