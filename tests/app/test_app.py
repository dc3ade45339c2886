"""Streamlit AppTest: every page renders, a scenario can be played a turn, language switches."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from simulator.content import all_scenarios
from tests.app_helpers import stored_state

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")


def app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    return at


def test_home_lists_core_scenarios_in_french() -> None:
    at = app().run()
    assert not at.exception
    assert at.title[0].value == "CM Simulator"
    assert at.subheader[0].value == "Scénarios"
    assert len([b for b in at.button if b.label == "Lancer ce scénario"]) >= 3
    shown = " ".join(m.value for m in at.markdown)
    for scenario in all_scenarios()[0]:
        assert scenario.title.fr in shown


def test_language_switch_to_english() -> None:
    at = app().run()
    at.sidebar.radio[0].set_value("en").run()
    assert not at.exception
    assert at.subheader[0].value == "Scenarios"
    assert any(b.label == "Start this scenario" for b in at.button)


def test_practice_without_scenario_explains() -> None:
    at = app()
    at.switch_page("app_pages/practice.py").run()
    assert not at.exception
    assert at.info[0].value == "Choisissez d'abord un scénario sur la page d'accueil."


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_play_one_turn_of_angry_customer(lang: str) -> None:
    at = app()
    at.session_state["lang"] = lang
    at.session_state["scenario_id"] = "angry-customer"
    at.switch_page("app_pages/practice.py").run()
    assert not at.exception
    posts_before = len(at.markdown)
    reply = (
        "Bonjour Julie, vraiment désolée, je vérifie et je vous écris en MP. — Camille"
        if lang == "fr"
        else "Hi Julie, so sorry, I'm checking now and will DM you. - Camille"
    )
    at.text_area[0].input(reply)
    at.button[-1].click().run()
    assert not at.exception
    state = stored_state(at)
    assert state["turn"] == 1
    assert state["turns"][0]["reply"] == reply
    assert len(at.markdown) > posts_before
    assert at.info[0].value.startswith("Note" if lang == "fr" else "Score")


def test_decision_radio_in_identity_choice() -> None:
    at = app()
    at.session_state["lang"] = "en"
    at.session_state["scenario_id"] = "identity-choice"
    at.switch_page("app_pages/practice.py").run()
    assert not at.exception
    decision = [r for r in at.radio if r.label.startswith("Decision")]
    assert decision, [r.label for r in at.radio]
    assert len(decision[0].options) == 3
    decision[0].set_value("first_name")
    at.text_area[0].input("Hi! I'm Léa, a real human from the workshop, not a bot. — Léa")
    at.button[-1].click().run()
    assert not at.exception
    assert stored_state(at)["turns"][0]["choice"] == "first_name"


def test_markdown_in_a_reply_is_escaped() -> None:
    at = app()
    at.session_state["lang"] = "en"
    at.session_state["scenario_id"] = "angry-customer"
    at.switch_page("app_pages/practice.py").run()
    at.text_area[0].input("[click](http://evil.example) <script>alert(1)</script> **bold**")
    at.button[-1].click().run()
    shown = [m.value for m in at.markdown if "evil" in m.value]
    assert shown and all("\\[click\\]" in value and "\\<script\\>" in value for value in shown)


@pytest.mark.slow
def test_knowledge_page_builds_the_index_and_searches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CM_SIM_DATA_DIR", str(tmp_path))
    at = app()
    at.session_state["lang"] = "en"
    at.switch_page("app_pages/knowledge.py").run(timeout=180)
    assert not at.exception
    assert at.title[0].value == "Knowledge base"
    assert len(at.expander) >= 40
    at.text_input[0].input("a journalist asks for a comment").run(timeout=60)
    assert not at.exception
    labels = [e.label for e in at.expander]
    assert any("journalist-to-press-office" in label for label in labels)
