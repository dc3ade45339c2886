"""The shipped scenarios meet the content bar of the foundation issue, in both languages."""

from __future__ import annotations

import pytest

from simulator.content import MOODS, catalogue, get_scenario, practice_ids

CORE = ["angry-customer", "viral-crisis", "identity-choice"]


@pytest.mark.parametrize("scenario_id", CORE)
def test_core_scenario_content(scenario_id: str) -> None:
    scenario = get_scenario(scenario_id)
    assert len(scenario.personas) >= 2
    assert scenario.opening
    assert len(scenario.injects) >= 2
    assert len(scenario.model_answers) >= 2
    assert len(scenario.rubric) >= 3
    speakers = {scenario.lead_persona, *(i.persona for i in scenario.injects)}
    for speaker in speakers:
        for mood in MOODS:
            assert scenario.reactions[speaker].lines(mood), (speaker, mood)
    known = practice_ids()
    assert known is not None
    assert {p for c in scenario.rubric for p in c.practices} <= known


def test_identity_choice_weighs_the_four_variables() -> None:
    scenario = get_scenario("identity-choice")
    ids = {c.id for c in scenario.rubric}
    assert {"organisation-type", "editorial-line", "community-type", "information-type"} <= ids
    assert scenario.decision is not None
    assert {o.id for o in scenario.decision.options} == {"brand", "first_name", "team"}


def test_catalogues_have_the_same_keys() -> None:
    assert set(catalogue("fr")) == set(catalogue("en"))
    assert all(value.strip() for value in catalogue("fr").values())
