"""Settings: the community's voice (provider, model, a connection check) and the language."""

from __future__ import annotations

import streamlit as st

from pages.common import LANG_KEY, MODEL_KEY, PROVIDER_KEY, current_lang, grader
from simulator.config import PROVIDERS, load_settings
from simulator.doctor import diagnose
from simulator.i18n import t
from simulator.scenario import LANGS

lang = current_lang()
st.title(t(lang, "settings.title"))
configured = load_settings()


def _set_lang() -> None:
    # A callback runs before the page, so the sidebar switch shows the new value too.
    st.session_state[LANG_KEY] = st.session_state["settings_lang"]


st.session_state["settings_lang"] = lang
st.radio(
    t(lang, "settings.language"),
    options=list(LANGS),
    format_func=lambda code: {"fr": "Français", "en": "English"}[code],
    key="settings_lang",
    horizontal=True,
    on_change=_set_lang,
)

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
