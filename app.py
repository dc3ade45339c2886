"""Streamlit entry point: navigation and the language switch. Pages live in pages/."""

from __future__ import annotations

import streamlit as st

from pages.common import (
    current_lang,
    keep_in_url,
    language_switch,
    load_secrets,
    participant,
    restore_from_url,
)
from simulator.i18n import t

st.set_page_config(page_title="CM Simulator", page_icon="💬", layout="wide")
load_secrets()
restore_from_url()
lang = current_lang()
who = participant()
practice = st.Page("pages/practice.py", title=t(lang, "app.nav_practice"), icon="💬")
assessment = st.Page("pages/assessment.py", title=t(lang, "app.nav_assessment"), icon="📝")
if who is not None and who.is_candidate:
    # During an assessment: the campaign and its scenarios, nothing else (no rubric, no
    # model answers, no knowledge base to look things up in).
    pages = [
        st.Page(
            "pages/assessment.py", title=t(lang, "app.nav_assessment"), icon="📝", default=True
        ),
        practice,
    ]
else:
    pages = [
        st.Page("pages/home.py", title=t(lang, "app.nav_home"), icon="🏠", default=True),
        practice,
        st.Page("pages/debrief.py", title=t(lang, "app.nav_debrief"), icon="🧭"),
        st.Page("pages/knowledge.py", title=t(lang, "app.nav_knowledge"), icon="📚"),
        st.Page("pages/progress.py", title=t(lang, "app.nav_progress"), icon="📈"),
        st.Page("pages/settings.py", title=t(lang, "app.nav_settings"), icon="⚙️"),
        assessment,
        st.Page("pages/employer.py", title=t(lang, "app.nav_employer"), icon="🏢"),
    ]
navigation = st.navigation(pages, position="hidden")
for page in pages:
    st.sidebar.page_link(page)
language_switch()
keep_in_url()
navigation.run()
