"""What every page shares: the language in session state, cached engine parts, safe text."""

from __future__ import annotations

import os
from typing import cast

import streamlit as st

from simulator.config import ConfigError
from simulator.factory import make_grader, make_knowledge_base, make_voice
from simulator.i18n import t
from simulator.knowledge import ChromaKnowledgeBase
from simulator.llm import LLMError
from simulator.local_models import ModelNotInstalled
from simulator.problems import ContentError
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


SECRET_KEYS = ("CM_SIM_API_KEY", "OPENAI_API_KEY")


def load_secrets() -> None:
    """API keys from `.streamlit/secrets.toml` (git-ignored) when the environment has none."""
    for key in SECRET_KEYS:
        if os.environ.get(key):
            continue
        try:
            value = st.secrets.get(key)
        except Exception:  # no secrets file at all: nothing to load
            return
        if value:
            os.environ[key] = str(value)


@st.cache_resource(show_spinner=False)
def _grader() -> Grader:
    # Citations come from the same knowledge base as the Knowledge page; without an index
    # yet the grader cites the rubric's cards only.
    return make_grader(retriever=_knowledge_base())


def grader() -> Grader:
    """The configured grader (shared, read-only); loading it takes a few seconds, once."""
    with st.spinner(t(current_lang(), "app.loading_grader")):
        return _grader()


@st.cache_resource
def _voice(provider: str | None) -> CommunityVoice:
    return make_voice(provider)


def voice() -> CommunityVoice:
    """The configured community voice (shared, read-only); the scripted one if it cannot load."""
    try:
        return _voice(None)
    except (ConfigError, ModelNotInstalled, LLMError) as exc:
        st.warning(t(current_lang(), "app.voice_fallback", reason=str(exc)))
        return _voice("fake")


def safe_text(text: str) -> None:
    """Show user or LLM text as plain text (escaped Markdown, no HTML)."""
    st.markdown(escape_markdown(text))


@st.cache_resource(show_spinner=False)
def _knowledge_base() -> ChromaKnowledgeBase:
    return make_knowledge_base()


def knowledge_base() -> ChromaKnowledgeBase | None:
    """The shared knowledge base, its index brought up to date with a progress bar."""
    lang = current_lang()
    try:
        kb = _knowledge_base()
    except ContentError as exc:
        st.error(t(lang, "app.kb_unavailable", reason=str(exc)))
        return None
    if not st.session_state.get("kb_checked"):
        bar = st.progress(0.0)

        def progress(done: int, total: int) -> None:
            if total:
                bar.progress(done / total, text=t(lang, "app.kb_building", done=done, total=total))

        kb.build(progress)
        bar.empty()
        st.session_state["kb_checked"] = True
    return kb
