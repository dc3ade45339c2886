"""Employers: sign in, create a campaign and its invite codes, rank the candidates, read
their transcripts, export CSV and PDF. Only the signed-in employer's campaigns are shown."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages.common import current_lang, safe_text, store
from app_pages.staff import staff_member
from simulator.content import all_scenarios, get_scenario, t
from simulator.engine import markdown_pdf
from simulator.store import (
    CampaignError,
    campaign_results,
    create_campaign,
    invites,
    list_campaigns,
    results_csv,
    results_markdown,
)

lang = current_lang()
st.title(t(lang, "employer.title"))
employer = staff_member("employer")

with st.expander(t(lang, "employer.new_campaign")):
    scenarios, _ = all_scenarios()
    with st.form("new-campaign"):
        name = st.text_input(t(lang, "employer.campaign_name"), max_chars=200)
        chosen = st.multiselect(
            t(lang, "employer.scenarios"),
            options=[s.id for s in scenarios],
            format_func=lambda sid: get_scenario(sid).title.get(lang),
        )
        campaign_lang = st.radio(t(lang, "employer.lang"), ["fr", "en"], horizontal=True)
        seed = st.number_input(t(lang, "employer.seed"), 0, 1_000_000, 1)
        count = st.number_input(t(lang, "employer.candidates"), 1, 500, 5)
        limit = st.number_input(t(lang, "employer.time_limit"), 15, 3600, 120)
        days = st.number_input(t(lang, "employer.expires_days"), 1, 365, 14)
        create = st.form_submit_button(t(lang, "employer.create"), type="primary")
    if create:
        try:
            new = create_campaign(
                store(),
                name,
                chosen,
                str(campaign_lang),
                int(seed),
                int(count),
                int(limit),
                float(days),
                employer.id,
            )
        except CampaignError as exc:
            st.error(t(lang, "employer.campaign_error", reason=str(exc)))
        else:
            st.success(t(lang, "employer.codes_once", count=len(new.codes)))
            st.code("\n".join(new.codes), language=None)
            st.download_button(
                t(lang, "employer.download_codes"),
                data="\n".join(new.codes) + "\n",
                file_name=f"{new.campaign.id}-codes.txt",
                mime="text/plain",
            )

campaigns = list_campaigns(store(), employer.id)
if not campaigns:
    st.info(t(lang, "employer.no_campaign"))
    st.stop()
picked = st.selectbox(
    t(lang, "employer.campaign"),
    options=[c.id for c in campaigns],
    format_func=lambda cid: next(f"{c.name} ({c.id})" for c in campaigns if c.id == cid),
)
results = campaign_results(store(), str(picked))
campaign = results.campaign
used = sum(1 for invite in invites(store(), campaign.id) if invite.used_at is not None)
st.caption(
    t(
        lang,
        "employer.campaign_facts",
        language=campaign.lang,
        seed=campaign.seed,
        used=used,
        total=len(results.candidates),
    )
)
ranking = pd.DataFrame(
    [
        {
            "#": r.rank,
            t(lang, "campaign.name_col"): r.name or "—",
            t(lang, "campaign.code_col"): r.code_hint,
            t(lang, "campaign.status_col"): t(lang, f"campaign.status_{r.status}"),
            t(lang, "report.score"): r.score,
            **{
                get_scenario(sid).title.get(lang): r.scenarios.get(sid)
                for sid in campaign.scenarios
            },
        }
        for r in results.candidates
    ]
).set_index("#")
st.subheader(t(lang, "campaign.ranking"))
st.dataframe(ranking, width="stretch")

criteria_rows = [
    {
        t(lang, "campaign.name_col"): r.name or r.code_hint,
        **{
            f"{get_scenario(c.scenario).criterion(c.criterion).title.get(lang)}": c.score
            for c in r.criteria
        },
    }
    for r in results.candidates
    if r.criteria
]
if criteria_rows:
    st.subheader(t(lang, "employer.per_criterion"))
    st.dataframe(pd.DataFrame(criteria_rows), width="stretch")

csv_col, pdf_col = st.columns(2)
csv_col.download_button(
    t(lang, "employer.download_csv"),
    data=results_csv(results),
    file_name=f"{campaign.id}-results.csv",
    mime="text/csv",
)
pdf_col.download_button(
    t(lang, "employer.download_pdf"),
    data=markdown_pdf(results_markdown(store(), results, lang)),
    file_name=f"{campaign.id}-results.pdf",
    mime="application/pdf",
)

st.subheader(t(lang, "employer.transcripts"))
for r in results.candidates:
    if not r.sessions:
        continue
    with st.expander(f"{r.rank}. {r.name or r.code_hint}"):
        for session_id in r.sessions:
            stored = store().get(session_id)
            st.markdown(f"**{get_scenario(stored.summary.scenario_id).title.get(lang)}**")
            for turn in stored.turns:
                score = f"{turn.score:.0f}" if turn.score is not None else "—"
                st.caption(f"{t(lang, 'report.turn', turn=turn.turn)} · {score}")
                safe_text(turn.reply)
