"""The studio in AppTest (the plain-text editor; the Ace editor is driven in Chromium):
trainers only, a copy of a shipped scenario, a typo found at its line, the form writing
back to the YAML, the preview in both languages, a play-test with grades and checks, a
saved draft students cannot see, publishing to a cohort, and refusals that change nothing."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import text
from streamlit.testing.v1 import AppTest

from simulator.content import UnknownScenario, get_scenario
from simulator.store import SCENARIO_TEMPLATE, Employer, SqlStore, create_cohort, create_staff
from tests.app_helpers import app
from tests.openai_stub import Behaviour, OpenAIStub

PASSWORD = "a long enough password"
NEW_ID = "angry-customer-nova2"


def studio(email: str, lang: str = "en") -> AppTest:
    at = app()
    at.session_state["lang"] = lang
    at.switch_page("app_pages/studio.py").run()
    at.text_input[0].input(email)
    at.text_input[1].input(PASSWORD)
    next(b for b in at.button if b.label in ("Sign in", "Se connecter")).click().run()
    assert not at.exception
    return at


def open_copy(at: AppTest, source: str = "angry-customer", new_id: str = NEW_ID) -> None:
    at.selectbox(key="studio_source").set_value(f"copy:{source}").run()
    at.text_input(key="studio_new_id").input(new_id).run()
    at.button(key="studio_open").click().run()
    at.toggle(key="studio_plain").set_value(True).run()
    assert not at.exception


def yaml_box(at: AppTest) -> str:
    return str(next(a for a in at.text_area if a.label == "Scenario (YAML)").value)


def type_yaml(at: AppTest, value: str) -> None:
    next(a for a in at.text_area if a.label == "Scenario (YAML)").input(value).run()
    assert not at.exception


def test_only_trainers_open_the_studio(store: SqlStore) -> None:
    create_staff(store, "hr@example.com", PASSWORD, "employer")
    at = studio("hr@example.com")
    assert at.error[0].value == "Wrong e-mail or password."
    assert not any(a.label == "Scenario (YAML)" for a in at.text_area)


def test_a_copy_with_a_typo_is_found_at_its_line_then_fixed_previewed_and_played(
    store: SqlStore, trainer: Employer
) -> None:
    at = studio(trainer.email)
    open_copy(at)
    original = yaml_box(at)
    assert original.startswith(f"id: {NEW_ID}\n") or f"\nid: {NEW_ID}\n" in original
    assert any(s.value.startswith("Valid") for s in at.success)
    # A typo in a field name: the problem names the line and the field.
    lines = original.splitlines()
    brand_line = next(i for i, line in enumerate(lines, start=1) if line.startswith("brand:"))
    type_yaml(at, original.replace("\nbrand:", "\nbrnd:", 1))
    shown = [m.value for m in at.markdown]
    assert any(f"line {brand_line}: brnd: unknown field" in v for v in shown), shown
    assert any(b.label == f"Line {brand_line}" for b in at.button)
    next(b for b in at.button if b.label == f"Line {brand_line}").click().run()
    assert at.session_state["studio_goto"][0] == brand_line
    # Fixed, then the form changes the brand and a persona and writes back to the YAML.
    type_yaml(at, original)
    form = next(i for i in at.text_input if i.label == "Brand name")
    form.input("Nova Fibre")
    next(i for i in at.text_input if i.label == "Persona 1: name").input("Julie Marchand")
    next(b for b in at.button if b.label.startswith("Write these fields")).click().run()
    assert not at.exception
    rewritten = yaml_box(at)
    assert "name: Nova Fibre" in rewritten and "Julie Marchand" in rewritten
    assert any(s.value.startswith("Valid") for s in at.success)
    # The preview draws the opening feed in both languages.
    texts = [m.value for m in at.markdown]
    assert "**In French**" in texts and "**In English**" in texts
    assert any("**Julie Marchand**" in v for v in texts)
    # A play-test on the fake provider: a graded turn with what it called for.
    at.radio(key="studio_play_lang").set_value("en").run()
    at.text_area(key="studio_play_reply").input(
        "Hi Julie, we're truly sorry. We're checking your line now and will DM you with a "
        "precise update at 6pm. - Camille"
    )
    next(b for b in at.button if b.label == "Send").click().run()
    assert not at.exception
    assert any(m.value.startswith("**Last reply: ") for m in at.markdown)
    assert any(re.search(r"\*\*(Done|Missing|To avoid)\*\*", m.value) for m in at.markdown)


def test_save_is_a_draft_until_published_to_a_cohort(store: SqlStore, trainer: Employer) -> None:
    cohort = create_cohort(store, trainer, "Promo", ["viral-crisis"], "en").cohort
    at = studio(trainer.email)
    open_copy(at)
    at.button(key="studio_save").click().run()
    assert any(s.value.startswith(f"Saved: {NEW_ID}, version 1") for s in at.success)
    with pytest.raises(UnknownScenario):
        get_scenario(NEW_ID)  # a draft: nobody plays it
    at.multiselect(key="studio_publish_cohorts").set_value([cohort.id]).run()
    at.button(key="studio_publish").click().run()
    assert any(s.value.startswith(f"Published: {NEW_ID}") for s in at.success)
    assert get_scenario(NEW_ID).id == NEW_ID
    with store.engine.connect() as connection:
        assigned = connection.execute(
            text("SELECT scenario_id FROM assignments WHERE cohort_id = :c"), {"c": cohort.id}
        ).scalars()
        assert NEW_ID in list(assigned)


def test_a_shipped_id_or_another_trainers_scenario_is_refused_and_nothing_stored(
    store: SqlStore, trainer: Employer
) -> None:
    at = studio(trainer.email)
    open_copy(at, new_id="angry-customer")  # keeps the shipped id
    at.button(key="studio_save").click().run()
    assert at.error[0].value.startswith("Not done: id: angry-customer is a shipped scenario")
    with store.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM scenario_versions")).scalar() == 0


def test_draft_assistance_says_why_not_without_a_capable_model(trainer: Employer) -> None:
    at = studio(trainer.email)  # the fake provider (tests' default)
    assert any(c.value.startswith("Draft assistance is off: ") for c in at.caption)
    at.session_state["provider"] = "local"
    at.run()
    off = next(c.value for c in at.caption if c.value.startswith("Draft assistance is off"))
    assert "0 valid drafts out of 2" in off


def test_a_capable_model_drafts_a_scenario_into_the_editor(
    trainer: Employer, stub: OpenAIStub
) -> None:
    stub.push(Behaviour(text="Here it is:\n```yaml\n" + SCENARIO_TEMPLATE + "\n```\n"))
    at = studio(trainer.email)
    at.session_state["provider"] = "openai"  # as chosen in Settings: the stub server
    at.run()
    description = next(a for a in at.text_area if a.label.startswith("The situation"))
    description.input("A gym chain raises its prices by email; members protest on Instagram.")
    drafted_id = next(i for i in at.text_input if i.value == "my-draft")
    drafted_id.input("gym-prices")
    next(b for b in at.button if b.label == "Draft a scenario").click().run()
    assert not at.exception
    assert any(i.value.startswith("A draft is in the editor (0 problem(s)") for i in at.info)
    at.toggle(key="studio_plain").set_value(True).run()
    assert yaml_box(at).startswith("id: gym-prices") or "\nid: gym-prices\n" in yaml_box(at)
    assert "gym chain" in stub.state.requests[0]["messages"][-1]["content"]


def test_the_studio_works_in_french(trainer: Employer) -> None:
    at = studio(trainer.email, "fr")
    at.selectbox(key="studio_source").set_value("copy:baby-recall").run()
    at.button(key="studio_open").click().run()
    assert not at.exception
    assert at.title[0].value == "Studio de scénarios"
    assert any(s.value.startswith("Valide") for s in at.success)
    assert any(m.value == "**En français**" for m in at.markdown)
