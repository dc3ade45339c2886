"""Streamlit entry point: navigation and the language switch. Pages live in pages/."""

from __future__ import annotations

import streamlit as st

from pages.common import current_lang, language_switch, load_secrets
from simulator.i18n import t

st.set_page_config(page_title="CM Simulator", page_icon="💬", layout="wide")
load_secrets()
lang = current_lang()
pages = [
    st.Page("pages/home.py", title=t(lang, "app.nav_home"), icon="🏠", default=True),
    st.Page("pages/practice.py", title=t(lang, "app.nav_practice"), icon="💬"),
    st.Page("pages/debrief.py", title=t(lang, "app.nav_debrief"), icon="🧭"),
    st.Page("pages/knowledge.py", title=t(lang, "app.nav_knowledge"), icon="📚"),
    st.Page("pages/progress.py", title=t(lang, "app.nav_progress"), icon="📈"),
    st.Page("pages/settings.py", title=t(lang, "app.nav_settings"), icon="⚙️"),
]
navigation = st.navigation(pages, position="hidden")
for page in pages:
    st.sidebar.page_link(page)
language_switch()
navigation.run()
