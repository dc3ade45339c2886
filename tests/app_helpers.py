"""What AppTest tests read back: the session the page stored, from the store itself."""

from __future__ import annotations

from typing import Any

from streamlit.testing.v1 import AppTest

from simulator.factory import make_store


def stored_state(at: AppTest) -> dict[str, Any]:
    """The engine state of the page's current session, as saved in the database."""
    store = make_store()
    try:
        return store.get(str(at.session_state["session_id"])).state.model_dump()
    finally:
        store.dispose()
