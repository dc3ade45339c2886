"""Assessment: a candidate joins a campaign with an invite code, then plays its scenarios."""

from __future__ import annotations

import streamlit as st

from app_pages.common import SESSION_KEY, adopt, current_lang, participant, store
from simulator.content import get_scenario, t
from simulator.store import InviteError, get_campaign, redeem

lang = current_lang()
st.title(t(lang, "assessment.title"))
who = participant()

if who is None or who.kind != "candidate":
    st.write(t(lang, "assessment.intro"))
    with st.form("join"):
        code = st.text_input(t(lang, "assessment.code"), max_chars=40)
        name = st.text_input(t(lang, "assessment.name"), max_chars=100)
        joined = st.form_submit_button(t(lang, "assessment.join"), type="primary")
    if joined:
        try:
            _, token = redeem(store(), code, name)
        except InviteError as exc:
            st.error(t(lang, f"assessment.invite_{exc.reason}"))
            st.stop()
        adopt(token)
        st.rerun()
    st.stop()

assert who is not None
campaign = get_campaign(store(), who.campaign_id or "")
if campaign is None:
    st.error(t(lang, "assessment.invite_unknown"))
    st.stop()
assert campaign is not None
st.subheader(campaign.name)
st.write(t(lang, "assessment.rules", count=len(campaign.scenarios)))
done = 0
for scenario_id in campaign.scenarios:
    existing = store().attempt(who.id, scenario_id)
    status = "not_started"
    if existing is not None:
        ended = store().get(existing, who.id).summary.ended
        status = "complete" if ended else "in_progress"
        done += ended
    title = get_scenario(scenario_id).title.get(lang)
    st.markdown(f"- {title}: {t(lang, f'campaign.status_{status}')}")
if done == len(campaign.scenarios):
    st.success(t(lang, "assessment.complete"))
    st.stop()
if st.button(t(lang, "assessment.continue"), type="primary"):
    st.session_state.pop(SESSION_KEY, None)
    st.switch_page("app_pages/practice.py")
