"""What every page shares: the language in session state, cached engine parts, safe text."""

from __future__ import annotations

import os
from typing import cast

import streamlit as st

from simulator.cards import KnowledgeContent
from simulator.config import ConfigError, load_settings
from simulator.factory import load_knowledge_content, make_grader, make_knowledge_base, make_voice
from simulator.i18n import t
from simulator.knowledge import ChromaKnowledgeBase
from simulator.llm import LLMError
from simulator.local_models import ModelNotInstalled
from simulator.problems import ContentError
from simulator.protocols import CommunityVoice, Grader
from simulator.scenario import LANGS, Lang
from simulator.session import SessionState
from simulator.textsafe import escape_markdown

LANG_KEY = "lang"


def current_lang() -> Lang:
    value = st.session_state.get(LANG_KEY, "fr")
    return cast(Lang, value if value in LANGS else "fr")


SWITCH_KEY = "lang_switch"


def _switched() -> None:
    st.session_state[LANG_KEY] = st.session_state[SWITCH_KEY]


def language_switch() -> None:
    """The sidebar switch. The language itself lives under a plain key, not the widget's:
    Streamlit drops a widget's state when a page that does not draw it runs."""
    st.session_state.setdefault(LANG_KEY, "fr")
    # Another page (Settings) may have changed the language: show it.
    st.session_state[SWITCH_KEY] = current_lang()
    st.sidebar.radio(
        "Langue / Language",
        options=list(LANGS),
        format_func=lambda code: {"fr": "Français", "en": "English"}[code],
        key=SWITCH_KEY,
        horizontal=True,
        on_change=_switched,
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
def _voice(provider: str | None, model: str | None) -> CommunityVoice:
    settings = load_settings(provider=provider, model=model or None)
    return make_voice(settings.provider, settings)


PROVIDER_KEY = "provider"
MODEL_KEY = "model"


def voice() -> CommunityVoice:
    """The community voice chosen in Settings, else the configured one (shared, read-only);
    the scripted one if it cannot load."""
    provider = st.session_state.get(PROVIDER_KEY)
    model = st.session_state.get(MODEL_KEY) or None
    try:
        return _voice(provider, model)
    except (ConfigError, ModelNotInstalled, LLMError) as exc:
        st.warning(t(current_lang(), "app.voice_fallback", reason=str(exc)))
        return _voice("fake", None)


HISTORY_KEY = "history"


def remember_finished(state: SessionState, score: float, revise: list[str]) -> None:
    """Keep a finished session for the Progress page (once per session)."""
    history: list[dict[str, object]] = st.session_state.setdefault(HISTORY_KEY, [])
    key = f"{state.scenario_id}:{state.lang}:{state.seed}"
    if any(item["key"] == key for item in history):
        return
    history.append(
        {
            "key": key,
            "scenario": state.scenario_id,
            "lang": state.lang,
            "score": score,
            "turns": state.turn,
            "revise": revise,
        }
    )


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


@st.cache_resource(show_spinner=False)
def knowledge_content() -> KnowledgeContent:
    """The cards and articles (shared, read-only): what debrief and progress pages cite."""
    return load_knowledge_content()
