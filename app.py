"""Streamlit entry point: navigation and the language switch. Pages live in app_pages/."""

from __future__ import annotations

import logging

import streamlit as st

from app_pages.common import (
    URL_JOIN,
    current_lang,
    keep_in_url,
    language_switch,
    load_secrets,
    participant,
    restore_from_url,
)
from simulator.content import t
from simulator.errors import SimulatorError
from simulator.store import configure_logging

# Each line names its session. What the product absorbs (a post that fell back, a provider
# or database retry) is logged at INFO by `simulator`: the server's log shows it, not every
# library's chatter.
configure_logging(logging.WARNING, product_level=logging.INFO)
st.set_page_config(page_title="CM Simulator", page_icon="💬", layout="wide")
load_secrets()
restore_from_url()
lang = current_lang()
who = participant()
practice = st.Page("app_pages/practice.py", title=t(lang, "app.nav_practice"), icon="💬")
assessment = st.Page("app_pages/assessment.py", title=t(lang, "app.nav_assessment"), icon="📝")
if who is not None and who.is_candidate:
    # During an assessment: the campaign and its scenarios, nothing else (no rubric, no
    # model answers, no knowledge base to look things up in).
    pages = [
        st.Page(
            "app_pages/assessment.py", title=t(lang, "app.nav_assessment"), icon="📝", default=True
        ),
        practice,
    ]
else:
    # A link that carries a cohort's join code opens on the join page.
    joining = bool(st.query_params.get(URL_JOIN))
    pages = [
        st.Page("app_pages/home.py", title=t(lang, "app.nav_home"), icon="🏠", default=not joining),
        practice,
        st.Page("app_pages/debrief.py", title=t(lang, "app.nav_debrief"), icon="🧭"),
        st.Page("app_pages/knowledge.py", title=t(lang, "app.nav_knowledge"), icon="📚"),
        st.Page("app_pages/progress.py", title=t(lang, "app.nav_progress"), icon="📈"),
        st.Page("app_pages/settings.py", title=t(lang, "app.nav_settings"), icon="⚙️"),
        st.Page("app_pages/join.py", title=t(lang, "app.nav_join"), icon="🎓", default=joining),
        assessment,
        st.Page("app_pages/trainer.py", title=t(lang, "app.nav_trainer"), icon="🧑‍🏫"),
        st.Page("app_pages/studio.py", title=t(lang, "app.nav_studio"), icon="✍️"),
        st.Page("app_pages/employer.py", title=t(lang, "app.nav_employer"), icon="🏢"),
    ]
navigation = st.navigation(pages, position="hidden")
for page in pages:
    st.sidebar.page_link(page)
language_switch()
keep_in_url()
try:
    navigation.run()
except SimulatorError as exc:
    # Every refusal of the engine, shown once, the same way, on whatever page raised it.
    st.error(str(exc))
