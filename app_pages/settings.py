"""Settings: the community's voice (provider, model, a connection check) and the language."""

from __future__ import annotations

import streamlit as st

from app_pages.common import MODEL_KEY, PROVIDER_KEY, current_lang, grader, language_radio
from simulator.config import PROVIDERS, load_settings
from simulator.content import t
from simulator.llm import diagnose

lang = current_lang()
st.title(t(lang, "settings.title"))
configured = load_settings()


language_radio(t(lang, "settings.language"), "settings_lang")

current_provider = st.session_state.get(PROVIDER_KEY) or configured.provider
current_model = st.session_state.get(MODEL_KEY) or configured.model or ""
provider = st.selectbox(
    t(lang, "settings.provider"),
    options=list(PROVIDERS),
    index=list(PROVIDERS).index(current_provider),
    help=t(lang, "settings.provider_help"),
)
model = st.text_input(t(lang, "settings.model"), value=current_model).strip()
st.session_state[PROVIDER_KEY] = provider
st.session_state[MODEL_KEY] = model or None
if (provider, model) != (current_provider, current_model):
    st.success(t(lang, "settings.applied"))

if st.button(t(lang, "settings.check")):
    with st.spinner("…"):
        report = diagnose(provider, model or None)
    if report["answers"]:
        st.success(t(lang, "settings.answers", provider=provider, model=report["model"]))
    else:
        st.error(t(lang, "settings.no_answer", provider=provider, reason=report.get("error", "?")))

st.divider()
st.caption(t(lang, "settings.grader", name=grader().name))
