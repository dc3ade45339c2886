"""RuleBasedAssessor: the foundation's grader, from reply features detected by cues.

It scores each rubric criterion from the features the scenario author declared it
rewards and penalises. It is deliberately simple and fully explainable; the grading
issue replaces it in the engine with the exemplar- and retrieval-based grader.
"""

from __future__ import annotations

from collections.abc import Sequence

from simulator.content import Criterion, Lang, Scenario, detect_features, t
from simulator.protocols import Assessment, CriterionScore, GradingContext

# Score of a criterion that rewards nothing in particular, before penalties.
NEUTRAL_BASE = 75.0
# Floor and span of a criterion that rewards features: none shown -> 30, all shown -> 100.
REWARD_FLOOR = 30.0
PENALTY = 35.0


def _join(lang: Lang, features: Sequence[str]) -> str:
    names = [t(lang, f"feature.{f}") for f in features]
    return ", ".join(names)


def score_criterion(criterion: Criterion, found: set[str]) -> float:
    shown = [f for f in criterion.rewards if f in found]
    faults = [f for f in criterion.penalises if f in found]
    if criterion.rewards:
        base = REWARD_FLOOR + (100 - REWARD_FLOOR) * len(shown) / len(criterion.rewards)
    else:
        base = NEUTRAL_BASE
    return max(0.0, min(100.0, base - PENALTY * len(faults)))


def criterion_feedback(criterion: Criterion, found: set[str], lang: Lang) -> str:
    shown = [f for f in criterion.rewards if f in found]
    missing = [f for f in criterion.rewards if f not in found]
    faults = [f for f in criterion.penalises if f in found]
    parts = []
    if shown:
        parts.append(t(lang, "feedback.shows", items=_join(lang, shown)))
    if missing:
        parts.append(t(lang, "feedback.missing", items=_join(lang, missing)))
    if faults:
        parts.append(t(lang, "feedback.avoid", items=_join(lang, faults)))
    return " ".join(parts) or t(lang, "feedback.neutral")


def better_reply(scenario: Scenario, lang: Lang, turn: int) -> str:
    """The scenario's model answer for this turn, or the latest one before it."""
    candidates = sorted(scenario.model_answers, key=lambda a: a.turn)
    chosen = candidates[0]
    for answer in candidates:
        if answer.turn <= turn:
            chosen = answer
    return chosen.text.get(lang)


def empty_assessment(context: GradingContext, grader: str) -> Assessment:
    """The verdict on a blank reply, whatever the grader: zero everywhere, flagged."""
    scenario, lang = context.scenario, context.lang
    criteria = [
        CriterionScore(
            id=c.id, score=0.0, feedback=t(lang, "feedback.empty"), practices=c.practices
        )
        for c in scenario.rubric
    ]
    return Assessment(
        score=0.0,
        criteria=criteria,
        practices=sorted({p for c in scenario.rubric for p in c.practices}),
        better_reply=better_reply(scenario, lang, context.turn),
        flags=["empty"],
        grader=grader,
    )


class RuleBasedAssessor:
    """Cue-based rubric scoring in both languages; no model, instant, deterministic."""

    name = "rules"

    def assess(self, reply: str, context: GradingContext) -> Assessment:
        scenario, lang = context.scenario, context.lang
        practices = sorted({p for c in scenario.rubric for p in c.practices})
        if not reply.strip():
            return empty_assessment(context, self.name)
        found = detect_features(reply)
        criteria = [
            CriterionScore(
                id=c.id,
                score=round(score_criterion(c, found), 1),
                feedback=criterion_feedback(c, found, lang),
                practices=c.practices,
            )
            for c in scenario.rubric
        ]
        total = sum(c.weight * s.score for c, s in zip(scenario.rubric, criteria, strict=True))
        return Assessment(
            score=round(total, 1),
            criteria=criteria,
            practices=practices,
            better_reply=better_reply(scenario, lang, context.turn),
            features=sorted(found),
            grader=self.name,
        )

    def assess_many(self, replies: Sequence[tuple[str, GradingContext]]) -> list[Assessment]:
        return [self.assess(reply, context) for reply, context in replies]
