"""Home: the learning path. Scenarios by level with filters, what each trains and takes, and
the next one to play for this participant."""

from __future__ import annotations

import streamlit as st

from app_pages.common import (
    SESSION_KEY,
    current_lang,
    knowledge_content,
    participant,
    participant_progress,
    store,
)
from simulator.content import Lang, Scenario, all_scenarios, get_scenario, t, t_or
from simulator.store import (
    LEVELS,
    WEAK_MARK,
    AssignmentStatus,
    Recommendation,
    assignment_statuses,
    duration,
    get_cohort,
    path_order,
    recommend,
)

lang = current_lang()
st.title(t(lang, "app.title"))
st.caption(t(lang, "app.tagline"))
scenarios, problems = all_scenarios()
if problems:
    st.warning(t(lang, "app.invalid_scenarios"))
    st.code("\n".join(str(p) for p in problems), language=None)
# A single-language scenario is offered only in its language.
scenarios = path_order([s for s in scenarios if s.offers(lang)])
cards = knowledge_content().cards


def start(scenario_id: str) -> None:
    st.session_state["scenario_id"] = scenario_id
    st.session_state.pop(SESSION_KEY, None)
    st.switch_page("app_pages/practice.py")


def show_recommendation(found: Recommendation, lang: Lang) -> None:
    chosen = next(s for s in scenarios if s.id == found.scenario_id)
    with st.container(border=True, key="recommended"):
        st.markdown(f"**{t(lang, 'app.recommended')}: {chosen.title.get(lang)}**")
        if found.reason == "weakest":
            weak = ", ".join(
                f"{t_or(lang, f'theme.{theme}', theme)} ({score:.0f})"
                for theme, score in found.themes
            )
            st.caption(t(lang, "app.recommend_weakest", themes=weak))
        else:
            st.caption(t(lang, f"app.recommend_{found.reason.replace('-', '_')}", mark=WEAK_MARK))
        if st.button(t(lang, "app.start"), key="start-recommended", type="primary"):
            start(chosen.id)


def scenario_card(scenario: Scenario, lang: Lang) -> None:
    took = duration(scenario)
    with st.container(border=True):
        st.markdown(f"**{scenario.title.get(lang)}**")
        st.caption(
            f"{t(lang, 'app.channel')}: "
            f"{t_or(lang, f'channel.{scenario.channel}', scenario.channel)} · "
            + t(lang, "app.duration", typical=took.typical_min, longest=took.max_min)
        )
        skills = [t_or(lang, f"skill.{s}", s) for s in scenario.skills]
        st.caption(f"{t(lang, 'app.skills')}: {', '.join(skills)}")
        with st.expander(t(lang, "app.brief")):
            st.write(scenario.brief.get(lang))
        if st.button(t(lang, "app.start"), key=f"start-{scenario.id}"):
            start(scenario.id)


STATUS_ICON = {"todo": "⚪", "in_progress": "🟡", "done": "🟢", "overdue": "🔴"}


def assignment_row(status: AssignmentStatus, lang: Lang) -> None:
    """One assignment: its status, due date, attempts and best score, and a button."""
    # Not necessarily in the list below: a trainer's scenario is offered through its cohort.
    scenario = get_scenario(status.scenario_id)
    with st.container(border=True, key=f"assignment-{scenario.id}"):
        left, right = st.columns([4, 1])
        icon = STATUS_ICON[status.status]
        left.markdown(
            f"{icon} **{scenario.title.get(lang)}** · {t(lang, f'cohort.status_{status.status}')}"
        )
        facts = [t(lang, "cohort.attempts_left", left=status.attempts_left)]
        if status.due_at is not None:
            facts.append(t(lang, "cohort.due", day=status.due_at.date().isoformat()))
        if status.best_score is not None:
            facts.append(t(lang, "cohort.best", score=status.best_score))
        left.caption(" · ".join(facts))
        unfinished = any(not store().get(sid).summary.ended for sid in status.session_ids[-1:])
        playable = unfinished or status.attempts_left > 0
        label = {True: "cohort.continue", False: "cohort.play"}[unfinished]
        if status.status == "done" and not unfinished:
            label = "cohort.again"
        if playable and right.button(t(lang, label), key=f"assignment-start-{scenario.id}"):
            start(scenario.id)


who = participant()
cohort = get_cohort(store(), who.cohort_id) if who and who.cohort_id else None
if who is not None and cohort is not None:
    st.subheader(t(lang, "cohort.assignments", cohort=cohort.name))
    for status in assignment_statuses(store(), who):
        assignment_row(status, lang)
    st.caption(t(lang, "cohort.free_practice"))

found = recommend(participant_progress(), scenarios, cards)
if found is not None:
    show_recommendation(found, lang)

st.subheader(t(lang, "app.scenarios"))
all_skills = sorted({skill for s in scenarios for skill in s.skills})
all_channels = sorted({s.channel for s in scenarios})
left, right = st.columns(2)
wanted_skills = left.multiselect(
    t(lang, "app.filter_skill"),
    all_skills,
    format_func=lambda skill: t_or(lang, f"skill.{skill}", skill),
    key="filter_skills",
)
wanted_channels = right.multiselect(
    t(lang, "app.filter_channel"),
    all_channels,
    format_func=lambda channel: t_or(lang, f"channel.{channel}", channel),
    key="filter_channels",
)
shown = [
    s
    for s in scenarios
    if (not wanted_skills or set(wanted_skills) & set(s.skills))
    and (not wanted_channels or s.channel in wanted_channels)
]
if not shown:
    st.info(t(lang, "app.no_match"))
for level in LEVELS:
    at_level = [s for s in shown if s.difficulty == level]
    if not at_level:
        continue
    st.markdown(f"#### {t(lang, 'app.level', level=t(lang, f'difficulty.{level}'))}")
    columns = st.columns(3)
    for index, scenario in enumerate(at_level):
        with columns[index % 3]:
            scenario_card(scenario, lang)
