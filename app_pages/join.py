"""Join a cohort: a student types the code their trainer gave (or opens a link that carries
it, `?join=CODE`) and their name; they get their own participant link and the cohort's
assignments on Home."""

from __future__ import annotations

import streamlit as st

from app_pages.common import URL_JOIN, adopt, current_lang, participant, participant_link, store
from simulator.content import t
from simulator.store import CohortError, JoinError, get_cohort, join_cohort

lang = current_lang()
st.title(t(lang, "join.title"))
who = participant()
cohort = get_cohort(store(), who.cohort_id) if who and who.cohort_id else None

if cohort is not None and "joined_token" not in st.session_state:
    st.info(t(lang, "join.already", cohort=cohort.name))
    if st.button(t(lang, "join.to_assignments"), type="primary"):
        st.switch_page("app_pages/home.py")
    st.stop()

if "joined_token" in st.session_state and cohort is not None:
    st.success(t(lang, "join.welcome", cohort=cohort.name))
    st.write(t(lang, "join.keep_link"))
    st.code(participant_link(str(st.session_state["joined_token"])), language=None)
    if st.button(t(lang, "join.to_assignments"), type="primary"):
        st.session_state.pop("joined_token", None)
        st.switch_page("app_pages/home.py")
    st.stop()

st.write(t(lang, "join.intro"))
with st.form("join-cohort"):
    code = st.text_input(
        t(lang, "join.code"), value=st.query_params.get(URL_JOIN, ""), max_chars=40
    )
    name = st.text_input(t(lang, "join.name"), max_chars=100)
    go = st.form_submit_button(t(lang, "join.join"), type="primary")
if go:
    try:
        _, token = join_cohort(store(), code, name)
    except JoinError as exc:
        st.error(t(lang, f"join.code_{exc.reason}"))
        st.stop()
    except CohortError:
        st.error(t(lang, "join.name_needed"))
        st.stop()
    adopt(token)
    st.session_state["joined_token"] = token
    st.query_params.pop(URL_JOIN, None)
    st.rerun()
