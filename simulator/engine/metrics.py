"""The metric model: how one graded, possibly late reply moves sentiment, escalation and reach.

Kept as pure functions so the rules documented in docs/scenario-format.md can be tested
on their own. `g` is the turn score in 0..1; `q = 2g - 1` is its signed quality.
Reach is self-exciting: a poor reply feeds the spread more when escalation is already
high, a good reply lets it decay.
"""

from __future__ import annotations

from simulator.content import MOODS, Dynamics, Effect, Strict


class MetricState(Strict):
    sentiment: float
    reach: float
    escalation: float

    def rounded(self) -> dict[str, float]:
        return {
            "sentiment": round(self.sentiment, 1),
            "reach": round(self.reach),
            "escalation": round(self.escalation, 1),
        }


def clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def late_minutes(delay_s: float | None, limit_s: int) -> float:
    if delay_s is None:
        return 0.0
    return max(0.0, delay_s - limit_s) / 60.0


def step_metrics(state: MetricState, g: float, late_min: float, dyn: Dynamics) -> MetricState:
    """Apply one turn's reply (score g in 0..1, late_min minutes over the limit)."""
    g = clamp(g, 0.0, 1.0)
    q = 2 * g - 1
    sentiment = clamp(
        state.sentiment + dyn.sentiment_gain * q - dyn.late_sentiment_per_min * late_min,
        -100,
        100,
    )
    escalation = clamp(
        state.escalation - dyn.escalation_gain * q + dyn.late_sentiment_per_min * late_min / 2,
        0,
        100,
    )
    growth = 1 + dyn.virality * (1 - g) * (0.5 + escalation / 100) - dyn.decay * g
    reach = max(0.0, state.reach * max(growth, 0.0) * (1 + dyn.late_reach_per_min * late_min))
    return MetricState(sentiment=sentiment, reach=reach, escalation=escalation)


def apply_effect(state: MetricState, effect: Effect) -> MetricState:
    """An inject's immediate change: sentiment and escalation shifted, reach multiplied."""
    return MetricState(
        sentiment=clamp(state.sentiment + effect.sentiment, -100, 100),
        reach=state.reach * effect.reach,
        escalation=clamp(state.escalation + effect.escalation, 0, 100),
    )


def mood_steps(g: float, sensitivity: float, late: bool) -> int:
    """Rungs a persona moves on the mood ladder: at most two, one more down when late."""
    steps = round(4 * sensitivity * (clamp(g, 0.0, 1.0) - 0.5))
    steps = int(clamp(steps, -2, 2))
    return steps - 1 if late else steps


def move_mood(mood: str, steps: int) -> str:
    index = int(clamp(MOODS.index(mood) + steps, 0, len(MOODS) - 1))
    return MOODS[index]
