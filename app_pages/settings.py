"""Settings: the community's voice (provider, model, a connection check) and the language."""

from __future__ import annotations

import streamlit as st

from app_pages.common import MODEL_KEY, PROVIDER_KEY, current_lang, grader, language_radio
from simulator.config import PROVIDERS, load_settings
from simulator.content import Lang, t
from simulator.llm import DEFAULT_LOCAL_MODEL, VOICES, diagnose, is_installed

OTHER = "other"


def local_voice_choice(lang: Lang, current: str) -> str:
    """The embedded voices with their measured cost; a richer one not installed says how to
    add it; "other" takes a GGUF path or another packaged model's name."""
    installed = [name for name in VOICES if is_installed(name)]
    options = [*installed, OTHER]
    chosen = current or DEFAULT_LOCAL_MODEL
    picked = st.radio(
        t(lang, "settings.voice"),
        options,
        index=options.index(chosen) if chosen in options else len(options) - 1,
        format_func=lambda name: (
            t(lang, f"settings.voice_{name.replace('.', '_')}")
            if name in VOICES
            else t(lang, "settings.voice_other")
        ),
        captions=[
            t(lang, "settings.voice_cost", **VOICES[name].model_dump()) if name in VOICES else ""
            for name in options
        ],
        key="local_voice",
    )
    for name in VOICES:
        if name not in installed:
            st.caption(t(lang, "settings.voice_missing", voice=name, command=VOICES[name].install))
    if picked != OTHER:
        return picked
    typed = current if current not in VOICES else ""
    return st.text_input(t(lang, "settings.model"), value=typed).strip()


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
if provider == "local":
    model = local_voice_choice(lang, current_model)
else:
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
