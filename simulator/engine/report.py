"""The end-of-session report: what the debrief and `cm-sim play --json` show."""

from __future__ import annotations

from statistics import fmean

from simulator.content import Scenario, Strict, t
from simulator.engine.session import SessionState


class CriterionSummary(Strict):
    id: str
    title: str
    weight: float
    score: float
    practices: list[str]


class Report(Strict):
    scenario: str
    lang: str
    turns: int
    ended: bool
    end_reason: str | None
    end_message: str | None
    score: float
    criteria: list[CriterionSummary]
    final_metrics: dict[str, float]
    practices_to_revise: list[str]


def build_report(scenario: Scenario, state: SessionState) -> Report:
    lang = state.lang
    turn_scores = [record.score for record in state.turns]
    criteria = []
    weak: list[str] = []
    for criterion in scenario.rubric:
        scores = [
            c.score
            for record in state.turns
            for c in record.assessment.criteria
            if c.id == criterion.id
        ]
        mean = round(fmean(scores), 1) if scores else 0.0
        criteria.append(
            CriterionSummary(
                id=criterion.id,
                title=criterion.title.get(lang),
                weight=criterion.weight,
                score=mean,
                practices=criterion.practices,
            )
        )
        if scores and mean < 60:
            weak.extend(p for p in criterion.practices if p not in weak)
    reason = state.end_reason
    return Report(
        scenario=scenario.id,
        lang=lang,
        turns=state.turn,
        ended=state.ended,
        end_reason=reason,
        end_message=t(lang, f"end.{reason}") if reason else None,
        score=round(fmean(turn_scores), 1) if turn_scores else 0.0,
        criteria=criteria,
        final_metrics=state.metrics.rounded(),
        practices_to_revise=weak,
    )
