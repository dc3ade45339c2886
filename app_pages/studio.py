"""Studio (trainers): start from a template or a copy of any scenario, edit its YAML, check
it (every problem at its line), fill the common fields in a form, preview the opening feed
in both languages, play-test it on the fake provider, save versions and publish to cohorts."""

from __future__ import annotations

import re

import streamlit as st

from app_pages.common import current_lang, store
from app_pages.staff import staff_member
from app_pages.studio_widgets import (
    TEXT_KEY,
    check,
    draft_assistant,
    drafted_note,
    editor,
    form_view,
    language_report,
    playtest,
    preview,
    problems_list,
    save_and_publish,
    set_text,
)
from simulator.content import all_scenarios, t
from simulator.store import SCENARIO_TEMPLATE, library, scenario_yaml

lang = current_lang()
st.title(t(lang, "studio.title"))
trainer = staff_member("trainer")

TEMPLATE = "template"


def open_scenario(source: str, new_id: str) -> None:
    """Load the chosen starting point into the editor; a copy gets its own id."""
    if source == TEMPLATE:
        text = SCENARIO_TEMPLATE
    elif source.startswith("copy:"):
        text = scenario_yaml(source.removeprefix("copy:"), store())
    else:
        text = scenario_yaml(source.removeprefix("mine:"), store())
    if source != "mine:" + new_id and new_id:
        text = re.sub(r"(?m)^id:.*$", f"id: {new_id}", text, count=1)
    set_text(text)


files, _ = all_scenarios()
mine = library(store(), trainer)
sources = [TEMPLATE, *[f"mine:{v.scenario_id}" for v in mine], *[f"copy:{s.id}" for s in files]]


def suggested_id(source: str) -> str:
    if source == TEMPLATE:
        return "my-scenario"
    return "" if source.startswith("mine:") else f"{source.split(':')[-1]}-copy"


def source_changed() -> None:
    st.session_state[NEW_ID_KEY] = suggested_id(str(st.session_state["studio_source"]))


NEW_ID_KEY = "studio_new_id"
with st.container(border=True):
    left, right = st.columns([3, 2])
    source = left.selectbox(
        t(lang, "studio.start_from"),
        sources,
        format_func=lambda s: (
            t(lang, "studio.template")
            if s == TEMPLATE
            else t(lang, "studio.mine", id=s.removeprefix("mine:"))
            if s.startswith("mine:")
            else t(lang, "studio.copy_of", id=s.removeprefix("copy:"))
        ),
        key="studio_source",
        on_change=source_changed,
    )
    st.session_state.setdefault(NEW_ID_KEY, suggested_id(source))
    editing_mine = source.startswith("mine:")
    new_id = right.text_input(t(lang, "studio.new_id"), disabled=editing_mine, key=NEW_ID_KEY)
    if st.button(t(lang, "studio.open"), key="studio_open"):
        open_scenario(source, "" if editing_mine else new_id.strip())
        st.rerun()

with st.expander(t(lang, "studio.draft_title")):
    draft_assistant(lang, SCENARIO_TEMPLATE)

if TEXT_KEY not in st.session_state:
    st.info(t(lang, "studio.nothing_open"))
    st.stop()

drafted_note(lang)
text = str(st.session_state[TEXT_KEY])
scenario, problems, raw = check(text)
text = editor(problems, lang)
if st.button(t(lang, "studio.validate"), key="studio_validate"):
    st.rerun()  # the check runs on every run; the button makes it explicit
scenario, problems, raw = check(text)
problems_list(problems, lang)
language_report(raw, lang)

form_tab, preview_tab, play_tab, publish_tab = st.tabs(
    [t(lang, f"studio.tab_{name}") for name in ("form", "preview", "play", "publish")]
)
with form_tab:
    form_view(raw, lang)
if scenario is None:
    for tab in (preview_tab, play_tab, publish_tab):
        tab.info(t(lang, "studio.fix_first"))
    st.stop()
assert scenario is not None
with preview_tab:
    preview(scenario, lang)
with play_tab:
    playtest(scenario, text, lang)
with publish_tab:
    save_and_publish(trainer, text, scenario, lang)
