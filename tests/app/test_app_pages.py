"""AppTest for the pages around practice: a whole session to the debrief, progress, settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import simulator.llm.local_models as local_models
from simulator.content import get_scenario
from tests.app_helpers import stored_state

APP = str(Path(__file__).resolve().parents[2] / "app.py")
REPLIES = {
    "fr": "Bonjour {name}, vraiment désolés pour ces heures difficiles. On vérifie tout de suite "
    "et on vous écrit en MP avec un point précis ce soir à 18 h. — Camille",
    "en": "Hi {name}, we're truly sorry for this. We're checking right now and will DM you "
    "with a precise update at 6pm tonight. - Camille",
}


def app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=120)


def play_to_the_end(lang: str, scenario_id: str) -> AppTest:
    at = app()
    at.session_state["lang"] = lang
    at.session_state["scenario_id"] = scenario_id
    at.switch_page("app_pages/practice.py").run()
    scenario = get_scenario(scenario_id)
    lead = scenario.persona(scenario.lead_persona).name.split()[0]
    for _ in range(scenario.end.max_turns):
        if stored_state(at)["ended"]:
            break
        assert not at.exception
        at.text_area[0].input(REPLIES[lang].format(name=lead))
        next(b for b in at.button if b.label in ("Publier", "Publish")).click().run()
    assert not at.exception
    assert stored_state(at)["ended"]
    return at


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("scenario_id", ["angry-customer", "viral-crisis", "identity-choice"])
def test_a_whole_session_ends_on_the_debrief(lang: str, scenario_id: str) -> None:
    at = play_to_the_end(lang, scenario_id)
    see = [b for b in at.button if b.label in ("Voir le débrief", "See the debrief")]
    assert see
    see[0].click().run()
    assert not at.exception
    assert at.title[0].value in ("Débrief", "Debrief")
    # Every criterion has its bar, the cited cards are there, the report can be downloaded.
    assert len(at.get("progress")) >= len(get_scenario(scenario_id).rubric)
    expanders = [e.label for e in at.expander]
    assert expanders and all(
        label in ("Fiches pratiques citées", "Practice cards cited") for label in expanders
    )
    # The turn's checks: what it called for, each met with the reply's words, or missed.
    text = " ".join(str(m.value) for m in at.markdown)
    called = ("Ce que ce tour demandait", "What this turn called for")
    assert any(c in text for c in called)
    assert any(mark in text for mark in ("✅", "⬜", "⚠️"))
    downloads = at.get("download_button")
    assert len(downloads) == 2
    # The progress page now lists the finished session.
    at.switch_page("app_pages/progress.py").run()
    assert not at.exception
    assert len(at.dataframe) == 1


def test_debrief_without_a_session_explains() -> None:
    at = app()
    at.session_state["lang"] = "en"
    at.switch_page("app_pages/debrief.py").run()
    assert not at.exception
    assert at.info[0].value == "Finish a practice session to see its debrief here."


def test_progress_without_a_session_explains() -> None:
    at = app()
    at.switch_page("app_pages/progress.py").run()
    assert not at.exception
    assert at.info[0].value.startswith("Aucune session notée")


def test_settings_choose_provider_and_check_it() -> None:
    at = app()
    at.session_state["lang"] = "en"
    at.switch_page("app_pages/settings.py").run()
    assert not at.exception
    assert at.title[0].value == "Settings"
    at.selectbox[0].set_value("fake").run()
    assert at.session_state["provider"] == "fake"
    next(b for b in at.button if b.label == "Check the connection").click().run()
    assert not at.exception
    assert at.success[-1].value.startswith("fake answers")


def _only_light_voice_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    real = local_models.chunk_paths

    def chunk_paths(candidate: local_models.Candidate) -> list[Path]:
        if candidate.name == "qwen2.5-1.5b":
            raise local_models.ModelNotInstalled("not installed")
        return real(candidate)

    monkeypatch.setattr(local_models, "chunk_paths", chunk_paths)


def test_settings_offers_the_richer_voice_with_its_cost(monkeypatch: pytest.MonkeyPatch) -> None:
    # Both voices "installed" whatever this machine has: the page only asks chunk_paths.
    monkeypatch.setattr(local_models, "chunk_paths", lambda candidate: [])
    at = app()
    at.session_state["lang"] = "en"
    at.switch_page("app_pages/settings.py").run()
    at.selectbox[0].set_value("local").run()
    voice = next(r for r in at.radio if r.key == "local_voice")
    assert voice.options[:2] == [
        "Light (Qwen2.5 0.5B, default)",
        "Richer (Qwen2.5 1.5B)",
    ]
    assert voice.value == "qwen2.5-0.5b"
    voice.set_value("qwen2.5-1.5b").run()
    assert not at.exception
    assert at.session_state["model"] == "qwen2.5-1.5b"
    assert "1.9 GB of RAM" in voice.proto.captions[1]
    assert not any("make richer-voice" in c.value for c in at.caption)


def test_settings_says_how_to_install_a_missing_voice(monkeypatch: pytest.MonkeyPatch) -> None:
    _only_light_voice_installed(monkeypatch)
    at = app()
    at.session_state["lang"] = "fr"
    at.switch_page("app_pages/settings.py").run()
    at.selectbox[0].set_value("local").run()
    voice = next(r for r in at.radio if r.key == "local_voice")
    assert "qwen2.5-1.5b" not in voice.options
    assert any("make richer-voice" in c.value for c in at.caption)
    # "other" still takes a path, and the typed value is what the session will use.
    voice.set_value("other").run()
    next(i for i in at.text_input).input("/models/mine.gguf").run()
    assert not at.exception
    assert at.session_state["model"] == "/models/mine.gguf"


def test_settings_language_switch() -> None:
    at = app()
    at.switch_page("app_pages/settings.py").run()
    assert at.title[0].value == "Réglages"
    next(r for r in at.radio if r.key == "settings_lang").set_value("en").run()
    assert not at.exception
    assert at.session_state["lang"] == "en"
    assert at.title[0].value == "Settings"


@pytest.mark.parametrize(
    "page",
    [
        "home",
        "practice",
        "debrief",
        "knowledge",
        "progress",
        "settings",
        "assessment",
        "employer",
        "trainer",
        "join",
        "studio",
    ],
)
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_page_renders_in_both_languages(page: str, lang: str) -> None:
    at = app()
    at.session_state["lang"] = lang
    if page == "practice":
        at.session_state["scenario_id"] = "identity-choice"
    at.switch_page(f"app_pages/{page}.py").run()
    assert not at.exception


@pytest.mark.slow
def test_practice_shows_what_the_turn_called_for_after_a_reply() -> None:
    at = app()
    at.session_state["lang"] = "en"
    at.session_state["scenario_id"] = "angry-customer"
    at.switch_page("app_pages/practice.py").run()
    at.text_area[0].input(REPLIES["en"].format(name="Julie"))
    next(b for b in at.button if b.label == "Publish").click().run()
    assert not at.exception
    labels = [e.label for e in at.expander]
    assert "What this turn called for, checked in your reply" in labels
    text = " ".join(str(m.value) for m in at.markdown)
    assert "**Done**" in text or "**Missing**" in text
