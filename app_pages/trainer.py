"""Trainers: sign in, create a cohort and its join code, follow the class (status, heat map
of criteria and skills, averages and distribution per assignment, who is stuck or has not
started), read transcripts, override a criterion's grade with a reason, export the
gradebook (CSV) and a class report (PDF). Only the signed-in trainer's cohorts are shown."""

from __future__ import annotations

from datetime import date, timedelta

import streamlit as st

from app_pages.common import URL_JOIN, current_lang, store
from app_pages.staff import staff_member
from app_pages.trainer_dashboard import show_dashboard
from simulator.content import all_scenarios, get_scenario, t
from simulator.store import CohortError, Employer, create_cohort, list_cohorts

lang = current_lang()
st.title(t(lang, "trainer.title"))
trainer = staff_member("trainer")


def join_link(code: str) -> str:
    base = (st.context.url or "").split("?")[0]
    return f"{base}?{URL_JOIN}={code.replace('-', '')}"


def new_cohort_form(trainer: Employer) -> None:
    """Not an st.form: each chosen scenario gets its own due date field as it is picked."""
    scenarios, _ = all_scenarios()
    name = st.text_input(t(lang, "trainer.cohort_name"), max_chars=200, key="new_cohort_name")
    cohort_lang = st.radio(
        t(lang, "employer.lang"), ["fr", "en"], horizontal=True, key="new_cohort_lang"
    )
    chosen = st.multiselect(
        t(lang, "trainer.assignments"),
        options=[s.id for s in scenarios],
        format_func=lambda sid: get_scenario(sid).title.get(lang),
        key="new_cohort_scenarios",
    )
    due: dict[str, date] = {}
    for scenario_id in chosen:
        title = get_scenario(scenario_id).title.get(lang)
        left, right = st.columns([1, 2])
        if left.checkbox(t(lang, "trainer.has_due", title=title), key=f"due-on-{scenario_id}"):
            due[scenario_id] = right.date_input(
                t(lang, "trainer.due", title=title),
                value=date.today() + timedelta(days=14),
                key=f"due-{scenario_id}",
            )
    seats = st.number_input(t(lang, "trainer.seats"), 1, 500, 30)
    attempts = st.number_input(t(lang, "trainer.attempts"), 1, 20, 3)
    days = st.number_input(t(lang, "trainer.expires_days"), 1, 365, 90)
    if st.button(t(lang, "trainer.create"), type="primary", key="create-cohort"):
        try:
            new = create_cohort(
                store(),
                trainer,
                name,
                chosen,
                str(cohort_lang),
                due=due,
                seats=int(seats),
                attempts=int(attempts),
                expires_in_days=float(days),
            )
        except CohortError as exc:
            st.error(t(lang, "trainer.cohort_error", reason=str(exc)))
            return
        st.success(t(lang, "trainer.code_once", seats=new.cohort.seats))
        st.code(new.join_code, language=None)
        st.caption(t(lang, "trainer.join_link"))
        st.code(join_link(new.join_code), language=None)


with st.expander(t(lang, "trainer.new_cohort")):
    new_cohort_form(trainer)

cohorts = list_cohorts(store(), trainer)
if not cohorts:
    st.info(t(lang, "trainer.no_cohort"))
    st.stop()
picked = st.selectbox(
    t(lang, "trainer.cohort"),
    options=[c.id for c in cohorts],
    format_func=lambda cid: next(f"{c.name} ({c.id})" for c in cohorts if c.id == cid),
    key="trainer_cohort",
)
show_dashboard(store(), trainer, str(picked), lang)
