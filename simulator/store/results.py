"""A campaign's results for its employer: candidates ranked, with per-scenario and
per-criterion scores, as data, CSV or PDF."""

from __future__ import annotations

import csv
import io
from statistics import fmean
from typing import Any, Literal

from sqlalchemy import select

from simulator.content import Frozen, Lang, get_scenario, t
from simulator.engine import build_report, quote
from simulator.errors import NotFound
from simulator.protocols import Store
from simulator.store.campaigns import Campaign, get_campaign
from simulator.store.schema import InviteRow, ParticipantRow

Status = Literal["not_started", "in_progress", "complete"]


class CriterionResult(Frozen):
    scenario: str
    criterion: str
    score: float


class CandidateResult(Frozen):
    rank: int
    participant_id: str | None
    name: str
    code_hint: str
    status: Status
    score: float | None
    scenarios: dict[str, float | None]
    criteria: list[CriterionResult]
    sessions: list[str]


class CampaignResults(Frozen):
    campaign: Campaign
    candidates: list[CandidateResult]


class UnknownCampaign(NotFound):
    pass


def _candidate(
    store: Store, campaign: Campaign, hint: str, who: ParticipantRow | None
) -> dict[str, Any]:
    scores: dict[str, float | None] = dict.fromkeys(campaign.scenarios)
    criteria: list[CriterionResult] = []
    sessions: list[str] = []
    finished = 0
    if who is not None:
        for summary in store.list(participant_id=who.id, campaign_id=campaign.id):
            stored = store.get(summary.id)
            sessions.append(summary.id)
            finished += summary.ended
            if not stored.state.turns:
                continue
            report = build_report(
                get_scenario(summary.scenario_id, version=summary.scenario_version), stored.state
            )
            scores[summary.scenario_id] = report.score
            criteria.extend(
                CriterionResult(scenario=summary.scenario_id, criterion=c.id, score=c.score)
                for c in report.criteria
            )
    played = [s for s in scores.values() if s is not None]
    status: Status = (
        "not_started"
        if who is None or not sessions
        else "complete"
        if finished == len(campaign.scenarios)
        else "in_progress"
    )
    return {
        "participant_id": who.id if who else None,
        "name": (who.display_name if who else None) or "",
        "code_hint": hint,
        "status": status,
        # A scenario not played counts as 0, so finishing is never worse than stopping.
        "score": round(fmean([s or 0.0 for s in scores.values()]), 1) if played else None,
        "scenarios": scores,
        "criteria": criteria,
        "sessions": sessions,
    }


_ORDER = {"complete": 0, "in_progress": 1, "not_started": 2}


def campaign_results(store: Store, campaign_id: str) -> CampaignResults:
    campaign = get_campaign(store, campaign_id)
    if campaign is None:
        raise UnknownCampaign(f"no campaign {campaign_id!r}")
    with store.session() as orm:
        rows = orm.execute(
            select(InviteRow.hint, ParticipantRow)
            .outerjoin(ParticipantRow, InviteRow.participant_id == ParticipantRow.id)
            .where(InviteRow.campaign_id == campaign_id)
            .order_by(InviteRow.id)
        ).all()
    found = [_candidate(store, campaign, hint, who) for hint, who in rows]
    found.sort(key=lambda c: (_ORDER[c["status"]], -(c["score"] or 0.0), c["code_hint"]))
    ranked = [CandidateResult(rank=n, **c) for n, c in enumerate(found, start=1)]
    return CampaignResults(campaign=campaign, candidates=ranked)


def results_csv(results: CampaignResults) -> str:
    """One row per candidate: rank, who, status, overall, per scenario, per criterion."""
    columns = sorted({(c.scenario, c.criterion) for r in results.candidates for c in r.criteria})
    if not columns:
        columns = [
            (sid, crit.id)
            for sid in results.campaign.scenarios
            for crit in get_scenario(sid).rubric
        ]
    out = io.StringIO()
    writer = csv.writer(out)
    header = ["rank", "name", "code", "status", "score"]
    header += [f"{sid}" for sid in results.campaign.scenarios]
    header += [f"{sid}:{crit}" for sid, crit in columns]
    writer.writerow(header)
    for r in results.candidates:
        by_key = {(c.scenario, c.criterion): c.score for c in r.criteria}
        row: list[object] = [r.rank, _cell(r.name), r.code_hint, r.status, _num(r.score)]
        row += [_num(r.scenarios.get(sid)) for sid in results.campaign.scenarios]
        row += [_num(by_key.get(key)) for key in columns]
        writer.writerow(row)
    return out.getvalue()


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def _cell(text: str) -> str:
    """Names are typed by candidates: a leading = + - @ would run as a spreadsheet formula."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def results_markdown(store: Store, results: CampaignResults, lang: Lang) -> str:
    """The ranking, each candidate's scores per criterion, and every transcript."""
    campaign = results.campaign
    titles = {sid: get_scenario(sid).title.get(lang) for sid in campaign.scenarios}
    out = [
        f"# {t(lang, 'campaign.results_title')}: {campaign.name}",
        "",
        t(
            lang,
            "campaign.conditions",
            language=campaign.lang,
            seed=campaign.seed,
            scenarios=", ".join(titles.values()),
        ),
        "",
        f"## {t(lang, 'campaign.ranking')}",
        "",
        f"| # | {t(lang, 'campaign.name_col')} | {t(lang, 'campaign.code_col')} | "
        f"{t(lang, 'campaign.status_col')} | {t(lang, 'report.score')} |",
        "| --- | --- | --- | --- | --- |",
    ]
    for r in results.candidates:
        out.append(
            f"| {r.rank} | {r.name or '—'} | {r.code_hint} | "
            f"{t(lang, f'campaign.status_{r.status}')} | {_num(r.score) or '—'} |"
        )
    for r in results.candidates:
        if not r.sessions:
            continue
        out += ["", f"## {r.rank}. {r.name or r.code_hint}"]
        for session_id in r.sessions:
            stored = store.get(session_id)
            scenario = get_scenario(
                stored.summary.scenario_id, version=stored.summary.scenario_version
            )
            out += ["", f"### {titles[scenario.id]} — {_num(r.scenarios.get(scenario.id)) or '—'}"]
            for c in r.criteria:
                if c.scenario == scenario.id:
                    out.append(
                        f"- {scenario.criterion(c.criterion).title.get(lang)}: {c.score:.0f}"
                    )
            for turn in stored.turns:
                score = f"{turn.score:.0f}" if turn.score is not None else "—"
                out += ["", f"**{t(lang, 'report.turn', turn=turn.turn)} — {score}**", ""]
                out.append(quote(turn.reply))
    return "\n".join(out) + "\n"
