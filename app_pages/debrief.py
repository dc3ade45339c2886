"""Debrief: the score explained with the practices it rests on, turn by turn, and the report."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages.common import (
    SESSION_KEY,
    cards_by_id,
    current_lang,
    own_session,
    participant,
    refuse_during_assessment,
    safe_text,
    store,
)
from app_pages.textsafe import escape_markdown
from app_pages.widgets import criterion_bar, flags_warning, turn_checks
from simulator.content import t
from simulator.engine import SessionState, build_report, report_markdown, report_pdf
from simulator.store import scenario_for, trainer_grades

lang = current_lang()
st.title(t(lang, "debrief.title"))
who = participant()
refuse_during_assessment(who, "assessment.no_debrief")
session_id = st.session_state.get(SESSION_KEY)
stored = own_session(str(session_id), who) if who is not None and session_id else None
state: SessionState | None = stored.state if stored is not None else None
if state is None or not state.turns:
    st.info(t(lang, "debrief.none"))
    st.stop()
assert state is not None
assert stored is not None
scenario = scenario_for(stored, store())  # the version this session was played on
# The debrief follows the session's language for the session's texts and the page's for ours.
report = build_report(scenario, state)
cards = cards_by_id()

st.subheader(scenario.title.get(state.lang))
st.metric(t(lang, "debrief.overall", score=f"{report.score:.0f}"), f"{report.score:.0f}/100")
if report.end_message:
    st.caption(report.end_message)

st.markdown(f"### {t(lang, 'debrief.criteria')}")
for criterion in report.criteria:
    criterion_bar(scenario.criterion(criterion.id).title.get(lang), criterion.score)
    with st.expander(t(lang, "debrief.cards")):
        for practice in criterion.practices:
            card = cards.get(practice)
            if card is None:
                continue
            st.markdown(f"**{escape_markdown(card.title.get(lang))}** `{card.id}`")
            st.write(card.principle.get(lang))
            st.caption(f"{t(lang, 'app.kb_do')}: {card.do[0].get(lang)}")
            st.caption(f"{t(lang, 'app.kb_dont')}: {card.dont[0].get(lang)}")
reviewed = trainer_grades(store(), stored.id, who.id) if stored and who else {}
if reviewed:
    # The trainer's word, marked as theirs; the machine's grade stays beside it.
    with st.container(border=True, key="trainer-review"):
        st.markdown(f"### {t(lang, 'cohort.trainer_review')}")
        for (turn_no, criterion_id), grade in sorted(reviewed.items()):
            machine = f"{grade.machine:.0f}" if grade.machine is not None else "—"
            title = scenario.criterion(criterion_id).title.get(lang)
            st.markdown(
                escape_markdown(
                    t(
                        lang,
                        "cohort.trainer_grade",
                        criterion=title,
                        turn=turn_no,
                        after=grade.after,
                        machine=machine,
                    )
                )
            )
            if grade.comment:
                st.caption(
                    escape_markdown(t(lang, "cohort.trainer_comment", comment=grade.comment))
                )
if report.practices_to_revise:
    names = [cards[p].title.get(lang) if p in cards else p for p in report.practices_to_revise]
    st.warning(f"{t(lang, 'debrief.revise')}: {', '.join(names)}")

st.markdown(f"### {t(lang, 'debrief.turn')}")
turn = st.select_slider(
    t(lang, "debrief.turn"),
    options=[record.turn for record in state.turns],
    value=state.turns[-1].turn,
    label_visibility="collapsed",
)
record = next(r for r in state.turns if r.turn == turn)
st.caption(f"{t(lang, 'report.turn', turn=record.turn)} · {record.score:.0f}/100")
flags_warning(record.assessment.flags, lang)
mine, better = st.columns(2)
with mine, st.container(border=True):
    st.markdown(f"**{t(lang, 'debrief.your_reply')}**")
    safe_text(record.reply)
with better, st.container(border=True):
    st.markdown(f"**{t(lang, 'debrief.better_reply')}**")
    safe_text(record.assessment.better_reply)
if record.assessment.checks or record.assessment.calls_for:
    with st.container(border=True):
        turn_checks(record.assessment, lang, cards)
st.markdown(f"**{t(lang, 'debrief.feedback')}**")
for scored in record.assessment.criteria:
    title = scenario.criterion(scored.id).title.get(lang)
    override = reviewed.get((record.turn, scored.id))
    mark = f" · 🧑‍🏫 {override.after:.0f}" if override is not None else ""
    st.markdown(
        f"- **{escape_markdown(title)}** ({scored.score:.0f}{mark}): "
        f"{escape_markdown(scored.feedback)}"
    )
cited = [cards[p].title.get(lang) if p in cards else p for p in record.assessment.practices]
st.caption(f"{t(lang, 'report.practices')}: {' · '.join(cited)}")

st.markdown(f"### {t(lang, 'debrief.chart')}")
history = pd.DataFrame(state.history)
history.index.name = t(lang, "debrief.chart_turn")
left, right = st.columns(2)
left.line_chart(history[["sentiment"]].rename(columns={"sentiment": t(lang, "metric.sentiment")}))
right.line_chart(history[["reach"]].rename(columns={"reach": t(lang, "metric.reach")}))

name = f"cm-sim-{scenario.id}-{state.lang}-{state.seed}"
md, pdf = st.columns(2)
md.download_button(
    t(lang, "debrief.download_md"),
    data=report_markdown(scenario, state),
    file_name=f"{name}.md",
    mime="text/markdown",
)
pdf.download_button(
    t(lang, "debrief.download_pdf"),
    data=report_pdf(scenario, state),
    file_name=f"{name}.pdf",
    mime="application/pdf",
)
