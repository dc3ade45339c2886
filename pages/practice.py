"""Practice: the brand's feed, a countdown, live metrics; one turn per publish."""

from __future__ import annotations

import time

import streamlit as st

from pages.common import current_lang, grader, remember_finished, voice
from pages.widgets import criterion_bar, flags_warning, metrics_panel, post, timer_html
from simulator.catalog import get_scenario
from simulator.i18n import t
from simulator.report import build_report
from simulator.session import ReplyRejected, Session, SessionState
from simulator.textsafe import escape_markdown

lang = current_lang()
scenario_id = st.session_state.get("scenario_id")
if scenario_id is None:
    st.info(t(lang, "app.no_scenario"))
    st.stop()
scenario = get_scenario(scenario_id)

stored = st.session_state.get("session")
if stored is None or stored["lang"] != lang or stored["scenario_id"] != scenario.id:
    session = Session.start(scenario, lang, int(time.time()) % 100_000, grader(), voice())
    st.session_state["session"] = session.state.model_dump()
    st.session_state["turn_started"] = time.time()
else:
    session = Session(scenario, grader(), voice(), SessionState.model_validate(stored))
state = session.state

st.title(scenario.title.get(lang))
st.caption(f"{scenario.brand.name} · {t(lang, f'channel.{scenario.channel}')}")
with st.expander(t(lang, "app.brief"), expanded=state.turn == 0):
    st.write(scenario.brief.get(lang))
    st.caption(t(lang, "app.time_limit", seconds=scenario.reply_time_limit_s))


def countdown() -> None:
    """Seconds left for this reply, counted down in the browser (no reruns while typing)."""
    elapsed = time.time() - st.session_state.get("turn_started", time.time())
    left = int(scenario.reply_time_limit_s - elapsed)
    st.iframe(timer_html(left, t(lang, "app.countdown"), t(lang, "app.overtime")), height=34)


feed, side = st.columns([3, 1])
with side:
    st.caption(t(lang, "app.turn", turn=state.turn, max=scenario.end.max_turns))
    if not state.ended:
        # Apart from the reply form: its one-second redraws must not disturb typing.
        countdown()
    metrics_panel(state, lang)

with feed:
    for event in state.events:
        post(event, scenario, lang)
    if state.turns:
        last = state.turns[-1]
        st.info(t(lang, "app.last_score", score=f"{last.score:.0f}"))
        flags_warning(last.assessment.flags, lang)
        with st.expander(t(lang, "app.criteria")):
            for criterion in last.assessment.criteria:
                criterion_bar(scenario.criterion(criterion.id).title.get(lang), criterion.score)
                st.caption(escape_markdown(criterion.feedback))

    if state.ended:
        report = build_report(scenario, state)
        remember_finished(state, report.score, report.practices_to_revise)
        st.success(f"{t(lang, 'app.the_end')} {report.end_message}")
        st.subheader(t(lang, "app.final_score", score=f"{report.score:.0f}"))
        debrief, again = st.columns(2)
        if debrief.button(t(lang, "app.see_debrief"), type="primary"):
            st.switch_page("pages/debrief.py")
        if again.button(t(lang, "app.restart")):
            st.session_state.pop("session", None)
            st.rerun()
        st.stop()

    with st.form("reply", clear_on_submit=True):
        choice = None
        if session.decision_due and scenario.decision is not None:
            decision = scenario.decision
            choice = st.radio(
                f"{t(lang, 'app.decision')}: {decision.prompt.get(lang)}",
                options=[o.id for o in decision.options],
                format_func=lambda oid: next(
                    o.label.get(lang) for o in decision.options if o.id == oid
                ),
            )
        reply = st.text_area(t(lang, "app.your_reply", brand=scenario.brand.name), height=120)
        sent = st.form_submit_button(t(lang, "app.send"), type="primary")
    if sent:
        if not reply.strip():
            st.warning(t(lang, "app.empty_reply"))
        else:
            delay = time.time() - st.session_state.get("turn_started", time.time())
            live = st.empty()
            written: dict[str, str] = {}

            def show(persona_id: str, token: str) -> None:
                # Community posts appear as they are written (escaped, never HTML).
                written[persona_id] = written.get(persona_id, "") + token
                name = scenario.persona(persona_id).name
                live.caption(
                    escape_markdown(f"{t(lang, 'app.writing', name=name)} {written[persona_id]}")
                )

            try:
                session.submit(reply, delay_s=delay, choice=choice, on_token=show)
            except ReplyRejected as exc:
                st.error(t(lang, "app.reply_rejected", reason=str(exc)))
            else:
                st.session_state["session"] = session.state.model_dump()
                st.session_state["turn_started"] = time.time()
                st.rerun()
