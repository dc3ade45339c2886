"""The learning path on Home: scenarios by level, what each trains and takes, and the next
scenario to play, drawn from the trainee's weakest skills in Progress.

A skill in Progress is the theme of the practice cards a criterion rests on; a scenario trains
the themes of the cards it cites. The recommendation weighs each weak theme by how far it is
below the mark and by the share of the scenario's cards it covers, among the scenarios whose
level the trainee has reached: a beginner level passed opens the intermediate one, and so on.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Literal

from simulator.content import Frozen, Scenario
from simulator.knowledge import Card
from simulator.store.skill_progress import Progress

LEVELS = ("beginner", "intermediate", "advanced")
# A skill under this mean score is one to work on; a session at or over it passes its level.
PASS_MARK = 60.0
WEAK_MARK = 70.0
# Seconds to read the new posts of a turn, and the share of the time limit a reply takes on
# average (the limit is a ceiling, most replies come well before it).
READING_S = 60
TYPICAL_SHARE = 0.5
# A scenario already played well counts less than a new one training the same skills.
PLAYED_FACTOR = 0.5


class Duration(Frozen):
    typical_min: int
    max_min: int


def duration(scenario: Scenario) -> Duration:
    """How long a session takes: typical, and at most (every reply at the time limit)."""
    turns = scenario.end.max_turns
    limit = scenario.reply_time_limit_s
    typical = turns * (READING_S + TYPICAL_SHARE * limit) / 60
    longest = turns * (READING_S + limit) / 60
    return Duration(typical_min=math.ceil(typical), max_min=math.ceil(longest))


def path_order(scenarios: list[Scenario]) -> list[Scenario]:
    """By level, then shorter first, then by id: the order Home lays the path in."""
    return sorted(scenarios, key=lambda s: (LEVELS.index(s.difficulty), duration(s).max_min, s.id))


def themes_trained(scenario: Scenario, cards: list[Card]) -> dict[str, float]:
    """Share of the scenario's cited cards in each card theme."""
    theme_of = {card.id: card.theme for card in cards}
    counted = Counter(theme_of[p] for p in scenario.cited_practices() if p in theme_of)
    total = sum(counted.values()) or 1
    return {theme: n / total for theme, n in counted.most_common()}


Reason = Literal["start", "weakest", "next-level", "replay"]


class Recommendation(Frozen):
    scenario_id: str
    reason: Reason
    # The weak skills (card themes) it trains, weakest first, with the trainee's mean score.
    themes: list[tuple[str, float]]


def reached_level(progress: Progress, scenarios: list[Scenario]) -> int:
    """Index of the highest level open to the trainee: one above the highest passed."""
    level_of = {s.id: LEVELS.index(s.difficulty) for s in scenarios}
    passed = [
        level_of[point.scenario_id]
        for point in progress.points
        if point.ended and point.score >= PASS_MARK and point.scenario_id in level_of
    ]
    return min(len(LEVELS) - 1, max(passed, default=-1) + 1)


def recommend(
    progress: Progress, scenarios: list[Scenario], cards: list[Card]
) -> Recommendation | None:
    """The next scenario to play, and why; None when there is no scenario at all."""
    ordered = path_order(scenarios)
    if not ordered:
        return None
    if not progress.points:
        return Recommendation(scenario_id=ordered[0].id, reason="start", themes=[])
    open_level = reached_level(progress, ordered)
    playable = [s for s in ordered if LEVELS.index(s.difficulty) <= open_level]
    best: dict[str, float] = {}
    for point in progress.points:
        if point.ended:
            best[point.scenario_id] = max(best.get(point.scenario_id, 0.0), point.score)
    weak = {theme: score for theme, score in progress.skills.items() if score < WEAK_MARK}
    if weak:
        scored = []
        for scenario in playable:
            trained = themes_trained(scenario, cards)
            gain = sum(
                (WEAK_MARK - score) * trained.get(theme, 0.0) for theme, score in weak.items()
            )
            if scenario.id in best and best[scenario.id] >= PASS_MARK:
                gain *= PLAYED_FACTOR
            scored.append((gain, scenario))
        gain, chosen = max(scored, key=lambda pair: pair[0])  # first of the path on a tie
        if gain > 0:
            themes = sorted(
                ((t, weak[t]) for t in themes_trained(chosen, cards) if t in weak),
                key=lambda pair: pair[1],
            )
            return Recommendation(scenario_id=chosen.id, reason="weakest", themes=themes)
    fresh = [s for s in ordered if s.id not in best and LEVELS.index(s.difficulty) <= open_level]
    if fresh:
        return Recommendation(scenario_id=fresh[0].id, reason="next-level", themes=[])
    weakest_played = min(playable, key=lambda s: best.get(s.id, 0.0))
    return Recommendation(scenario_id=weakest_played.id, reason="replay", themes=[])
