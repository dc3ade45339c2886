"""The learning path: levels, durations, and the next scenario from the weakest skills."""

from __future__ import annotations

import pytest

from simulator.content import Scenario, all_scenarios
from simulator.factory import load_knowledge_content
from simulator.knowledge import Card
from simulator.store import (
    LEVELS,
    PASS_MARK,
    Progress,
    ProgressPoint,
    duration,
    path_order,
    reached_level,
    recommend,
    themes_trained,
)


@pytest.fixture(scope="module")
def scenarios() -> list[Scenario]:
    found, problems = all_scenarios()
    assert not problems
    return found


@pytest.fixture(scope="module")
def cards() -> list[Card]:
    return load_knowledge_content().cards


def played(scenario_id: str, score: float, ended: bool = True) -> ProgressPoint:
    return ProgressPoint(
        session_id=f"s-{scenario_id}-{score}",
        scenario_id=scenario_id,
        lang="fr",
        when="2026-12-01 10:00",
        turns=5,
        score=score,
        ended=ended,
    )


def test_the_path_climbs_level_by_level(scenarios: list[Scenario]) -> None:
    ordered = path_order(scenarios)
    levels = [LEVELS.index(s.difficulty) for s in ordered]
    assert levels == sorted(levels)
    assert {s.difficulty for s in ordered} == set(LEVELS)
    assert ordered[0].difficulty == "beginner"


def test_durations_grow_with_turns_and_time_limit(scenarios: list[Scenario]) -> None:
    for scenario in scenarios:
        took = duration(scenario)
        assert 0 < took.typical_min <= took.max_min
        # Every reply at the limit, plus a minute of reading per turn.
        turns = scenario.end.max_turns
        assert took.max_min * 60 >= turns * (scenario.reply_time_limit_s + 60)
    short = scenarios[0].model_copy(update={"reply_time_limit_s": 60})
    assert (
        duration(short).max_min
        < duration(short.model_copy(update={"reply_time_limit_s": 600})).max_min
    )


def test_themes_trained_are_shares_of_cited_cards(
    scenarios: list[Scenario], cards: list[Card]
) -> None:
    for scenario in scenarios:
        trained = themes_trained(scenario, cards)
        assert trained and abs(sum(trained.values()) - 1) < 1e-9
    troll = next(s for s in scenarios if s.id == "troll-raid")
    top = max(themes_trained(troll, cards).items(), key=lambda kv: kv[1])[0]
    assert top == "moderation-and-trolls"


def test_a_newcomer_starts_at_the_first_beginner_scenario(
    scenarios: list[Scenario], cards: list[Card]
) -> None:
    found = recommend(Progress(points=[], skills={}, revise=[]), scenarios, cards)
    assert found is not None and found.reason == "start"
    assert found.scenario_id == path_order(scenarios)[0].id
    assert recommend(Progress(points=[], skills={}, revise=[]), [], cards) is None


def test_levels_open_once_the_one_below_is_passed(scenarios: list[Scenario]) -> None:
    first = path_order(scenarios)[0].id
    empty = Progress(points=[], skills={}, revise=[])
    assert reached_level(empty, scenarios) == 0
    failed = Progress(points=[played(first, PASS_MARK - 1)], skills={}, revise=[])
    assert reached_level(failed, scenarios) == 0
    unfinished = Progress(points=[played(first, 90, ended=False)], skills={}, revise=[])
    assert reached_level(unfinished, scenarios) == 0
    passed = Progress(points=[played(first, PASS_MARK)], skills={}, revise=[])
    assert reached_level(passed, scenarios) == 1
    advanced = next(s.id for s in scenarios if s.difficulty == "advanced")
    top = Progress(points=[played(advanced, 95)], skills={}, revise=[])
    assert reached_level(top, scenarios) == len(LEVELS) - 1


def test_the_weakest_skill_picks_the_scenario_that_trains_it(
    scenarios: list[Scenario], cards: list[Card]
) -> None:
    # Passed a beginner scenario; weak at moderation, fine elsewhere: the Discord raid
    # (intermediate, now open) trains moderation most.
    weak = Progress(
        points=[played("angry-customer", 75)],
        skills={"moderation-and-trolls": 30.0, "answering": 85.0, "empathy-and-apology": 80.0},
        revise=[],
    )
    found = recommend(weak, scenarios, cards)
    assert found is not None and found.reason == "weakest"
    trained = themes_trained(next(s for s in scenarios if s.id == found.scenario_id), cards)
    best_share = max(
        themes_trained(s, cards).get("moderation-and-trolls", 0.0)
        for s in scenarios
        if s.difficulty in ("beginner", "intermediate")
    )
    assert trained["moderation-and-trolls"] == pytest.approx(best_share)
    assert found.themes == [("moderation-and-trolls", 30.0)]


def test_weak_skills_stay_within_open_levels(scenarios: list[Scenario], cards: list[Card]) -> None:
    # Weak at crisis communication but no level passed yet: a beginner scenario, not a crisis.
    weak = Progress(
        points=[played("angry-customer", 40)],
        skills={"crisis-communication": 20.0},
        revise=[],
    )
    found = recommend(weak, scenarios, cards)
    assert found is not None
    chosen = next(s for s in scenarios if s.id == found.scenario_id)
    assert chosen.difficulty == "beginner"


def test_strong_everywhere_moves_on_to_a_new_scenario(
    scenarios: list[Scenario], cards: list[Card]
) -> None:
    strong = Progress(points=[played("angry-customer", 88)], skills={"answering": 90.0}, revise=[])
    found = recommend(strong, scenarios, cards)
    assert found is not None and found.reason == "next-level"
    assert found.scenario_id != "angry-customer"


def test_everything_played_suggests_the_lowest_score_again(
    scenarios: list[Scenario], cards: list[Card]
) -> None:
    points = [played(s.id, 80 + i % 10) for i, s in enumerate(scenarios)]
    points[3] = played(scenarios[3].id, 61)
    found = recommend(
        Progress(points=points, skills={"answering": 90.0}, revise=[]), scenarios, cards
    )
    assert found is not None and found.reason == "replay"
    assert found.scenario_id == scenarios[3].id
