"""The studio's parts: the YAML editor and its problems (each one taking the editor to its
line), language completeness, the form for the common fields, the preview of the opening feed
in both languages, the play-test on the fake provider, and save / publish.

Nothing here runs what a trainer typed: the YAML goes through the safe loader and the
scenario model only, and every text of it is drawn escaped."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import streamlit as st
import streamlit.components.v1 as components
import yaml
from code_editor import code_editor

from app_pages.common import MODEL_KEY, PROVIDER_KEY, cards_by_id, grader, store
from app_pages.textsafe import escape_markdown
from app_pages.widgets import flags_warning, metrics_panel, post, turn_checks
from simulator.config import load_settings
from simulator.content import (
    LANGS,
    Lang,
    Problem,
    Scenario,
    YamlDocument,
    language_gaps,
    load_scenario_text,
    practice_ids,
    read_yaml_bytes,
    t,
)
from simulator.engine import Session, SessionState
from simulator.errors import ContentError, SimulatorError
from simulator.factory import make_voice
from simulator.llm import draft_chat_model, draft_offered, draft_scenario
from simulator.store import (
    Employer,
    list_cohorts,
    publish_scenario,
    save_scenario,
)

TEXT_KEY = "studio_text"
NONCE_KEY = "studio_nonce"  # a new text (opened, written by the form) gets a new editor
GOTO_KEY = "studio_goto"
PLAIN_KEY = "studio_plain"
PLAY_KEY = "studio_play"
APPLIED_KEY = "studio_form_applied"
DRAFTED_KEY = "studio_drafted"


def set_text(text: str) -> None:
    """Replace the editor's text (opening a scenario, applying the form)."""
    st.session_state[TEXT_KEY] = text
    st.session_state[NONCE_KEY] = st.session_state.get(NONCE_KEY, 0) + 1
    st.session_state[GOTO_KEY] = None
    st.session_state.pop(PLAY_KEY, None)


def go_to(line: int) -> None:
    jumps = st.session_state.get(GOTO_KEY) or (0, 0)
    st.session_state[GOTO_KEY] = (line, jumps[1] + 1)


# Moves the Ace editor's cursor to a line and brings it into view. The editor is a component
# in a same-origin frame; this script is ours (only a line number goes into it), never text
# a trainer typed.
JUMP_SCRIPT = """<script>
/* jump {nonce} */
function jump(tries) {{
  const frames = window.parent.document.querySelectorAll(
    "iframe[title='code_editor.code_editor']");
  for (const frame of frames) {{
    const el = frame.contentWindow && frame.contentWindow.document.querySelector(".ace_editor");
    if (el && el.env && el.env.editor) {{
      el.env.editor.gotoLine({line}, 0, true);
      el.env.editor.focus();
      frame.scrollIntoView({{block: "center"}});
      return;
    }}
  }}
  if (tries > 0) setTimeout(() => jump(tries - 1), 200);
}}
jump(25);
</script>"""


def jump_to_line() -> None:
    """Carry out the last "line N" click in the editor (a new click, a new script run)."""
    jumps = st.session_state.get(GOTO_KEY)
    if jumps:
        line, nonce = jumps
        components.html(JUMP_SCRIPT.format(line=int(line), nonce=int(nonce)), height=0)


def editor(problems: list[Problem], lang: Lang) -> str:
    """The YAML with syntax highlighting (an offline Ace component); each problem is marked
    in the gutter at its line. Plain text is there for screen readers and old browsers."""
    text = str(st.session_state.get(TEXT_KEY, ""))
    nonce = st.session_state.get(NONCE_KEY, 0)
    if st.toggle(t(lang, "studio.plain"), key=PLAIN_KEY):
        typed = st.text_area(
            t(lang, "studio.yaml"), value=text, height=480, key=f"studio_plain_text_{nonce}"
        )
        st.session_state[TEXT_KEY] = typed
        return typed
    response = code_editor(
        text,
        lang="yaml",
        height=[24, 40],
        response_mode="debounce",
        props={
            "annotations": [
                {"row": p.line - 1, "column": 0, "type": "error", "text": p.message}
                for p in problems
            ],
            "markers": [
                {
                    "startRow": p.line - 1,
                    "startCol": 0,
                    "endRow": p.line - 1,
                    "endCol": 1,
                    "className": "ace_error-line",
                    "type": "fullLine",
                }
                for p in problems
            ],
        },
        options={"wrap": True, "showLineNumbers": True},
        key=f"studio_editor_{nonce}",
    )
    jump_to_line()
    if response and response.get("type") and isinstance(response.get("text"), str):
        st.session_state[TEXT_KEY] = response["text"]
    return str(st.session_state.get(TEXT_KEY, ""))


