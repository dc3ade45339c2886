"""What every page shares: the language in session state, cached engine parts, safe text."""

from __future__ import annotations

from typing import cast

import streamlit as st

from simulator.factory import make_grader, make_voice
from simulator.protocols import CommunityVoice, Grader
from simulator.scenario import LANGS, Lang
from simulator.textsafe import escape_markdown

LANG_KEY = "lang"


def current_lang() -> Lang:
    value = st.session_state.get(LANG_KEY, "fr")
    return cast(Lang, value if value in LANGS else "fr")


def language_switch() -> None:
    st.session_state.setdefault(LANG_KEY, "fr")
    st.sidebar.radio(
        "Langue / Language",
        options=list(LANGS),
        format_func=lambda code: {"fr": "Français", "en": "English"}[code],
        key=LANG_KEY,
        horizontal=True,
    )


@st.cache_resource
def grader() -> Grader:
    return make_grader()


@st.cache_resource
def voice(provider: str = "fake") -> CommunityVoice:
    return make_voice(provider)


def safe_text(text: str) -> None:
    """Show user or LLM text as plain text (escaped Markdown, no HTML)."""
    st.markdown(escape_markdown(text))
