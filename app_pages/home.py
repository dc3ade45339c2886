"""Home: pick a scenario."""

from __future__ import annotations

import streamlit as st

from app_pages.common import SESSION_KEY, current_lang
from simulator.content import all_scenarios, t, t_or

lang = current_lang()
st.title(t(lang, "app.title"))
st.caption(t(lang, "app.tagline"))
scenarios, problems = all_scenarios()
if problems:
    st.warning(t(lang, "app.invalid_scenarios"))
    st.code("\n".join(str(p) for p in problems), language=None)
st.subheader(t(lang, "app.scenarios"))
columns = st.columns(max(1, min(3, len(scenarios))))
for index, scenario in enumerate(scenarios):
    with columns[index % len(columns)], st.container(border=True):
        st.markdown(f"**{scenario.title.get(lang)}**")
        st.caption(
            f"{t(lang, 'app.difficulty')}: {t(lang, f'difficulty.{scenario.difficulty}')} · "
            f"{t(lang, 'app.channel')}: "
            f"{t_or(lang, f'channel.{scenario.channel}', scenario.channel)}"
        )
        st.write(scenario.brief.get(lang))
        skills = [t_or(lang, f"skill.{s}", s) for s in scenario.skills]
        st.caption(f"{t(lang, 'app.skills')}: {', '.join(skills)}")
        if st.button(t(lang, "app.start"), key=f"start-{scenario.id}"):
            st.session_state["scenario_id"] = scenario.id
            st.session_state.pop(SESSION_KEY, None)
            st.switch_page("app_pages/practice.py")