def check(text: str) -> tuple[Scenario | None, list[Problem], dict[str, Any] | None]:
    """The scenario when the YAML holds one, else every located problem; and the raw mapping
    (for the form and the language report even when the scenario is not valid yet)."""
    doc = read_yaml_bytes(text.encode("utf-8"), YamlDocument(path=_name(text)))
    raw = doc.data if isinstance(doc.data, dict) else None
    try:
        return load_scenario_text(text, str(_name(text)), practice_ids=practice_ids()), [], raw
    except ContentError as exc:
        return None, list(exc.problems), raw


def _name(text: str) -> Path:
    """What the problems call the typed file: its id, like a file's name."""
    for line in text.splitlines():
        if line.startswith("id:"):
            return Path(f"{line[3:].strip() or 'scenario'}.yaml")
    return Path("scenario.yaml")


def problems_list(problems: list[Problem], lang: Lang) -> None:
    if not problems:
        st.success(t(lang, "studio.valid"))
        return
    st.error(t(lang, "studio.problems", count=len(problems)))
    for index, problem in enumerate(problems):
        left, right = st.columns([6, 1])
        where = f"{problem.field}: " if problem.field else ""
        left.markdown(escape_markdown(f"line {problem.line}: {where}{problem.message}"))
        right.button(
            t(lang, "studio.go_to", line=problem.line),
            key=f"studio_go_{index}",
            on_click=go_to,
            args=(problem.line,),
        )


def language_report(raw: dict[str, Any] | None, lang: Lang) -> None:
    """Which fields lack a language; a single-language scenario says which it keeps."""
    if raw is None:
        return
    declared = raw.get("languages") or list(LANGS)
    gaps = language_gaps(raw)
    for other in LANGS:
        missing = gaps.get(other, [])
        if not missing:
            continue
        if other in declared:
            st.warning(t(lang, f"studio.missing_{other}", count=len(missing)))
        else:
            st.info(t(lang, "studio.single_language", langs=", ".join(declared)))
        with st.expander(t(lang, "studio.missing_fields", count=len(missing))):
            st.code("\n".join(missing), language=None)


def form_view(raw: dict[str, Any] | None, lang: Lang) -> None:
    """The common fields as a form that writes back to the YAML (its comments are lost)."""
    if raw is None:
        st.info(t(lang, "studio.form_needs_yaml"))
        return
    brand = _mapping(raw.get("brand"))
    personas = [p for p in raw.get("personas", []) if isinstance(p, dict)]
    with st.form("studio-form"):
        values: dict[str, Any] = {}
        for field in ("title", "brief"):
            current = _mapping(raw.get(field))
            for code in LANGS:
                widget = st.text_area if field == "brief" else st.text_input
                values[f"{field}.{code}"] = widget(
                    t(lang, f"studio.{field}_{code}"), value=str(current.get(code, ""))
                )
        values["brand.name"] = st.text_input(t(lang, "studio.brand"), str(brand.get("name", "")))
        values["limit"] = st.number_input(
            t(lang, "studio.time_limit"), 10, 3600, int(raw.get("reply_time_limit_s") or 120)
        )
        for index, persona in enumerate(personas):
            left, right = st.columns(2)
            values[f"persona.{index}.name"] = left.text_input(
                t(lang, "studio.persona_name", n=index + 1), str(persona.get("name", ""))
            )
            values[f"persona.{index}.handle"] = right.text_input(
                t(lang, "studio.persona_handle", n=index + 1), str(persona.get("handle", ""))
            )
        applied = st.form_submit_button(t(lang, "studio.apply_form"))
    if applied:
        set_text(_written_back(raw, values, len(personas)))
        st.session_state[APPLIED_KEY] = True
        st.rerun()
    if st.session_state.pop(APPLIED_KEY, False):
        st.success(t(lang, "studio.form_applied"))


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _written_back(raw: dict[str, Any], values: dict[str, Any], personas: int) -> str:
    data = dict(raw)
    for field in ("title", "brief"):
        text = dict(data.get(field) or {})
        for code in LANGS:
            if values[f"{field}.{code}"].strip():
                text[code] = values[f"{field}.{code}"]
        data[field] = text
    data["brand"] = {**(data.get("brand") or {}), "name": values["brand.name"]}
    data["reply_time_limit_s"] = int(values["limit"])
    people = [dict(p) for p in data.get("personas", []) if isinstance(p, dict)]
    for index in range(min(personas, len(people))):
        people[index]["name"] = values[f"persona.{index}.name"]
        people[index]["handle"] = values[f"persona.{index}.handle"]
    data["personas"] = people
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def preview(scenario: Scenario, lang: Lang) -> None:
    """The opening feed as a trainee will see it, in each language the scenario offers."""
    columns = st.columns(len(scenario.languages))
    for column, code in zip(columns, scenario.languages, strict=True):
        with column:
            st.markdown(f"**{t(lang, f'studio.preview_{code}')}**")
            st.markdown(f"### {escape_markdown(scenario.title.get(code))}")
            st.caption(escape_markdown(scenario.brief.get(code)))
            opening = Session.start(scenario, code, 0, grader(), make_voice("fake"))
            for event in opening.state.events:
                post(event, scenario, code)


