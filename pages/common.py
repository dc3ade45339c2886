"""What every page shares: the language in session state, cached engine parts, safe text."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import cast

import streamlit as st
from streamlit import config as st_config

from simulator.accounts import Participant, create_learner, participant_by_token
from simulator.cards import KnowledgeContent
from simulator.config import ConfigError, load_settings
from simulator.factory import (
    load_knowledge_content,
    make_grader,
    make_knowledge_base,
    make_voice,
)
from simulator.i18n import t
from simulator.knowledge import ChromaKnowledgeBase
from simulator.llm import LLMError
from simulator.local_models import ModelNotInstalled
from simulator.problems import ContentError
from simulator.protocols import CommunityVoice, Grader
from simulator.scenario import LANGS, Lang
from simulator.store import SqlStore
from simulator.textsafe import escape_markdown


def _under_app_test() -> bool:
    return bool(st_config.get_option("global.appTest"))


APP_SCRIPT = str(Path(__file__).resolve().parents[1] / "app.py")
_LEFT_OLD_MODE = "left_pages_directory_mode"


def _through_app() -> bool:
    """Whether this page runs inside app.py's navigation (app.py is on the call stack)."""
    frame = sys._getframe(1)
    while frame is not None:
        if os.path.abspath(frame.f_code.co_filename) == APP_SCRIPT:
            return True
        frame = frame.f_back  # type: ignore[assignment]
    return False


def _leave_pages_directory_mode() -> None:
    """Streamlit serves a fresh process's first requests the old way while a `pages/`
    folder sits beside app.py, until something calls `st.navigation` (app.py does). The
    old way runs a deep link (say /practice?s=... right after a restart) as that
    page alone, without app.py, its navigation or the URL restore. A page run that way
    ends the mode and reruns through app.py. The check looks at this run itself, not at
    Streamlit's process-wide flag: two sessions starting together (a reconnecting tab and
    a reload) may both have started the old way before either ended it."""
    from streamlit.runtime.pages_manager import PagesManager

    # Not under AppTest: it runs a switched-to page on its own by design, and a rerun there
    # would drop the very click under test.
    if _under_app_test() or _through_app():
        return
    PagesManager.uses_pages_directory = False
    # Once per browser session at most: whatever happens, never a rerun loop.
    if not st.session_state.get(_LEFT_OLD_MODE):
        st.session_state[_LEFT_OLD_MODE] = True
        st.rerun()


LANG_KEY = "lang"


def current_lang() -> Lang:
    # Every page asks for the language first: the place to catch a page run without app.py.
    _leave_pages_directory_mode()
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


@st.cache_resource(show_spinner=False)
def _store(url: str, data_dir: str) -> SqlStore:
    return SqlStore.open(url, Path(data_dir))


def store() -> SqlStore:
    """The shared store (one engine per database URL, migrated once)."""
    settings = load_settings()
    return _store(settings.store_url, str(settings.data_dir))


# Who is playing: a participant token, kept in the session state and in the URL (`me`),
# with the current session (`s`) and language, so a reload or a server restart resumes.
TOKEN_KEY = "participant_token"
SESSION_KEY = "session_id"
URL_TOKEN, URL_SESSION, URL_LANG = "me", "s", "lang"


def restore_from_url() -> None:
    """A fresh browser session (a reload, a restarted server) picks up where the URL says."""
    params = st.query_params
    if TOKEN_KEY not in st.session_state and params.get(URL_TOKEN):
        st.session_state[TOKEN_KEY] = params[URL_TOKEN]
    if SESSION_KEY not in st.session_state and params.get(URL_SESSION):
        st.session_state[SESSION_KEY] = params[URL_SESSION]
    if LANG_KEY not in st.session_state and params.get(URL_LANG) in LANGS:
        st.session_state[LANG_KEY] = params[URL_LANG]


def keep_in_url() -> None:
    """Write the resumable state back into the URL (page switches clear query params)."""
    wanted = {
        URL_TOKEN: st.session_state.get(TOKEN_KEY),
        URL_SESSION: st.session_state.get(SESSION_KEY),
        URL_LANG: st.session_state.get(LANG_KEY),
    }
    for key, value in wanted.items():
        if value and st.query_params.get(key) != value:
            st.query_params[key] = value
        elif not value and key in st.query_params:
            del st.query_params[key]


def participant() -> Participant | None:
    """The participant whose token this browser holds; None for a newcomer. An unknown
    token (a mistyped link, another database) is dropped, with the session it named."""
    token = st.session_state.get(TOKEN_KEY)
    if not token:
        return None
    found = participant_by_token(store(), str(token))
    if found is None:
        st.session_state.pop(TOKEN_KEY, None)
        st.session_state.pop(SESSION_KEY, None)
    return found


def learner() -> Participant:
    """The current participant, made a self-learner on their first session."""
    found = participant()
    if found is not None:
        return found
    made, token = create_learner(store())
    st.session_state[TOKEN_KEY] = token
    return made


def refuse_during_assessment(who: Participant | None, message_key: str) -> None:
    """Pages a candidate must not see (scores, model answers, history) stop here."""
    if who is not None and who.is_candidate:
        st.info(t(current_lang(), message_key))
        st.stop()


def adopt(token: str) -> None:
    """Become the participant this token names (a candidate who just joined)."""
    st.session_state[TOKEN_KEY] = token
    st.session_state.pop(SESSION_KEY, None)
