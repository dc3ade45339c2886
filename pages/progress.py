"""Progress: the sessions finished in this browser, the score trend, what to revise."""

from __future__ import annotations

from collections import Counter

import pandas as pd
import streamlit as st

from pages.common import HISTORY_KEY, current_lang, knowledge_content
from simulator.catalog import get_scenario
from simulator.i18n import t

lang = current_lang()
st.title(t(lang, "progress.title"))
st.caption(t(lang, "progress.scope"))
history = st.session_state.get(HISTORY_KEY, [])
if not history:
    st.info(t(lang, "progress.none"))
    st.stop()

rows = [
    {
        t(lang, "progress.session_col"): n + 1,
        t(lang, "progress.scenario_col"): get_scenario(str(item["scenario"])).title.get(lang),
        t(lang, "progress.score_col"): round(float(item["score"])),
        t(lang, "progress.turns_col"): item["turns"],
    }
    for n, item in enumerate(history)
]
table = pd.DataFrame(rows).set_index(t(lang, "progress.session_col"))
st.subheader(t(lang, "progress.history"))
st.dataframe(table, use_container_width=True)
st.subheader(t(lang, "progress.trend"))
st.line_chart(table[[t(lang, "progress.score_col")]])

counts = Counter(p for item in history for p in item["revise"])
if counts:
    st.subheader(t(lang, "progress.revise"))
    cards = {card.id: card for card in knowledge_content().cards}
    for practice, times in counts.most_common():
        title = cards[practice].title.get(lang) if practice in cards else practice
        st.markdown(f"- **{title}** `{practice}` × {times}")
