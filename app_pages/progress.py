"""Progress: every stored session of this participant, the score trend, a radar per skill
and the practices to revise."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages.common import (
    current_lang,
    knowledge_content,
    participant,
    participant_progress,
    refuse_during_assessment,
)
from simulator.content import get_scenario, t, t_or
from simulator.store import radar_svg

lang = current_lang()
st.title(t(lang, "progress.title"))
who = participant()
refuse_during_assessment(who, "assessment.no_progress")
st.caption(t(lang, "progress.scope"))
cards = knowledge_content().cards
summary = participant_progress(who)
if not summary.points:
    st.info(t(lang, "progress.none"))
    st.stop()

rows = [
    {
        t(lang, "progress.session_col"): n,
        t(lang, "progress.when_col"): point.when,
        t(lang, "progress.scenario_col"): get_scenario(point.scenario_id).title.get(lang),
        t(lang, "progress.turns_col"): point.turns,
        t(lang, "progress.score_col"): round(point.score),
        t(lang, "progress.status_col"): t(
            lang, "progress.finished" if point.ended else "progress.unfinished"
        ),
    }
    for n, point in enumerate(summary.points, start=1)
]
table = pd.DataFrame(rows).set_index(t(lang, "progress.session_col"))
st.subheader(t(lang, "progress.history"))
st.dataframe(table, width="stretch")
st.subheader(t(lang, "progress.trend"))
st.line_chart(table[[t(lang, "progress.score_col")]])

if summary.skills:
    st.subheader(t(lang, "progress.skills"))
    labels = {theme: t_or(lang, f"theme.{theme}", theme) for theme in summary.skills}
    st.image(radar_svg(summary.skills, labels))

if summary.revise:
    st.subheader(t(lang, "progress.revise"))
    by_id = {card.id: card for card in cards}
    for practice, times in summary.revise:
        title = by_id[practice].title.get(lang) if practice in by_id else practice
        st.markdown(f"- **{title}** `{practice}` × {times}")
