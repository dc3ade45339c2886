"""Home as a learning path: levels, filters, durations, and the next scenario to play."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from simulator.content import all_scenarios, get_scenario
from simulator.factory import make_store, make_voice
from simulator.grading import RuleBasedAssessor
from simulator.store import create_learner, play_turn, start_session

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def home(lang: str = "fr", **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["lang"] = lang
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def start_buttons(at: AppTest) -> list[str]:
    return [b.key.removeprefix("start-") for b in at.button if b.key and b.key.startswith("start-")]


def test_a_newcomer_sees_the_path_by_level_and_where_to_start() -> None:
    at = home("fr")
    assert not at.exception
    scenarios = all_scenarios()[0]
    # One start button per scenario, plus the recommended one.
    assert sorted(start_buttons(at)) == sorted([s.id for s in scenarios] + ["recommended"])
    headings = [m.value for m in at.markdown if m.value.startswith("#### ")]
    assert headings == [
        "#### Niveau : débutant",
        "#### Niveau : intermédiaire",
        "#### Niveau : avancé",
    ]
    shown = " ".join(m.value for m in at.markdown)
    assert f"À jouer ensuite: {get_scenario('angry-customer').title.fr}" in shown
    captions = " ".join(c.value for c in at.caption)
    assert "Première visite" in captions
    assert "environ 13 min (20 min au plus)" in captions  # angry-customer: 5 turns of 180 s


def test_filters_by_channel_and_skill() -> None:
    at = home("en")
    at.multiselect(key="filter_channels").set_value(["discord"]).run()
    assert not at.exception
    assert set(start_buttons(at)) == {"troll-raid", "recommended"}
    at.multiselect(key="filter_channels").set_value([]).run()
    at.multiselect(key="filter_skills").set_value(["gdpr"]).run()
    assert set(start_buttons(at)) == {"data-deletion", "recommended"}
    at.multiselect(key="filter_channels").set_value(["discord"]).run()
    assert set(start_buttons(at)) == {"recommended"}
    assert at.info[0].value == "No scenario matches these filters."


def test_the_recommendation_follows_the_weakest_skills_in_progress() -> None:
    store = make_store()
    who, token = create_learner(store)
    grader, voice = RuleBasedAssessor(), make_voice("fake")
    scenario = get_scenario("angry-customer")
    session = start_session(store, scenario, "en", 1, grader, voice, participant_id=who.id)
    for turn in range(1, scenario.end.max_turns + 1):
        if store.get(session).state.ended:
            break
        play_turn(store, session, turn, "ok", grader, voice)
    store.dispose()
    at = home("en", me=token)
    assert not at.exception
    captions = [c.value for c in at.caption]
    weakest = [c for c in captions if c.startswith("It trains the skills where your mean score")]
    assert weakest, captions
    # Nothing passed yet: the recommendation stays at the beginner level.
    next(b for b in at.button if b.key == "start-recommended").click().run()
    picked = get_scenario(str(at.session_state["scenario_id"]))
    assert picked.difficulty == "beginner"
