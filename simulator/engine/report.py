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


WEAK = 60.0
MAX_TO_REVISE = 3


def check_costs(scenario: Scenario, state: SessionState) -> dict[str, float]:
    """Per practice, the weight of the expectations missed and pitfalls fallen into that
    cite it, over the session (each weighed by its criterion's weight)."""
    weights = {c.id: c.weight for c in scenario.rubric}
    costs: dict[str, float] = {}
    for record in state.turns:
        for check in record.assessment.checks:
            if check.status == "missed":
                cost = check.weight
            elif check.status == "violated":
                cost = 2.0 if check.severity == "harmful" else 1.0
            else:
                continue
            for practice in check.practices:
                costs[practice] = costs.get(practice, 0.0) + cost * weights.get(
                    check.criterion, 0.2
                )
    return costs


def build_report(scenario: Scenario, state: SessionState) -> Report:
    lang = state.lang
    turn_scores = [record.score for record in state.turns]
    criteria = []
    # What each practice cost this session: every expectation missed and pitfall fallen into
    # that cites it (a harmful pitfall twice), weighed by its criterion; and, for criteria
    # below the bar, their shortfall. The dearest few are the ones to revise.
    costs = check_costs(scenario, state)
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
        if scores and mean < WEAK:
            for practice in criterion.practices:
                costs[practice] = costs.get(practice, 0.0) + (WEAK - mean) * criterion.weight / 100
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
        practices_to_revise=[p for p, _ in sorted(costs.items(), key=lambda kv: -kv[1])][
            :MAX_TO_REVISE
        ],
    )
