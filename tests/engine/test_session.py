"""The session state machine: moods, metrics, injects, time limit, end, determinism."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.community import ScriptedVoice
from simulator.content import Dynamics, Scenario, load_scenario
from simulator.engine import (
    MetricState,
    ReplyRejected,
    Session,
    SessionOver,
    SessionState,
    late_minutes,
    mood_steps,
    move_mood,
    step_metrics,
)
from simulator.grading import RuleBasedAssessor
from tests.fakes import EchoVoice, ScriptedGrader

FIXTURE = Path(__file__).parents[1] / "fixtures" / "minimal.yaml"


@pytest.fixture
def scenario() -> Scenario:
    return load_scenario(FIXTURE)


def start(scenario: Scenario, scores: list[float], seed: int = 1, lang: str = "en") -> Session:
    return Session.start(scenario, lang, seed, ScriptedGrader(scores), ScriptedVoice())  # type: ignore[arg-type]


# ------------------------------------------------------------------ metric model


def test_good_reply_raises_sentiment_and_lowers_escalation() -> None:
    before = MetricState(sentiment=-40, reach=1000, escalation=30)
    after = step_metrics(before, 0.9, 0.0, Dynamics())
    assert after.sentiment == pytest.approx(-40 + 30 * 0.8)
    assert after.escalation == pytest.approx(30 - 30 * 0.8)
    assert after.reach < before.reach


def test_poor_reply_spreads_more_when_escalation_is_high() -> None:
    low = step_metrics(MetricState(sentiment=0, reach=1000, escalation=0), 0.1, 0, Dynamics())
    high = step_metrics(MetricState(sentiment=0, reach=1000, escalation=90), 0.1, 0, Dynamics())
    assert high.reach > low.reach > 1000


def test_metrics_are_clamped() -> None:
    state = MetricState(sentiment=95, reach=10, escalation=2)
    after = step_metrics(state, 1.0, 0, Dynamics(sentiment_gain=50))
    assert after.sentiment == 100
    assert after.escalation == 0
    worse = step_metrics(MetricState(sentiment=-95, reach=10, escalation=98), 0.0, 5, Dynamics())
    assert worse.sentiment == -100
    assert worse.escalation == 100


def test_lateness_costs_sentiment_and_reach() -> None:
    state = MetricState(sentiment=0, reach=1000, escalation=30)
    on_time = step_metrics(state, 0.6, 0.0, Dynamics())
    late = step_metrics(state, 0.6, 2.0, Dynamics())
    assert late.sentiment == pytest.approx(on_time.sentiment - 10)
    assert late.reach > on_time.reach
    assert late_minutes(300, 120) == pytest.approx(3.0)
    assert late_minutes(60, 120) == 0
    assert late_minutes(None, 120) == 0


@pytest.mark.parametrize(
    ("g", "sensitivity", "late", "steps"),
    [
        (1.0, 1, False, 2),
        (0.8, 1, False, 1),
        (0.55, 1, False, 0),
        (0.3, 1, False, -1),
        (0.0, 1, False, -2),
        (0.55, 1, True, -1),
        (0.7, 2, False, 2),
        (0.7, 0.5, False, 0),
    ],
)
def test_mood_steps(g: float, sensitivity: float, late: bool, steps: int) -> None:
    assert mood_steps(g, sensitivity, late) == steps


def test_mood_ladder_is_bounded() -> None:
    assert move_mood("furious", -2) == "furious"
    assert move_mood("calm", 2) == "won_over"
    assert move_mood("angry", 1) == "wary"


# ------------------------------------------------------------------ sessions


def test_opening_posts_and_initial_state(scenario: Scenario) -> None:
    session = start(scenario, [])
    state = session.state
    assert [e.author for e in state.events] == ["ana"]
    assert state.events[0].text == "Still no signal!"
    assert state.moods == {"ana": "angry"}
    assert state.metrics.sentiment == -40


def test_good_reply_moves_mood_up_and_lead_reacts(scenario: Scenario) -> None:
    session = start(scenario, [90])
    record = session.submit("thanks", delay_s=30)
    assert record.moods["ana"] == "calm"  # angry + 2 rungs
    reactions = [e for e in session.state.events if e.kind == "reaction" and e.turn == 1]
    assert reactions[0].author == "ana"
    assert reactions[0].text in {"Okay."}
    assert record.metrics["sentiment"] == pytest.approx(-40 + 30 * 0.8, abs=0.1)


def test_poor_reply_moves_mood_down(scenario: Scenario) -> None:
    session = start(scenario, [10])
    record = session.submit("meh", delay_s=30)
    assert record.moods["ana"] == "furious"
    ana = [e for e in session.state.events if e.author == "ana" and e.kind == "reaction"]
    assert ana[0].text == "Unacceptable."


def test_timed_inject_fires_after_its_turn_and_persona_then_reacts(scenario: Scenario) -> None:
    session = start(scenario, [50, 50])
    record = session.submit("first", delay_s=10)
    assert record.injects == ["press"]
    inject_event = next(e for e in session.state.events if e.inject == "press")
    assert inject_event.author == "rex" and inject_event.inject == "press"
    assert inject_event.text == "A general outage?"
    assert "rex" in session.state.in_scene
    assert session.state.responders == ["ana", "rex"]
    session.submit("second", delay_s=10)
    turn2 = [
        e.author
        for e in session.state.events
        if e.turn == 2 and e.kind == "reaction" and e.author != "crowd"
    ]
    assert turn2 == ["ana", "rex"]


def test_inject_effect_applies(scenario: Scenario) -> None:
    session = start(scenario, [50])
    record = session.submit("first", delay_s=10)
    # g=0.5: sentiment unchanged, escalation unchanged before the inject's +10.
    assert record.metrics["escalation"] == pytest.approx(40)


def test_state_triggered_inject(scenario: Scenario) -> None:
    session = start(scenario, [0, 0, 0])
    fired: list[str] = []
    for text in ("a", "b", "c"):
        if session.state.ended:
            break
        fired += session.submit(text, delay_s=10).injects
    assert "spread" in fired or session.state.metrics.reach < 100000


def test_state_trigger_reached_with_high_reach(scenario: Scenario) -> None:
    data = scenario.model_dump()
    data["metrics"]["reach"]["initial"] = 200000
    session = start(Scenario.model_validate(data), [50])
    assert session.submit("x", delay_s=10).injects == ["press", "spread"]


def test_time_limit_overrun_costs_sentiment_and_a_mood_rung(scenario: Scenario) -> None:
    on_time = start(scenario, [55]).submit("x", delay_s=60)
    late = start(scenario, [55]).submit("x", delay_s=120 + 180)
    assert late.late_min == pytest.approx(3.0)
    assert late.metrics["sentiment"] == pytest.approx(on_time.metrics["sentiment"] - 15, abs=0.2)
    assert late.moods["ana"] == "furious" and on_time.moods["ana"] == "angry"


def test_resolved_end(scenario: Scenario) -> None:
    session = start(scenario, [100, 100, 100])
    session.submit("a", delay_s=5)
    session.submit("b", delay_s=5)
    assert session.state.ended and session.state.end_reason == "resolved"
    with pytest.raises(SessionOver):
        session.submit("c")


def test_out_of_control_end(scenario: Scenario) -> None:
    session = start(scenario, [0, 0, 0])
    session.submit("a", delay_s=5)
    session.submit("b", delay_s=5)
    assert session.state.end_reason == "out_of_control"


def test_turn_limit_end(scenario: Scenario) -> None:
    session = start(scenario, [55, 55, 55])
    for text in "abc":
        session.submit(text, delay_s=5)
    assert session.state.end_reason == "turn_limit"
    assert session.state.turn == 3


def test_refused_reply_changes_nothing(scenario: Scenario) -> None:
    session = start(scenario, [50])
    before = session.state.model_dump_json()
    with pytest.raises(ReplyRejected):
        session.submit("x" * 5000)
    with pytest.raises(ReplyRejected):
        session.submit("fine", choice="brand")
    assert session.state.model_dump_json() == before


def test_lines_never_repeat_within_a_session(scenario: Scenario) -> None:
    session = start(scenario, [50, 50, 50])
    for text in "abc":
        session.submit(text, delay_s=5)
    ana_lines = [e.text for e in session.state.events if e.author == "ana" and e.kind == "reaction"]
    assert len(ana_lines) == len(set(ana_lines)) == 3


def test_same_seed_same_session_and_different_seed_differs() -> None:
    scenario = load_scenario(Path("scenarios/angry-customer.yaml"))
    replies = [
        "We are so sorry Julie, we are checking now, DM us.",
        "ok",
        "A technician comes today.",
    ]

    def run(seed: int) -> str:
        session = Session.start(scenario, "fr", seed, RuleBasedAssessor(), ScriptedVoice())
        for reply in replies:
            if not session.state.ended:
                session.submit(reply, delay_s=20)
        return session.state.model_dump_json()

    assert run(7) == run(7)
    assert len({run(seed) for seed in range(6)}) > 1


def test_state_round_trips_and_resumes(scenario: Scenario) -> None:
    session = start(scenario, [60])
    session.submit("one", delay_s=5)
    state = SessionState.model_validate_json(session.state.model_dump_json())
    resumed = Session(scenario, ScriptedGrader([60]), ScriptedVoice(), state)  # type: ignore[arg-type]
    resumed.submit("two", delay_s=5)
    assert [t.reply for t in resumed.state.turns] == ["one", "two"]


def test_voice_speaks_for_reactions_with_fallback_and_examples(scenario: Scenario) -> None:
    voice = EchoVoice()
    session = Session.start(scenario, "fr", 1, ScriptedGrader([50]), voice)  # type: ignore[arg-type]
    session.submit("Bonjour", delay_s=5)
    request = voice.requests[0]
    assert request.persona.id == "ana" and request.lang == "fr"
    assert request.trainee_reply == "Bonjour"
    assert request.fallback in request.examples
    reaction = next(e for e in session.state.events if e.kind == "reaction")
    assert reaction.source == "voice" and reaction.text.startswith("[ana/")


def test_french_session_speaks_french(scenario: Scenario) -> None:
    session = start(scenario, [90], lang="fr")
    session.submit("x", delay_s=5)
    assert session.state.events[0].text == "Toujours pas de réseau !"
    ana = [e for e in session.state.events if e.author == "ana" and e.kind == "reaction"]
    assert ana[0].text == "D'accord."
