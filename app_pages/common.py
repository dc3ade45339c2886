"""What every page shares: the language in session state, cached engine parts, safe text."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import cast

import streamlit as st

from app_pages.textsafe import escape_markdown
from simulator.config import load_settings
from simulator.content import LANGS, Lang, t
from simulator.errors import ContentError, SimulatorError
from simulator.factory import (
    load_knowledge_content,
    make_grader,
    make_knowledge_base,
    make_store,
    make_voice,
)
from simulator.knowledge import Card, KnowledgeContent
from simulator.protocols import CommunityVoice, Grader, KnowledgeBase, Store
from simulator.store import (
    NotYourSession,
    Participant,
    Progress,
    StoredSession,
    UnknownSession,
    create_learner,
    participant_by_token,
    progress,
)

log = logging.getLogger(__name__)

LANG_KEY = "lang"


def current_lang() -> Lang:
    value = st.session_state.get(LANG_KEY, "fr")
    return cast(Lang, value if value in LANGS else "fr")


SWITCH_KEY = "lang_switch"
# Each language by its own name, whatever the page's language.
LANG_NAMES = {"fr": "Français", "en": "English"}


def _adopt_language(key: str) -> None:
    # A callback runs before the page, so every page drawn next shows the new language.
    st.session_state[LANG_KEY] = st.session_state[key]


def language_radio(label: str, key: str, sidebar: bool = False) -> None:
    """A language chooser. The language itself lives under a plain key, not the widget's:
    Streamlit drops a widget's state when a page that does not draw it runs."""
    st.session_state.setdefault(LANG_KEY, "fr")
    # Another chooser may have changed the language: show it.
    st.session_state[key] = current_lang()
    (st.sidebar if sidebar else st).radio(
        label,
        options=list(LANGS),
        format_func=LANG_NAMES.__getitem__,
        key=key,
        horizontal=True,
        on_change=_adopt_language,
        args=(key,),
    )


def language_switch() -> None:
    """The sidebar switch, on every page."""
    language_radio("Langue / Language", SWITCH_KEY, sidebar=True)


SECRET_KEYS = ("CM_SIM_API_KEY", "OPENAI_API_KEY")


def load_secrets() -> None:
    """API keys from `.streamlit/secrets.toml` (git-ignored) when the environment has none."""
    for key in SECRET_KEYS:
        if os.environ.get(key):
            continue
        try:
            value = st.secrets.get(key)
        except Exception:  # no secrets file at all: nothing to load
            log.debug("no Streamlit secrets file")
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
    except SimulatorError as exc:
        st.warning(t(current_lang(), "app.voice_fallback", reason=str(exc)))
        return _voice("fake", None)


def safe_text(text: str) -> None:
    """Show user or LLM text as plain text (escaped Markdown, no HTML)."""
    st.markdown(escape_markdown(text))


@st.cache_resource(show_spinner=False)
def _knowledge_base() -> KnowledgeBase:
    return make_knowledge_base()


def knowledge_base() -> KnowledgeBase | None:
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


def cards_by_id() -> dict[str, Card]:
    return {card.id: card for card in knowledge_content().cards}


@st.cache_resource(show_spinner=False)
def _store(url: str, data_dir: str) -> Store:
    settings = load_settings().model_copy(update={"database_url": url, "data_dir": Path(data_dir)})
    return make_store(settings)


def store() -> Store:
    """The shared store (one engine per database URL, migrated once)."""
    settings = load_settings()
    return _store(settings.store_url, str(settings.data_dir))


# Who is playing: a participant token, kept in the session state and in the URL (`me`),
# with the current session (`s`) and language, so a reload or a server restart resumes.
TOKEN_KEY = "participant_token"
SESSION_KEY = "session_id"
URL_TOKEN, URL_SESSION, URL_LANG = "me", "s", "lang"
URL_JOIN = "join"  # a cohort's join code, in the link a trainer hands out
SEEN_KEY = "server_session_seen"  # set on this server's first run of the page


def participant_link(token: str) -> str:
    """The address that brings this participant back to their own work."""
    base = (st.context.url or "").split("?")[0]
    return f"{base}?{URL_TOKEN}={token}"


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


def moved_here() -> bool:
    """True on the first run of a page that reconnected to a server which does not hold its
    Streamlit session: the replica it was on stopped (or the server restarted) and this one
    took over. Streamlit's page names its previous session when it reconnects (the third
    entry of the websocket's subprotocols); a page opened afresh names none. (The page does
    not always rerun by itself after reconnecting: this first run may be the trainee's
    next click.)"""
    offered = (st.context.headers.get("Sec-Websocket-Protocol") or "").split(",")
    previous = offered[2].strip() if len(offered) > 2 else ""
    seen = st.session_state.get(SEEN_KEY, False)
    st.session_state[SEEN_KEY] = True
    return bool(previous) and not seen


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


def own_session(session_id: str, who: Participant | None) -> StoredSession | None:
    """The session if it is this participant's own; a clear stop if it is someone else's;
    None (and forgotten) if it no longer exists."""
    try:
        return store().get(session_id, who.id if who else "")
    except NotYourSession:
        st.error(t(current_lang(), "store.not_yours"))
        st.stop()
    except UnknownSession:
        st.session_state.pop(SESSION_KEY, None)
    return None


def refuse_during_assessment(who: Participant | None, message_key: str) -> None:
    """Pages a candidate must not see (scores, model answers, history) stop here."""
    if who is not None and who.is_candidate:
        st.info(t(current_lang(), message_key))
        st.stop()


def adopt(token: str) -> None:
    """Become the participant this token names (a candidate who just joined)."""
    st.session_state[TOKEN_KEY] = token
    st.session_state.pop(SESSION_KEY, None)


@st.cache_data(show_spinner=False, max_entries=256)
def _progress(participant_id: str, versions: tuple[tuple[str, str], ...]) -> Progress:
    # Keyed by each session's last update: a new reply recomputes, a page redraw does not.
    sessions = [store().get(session_id, participant_id) for session_id, _ in versions]
    return progress(sessions, knowledge_content().cards)


def participant_progress(who: Participant | None = None) -> Progress:
    """The participant's progress over their stored sessions (empty for a newcomer)."""
    who = who if who is not None else participant()
    if who is None:
        return Progress(points=[], skills={}, revise=[])
    summaries = store().list(participant_id=who.id)
    return _progress(who.id, tuple((s.id, s.updated_at.isoformat()) for s in summaries))