def playtest(scenario: Scenario, text: str, lang: Lang) -> None:
    """A session on the fake provider, kept in this browser only: replies, grades, what
    the turn called for (met or missed), metrics and injects."""
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    code: Lang = st.radio(
        t(lang, "studio.play_lang"), scenario.languages, horizontal=True, key="studio_play_lang"
    )
    kept = st.session_state.get(PLAY_KEY)
    if kept is None or kept["digest"] != digest or kept["lang"] != code:
        session = Session.start(scenario, code, 0, grader(), make_voice("fake"))
        kept = {"digest": digest, "lang": code, "state": session.state.model_dump(mode="json")}
        st.session_state[PLAY_KEY] = kept
    state = SessionState.model_validate(kept["state"])
    session = Session(scenario, grader(), make_voice("fake"), state)
    for event in state.events:
        post(event, scenario, code)
    if state.turns:
        record = state.turns[-1]
        st.markdown(f"**{t(lang, 'studio.grade', score=f'{record.score:.0f}')}**")
        flags_warning(record.assessment.flags, lang)
        with st.container(border=True):
            turn_checks(record.assessment, lang, cards_by_id())
    metrics_panel(state, lang)
    if state.ended:
        st.success(t(lang, "studio.play_over", reason=state.end_reason or ""))
        return
    with st.form("studio-play"):
        reply = st.text_area(t(lang, "studio.play_reply"), key="studio_play_reply")
        sent = st.form_submit_button(t(lang, "studio.play_send"))
    if sent and reply.strip():
        try:
            session.submit(reply, delay_s=30)
        except SimulatorError as exc:
            st.error(str(exc))
            return
        kept["state"] = session.state.model_dump(mode="json")
        st.rerun()
    if st.button(t(lang, "studio.play_restart")):
        st.session_state.pop(PLAY_KEY, None)
        st.rerun()


def draft_assistant(lang: Lang, template: str) -> None:
    """A draft from a short description, by the configured model when it is capable; the
    trainer edits it like any other text (it is checked like any other text)."""
    settings = load_settings()
    provider = str(st.session_state.get(PROVIDER_KEY) or settings.provider)
    model = st.session_state.get(MODEL_KEY) or settings.model
    offered, why = draft_offered(provider, model)
    if not offered:
        st.caption(t(lang, "studio.draft_off", reason=why))
        return
    with st.form("studio-draft"):
        description = st.text_area(t(lang, "studio.draft_description"), max_chars=2000)
        draft_lang = st.radio(t(lang, "studio.draft_lang"), list(LANGS), horizontal=True)
        new_id = st.text_input(t(lang, "studio.new_id"), value="my-draft")
        go = st.form_submit_button(t(lang, "studio.draft"))
    if not go:
        return
    chosen = settings.model_copy(update={"provider": provider, "model": model})
    try:
        with st.spinner(t(lang, "studio.drafting")):
            draft = draft_scenario(
                description, draft_lang, template, draft_chat_model(chosen), new_id.strip()
            )
    except SimulatorError as exc:
        st.error(t(lang, "studio.refused", reason=str(exc)))
        return
    set_text(draft.yaml)
    st.session_state[DRAFTED_KEY] = (len(draft.problems), round(draft.seconds))
    st.rerun()


def drafted_note(lang: Lang) -> None:
    drafted = st.session_state.pop(DRAFTED_KEY, None)
    if drafted is not None:
        st.info(t(lang, "studio.drafted", problems=drafted[0], seconds=drafted[1]))


def save_and_publish(trainer: Employer, text: str, scenario: Scenario, lang: Lang) -> None:
    """Save a new draft version; publish a version to some of the trainer's cohorts."""
    if st.button(t(lang, "studio.save"), type="primary", key="studio_save"):
        try:
            saved = save_scenario(store(), trainer, text)
        except SimulatorError as exc:
            st.error(t(lang, "studio.refused", reason=str(exc)))
        else:
            st.session_state["studio_saved"] = (saved.scenario_id, saved.version)
            st.success(t(lang, "studio.saved", id=saved.scenario_id, version=saved.version))
    saved_as = st.session_state.get("studio_saved")
    if not saved_as or saved_as[0] != scenario.id:
        st.caption(t(lang, "studio.save_first"))
        return
    cohorts = [c for c in list_cohorts(store(), trainer) if c.lang in scenario.languages]
    chosen = st.multiselect(
        t(lang, "studio.publish_to"),
        [c.id for c in cohorts],
        format_func=lambda cid: next(c.name for c in cohorts if c.id == cid),
        key="studio_publish_cohorts",
    )
    if st.button(t(lang, "studio.publish", version=saved_as[1]), key="studio_publish"):
        try:
            publish_scenario(store(), trainer, saved_as[0], saved_as[1], list(chosen))
        except SimulatorError as exc:
            st.error(t(lang, "studio.refused", reason=str(exc)))
        else:
            st.success(t(lang, "studio.published", id=saved_as[0], count=len(chosen)))
