"""Where scenarios come from: extra folders add to the shipped one (CM_SIM_SCENARIO_PATH), a
folder with a single scenario breaks nothing (the dev sets always read the shipped folder),
a registered source answers after the files; and single-language scenarios."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from copy import deepcopy
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from simulator.cli import app
from simulator.content import (
    Scenario,
    ScenarioSource,
    Text,
    UnknownScenario,
    all_scenarios,
    get_scenario,
    language_gaps,
    load_scenario_text,
    practice_ids,
    read_yaml,
    register_scenario_source,
    scenario_ids,
    scenario_path,
    scenario_source,
    shipped_scenario,
)
from simulator.engine import LanguageNotOffered, Session
from simulator.errors import ContentError, InputError
from simulator.evals import load_dev_set
from simulator.factory import make_voice
from simulator.grading import RuleBasedAssessor

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "scenarios"
SHIPPED_IDS = sorted(p.stem for p in SHIPPED.glob("*.yaml"))
runner = CliRunner()


def copy_as(scenario_id: str, new_id: str, folder: Path, brand: str | None = None) -> Path:
    """A shipped scenario copied into `folder` under another id (and brand name)."""
    text = (SHIPPED / f"{scenario_id}.yaml").read_text(encoding="utf-8")
    text = text.replace(f"id: {scenario_id}\n", f"id: {new_id}\n", 1)
    if brand is not None:
        original = get_scenario(scenario_id).brand.name
        text = text.replace(f"name: {original}\n", f"name: {brand}\n", 1)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{new_id}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def _no_source() -> Iterator[None]:
    """No store's library in these tests unless one registers it."""
    before = scenario_source()
    register_scenario_source(None)
    yield
    register_scenario_source(before)


@pytest.fixture
def extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """One extra folder holding a single scenario, `my-outage`."""
    folder = tmp_path / "mine"
    copy_as("angry-customer", "my-outage", folder, brand="Fibre Locale")
    monkeypatch.delenv("CM_SIM_SCENARIOS_DIR", raising=False)
    monkeypatch.setenv("CM_SIM_SCENARIO_PATH", str(folder))
    return folder


# ------------------------------------------------------------------ extra folders


def test_an_extra_folder_adds_to_the_shipped_scenarios(extra: Path) -> None:
    assert scenario_ids() == sorted([*SHIPPED_IDS, "my-outage"])
    assert get_scenario("my-outage").brand.name == "Fibre Locale"
    assert get_scenario("angry-customer").brand.name != "Fibre Locale"
    assert scenario_path("my-outage") == extra / "my-outage.yaml"
    valid, problems = all_scenarios()
    assert problems == []
    assert sorted(s.id for s in valid) == sorted([*SHIPPED_IDS, "my-outage"])


def test_an_extra_file_with_a_shipped_id_is_reported_not_loaded(extra: Path) -> None:
    shadow = copy_as("viral-crisis", "angry-customer", extra, brand="Impostor")
    assert get_scenario("angry-customer").brand.name != "Impostor"
    valid, problems = all_scenarios()
    assert [s.id for s in valid].count("angry-customer") == 1
    assert all(s.brand.name != "Impostor" for s in valid)
    (problem,) = problems
    assert problem.file.endswith(str(shadow.name)) and problem.field == "id"
    assert "already a shipped scenario" in problem.message
    id_line = shadow.read_text(encoding="utf-8").splitlines().index("id: angry-customer") + 1
    assert problem.line == id_line


def test_several_folders_are_looked_up_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    copy_as("angry-customer", "shared-one", first, brand="From A")
    copy_as("viral-crisis", "shared-one", second, brand="From B")
    copy_as("troll-raid", "only-b", second)
    monkeypatch.setenv("CM_SIM_SCENARIO_PATH", os.pathsep.join([str(first), "", str(second)]))
    assert get_scenario("shared-one").brand.name == "From A"
    assert get_scenario("only-b").id == "only-b"
    valid, problems = all_scenarios()
    assert {"shared-one", "only-b"} <= {s.id for s in valid}
    (problem,) = problems
    assert "already a scenario of" in problem.message and "a/shared-one.yaml" in problem.message


def test_scenarios_dir_still_replaces_the_shipped_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    only = tmp_path / "only"
    copy_as("angry-customer", "my-outage", only)
    monkeypatch.setenv("CM_SIM_SCENARIOS_DIR", str(only))
    assert scenario_ids() == ["my-outage"]
    with pytest.raises(UnknownScenario, match="unknown scenario 'angry-customer'"):
        get_scenario("angry-customer")
    # What the grader was fitted on stays reachable: the dev sets read the shipped folder.
    assert shipped_scenario("angry-customer").id == "angry-customer"
    assert shipped_scenario("my-outage").id == "my-outage"  # anything else: as configured
    items = load_dev_set()
    assert {i.scenario for i in items} >= {"angry-customer", "viral-crisis"}


def test_a_scenario_id_is_never_a_path(extra: Path) -> None:
    for bad in ("../scenarios/angry-customer", "Angry-Customer", "", "a" * 65):
        with pytest.raises(UnknownScenario):
            get_scenario(bad)
        assert scenario_path(bad) is None


@pytest.mark.slow
def test_grading_works_on_shipped_and_extra_scenarios_with_a_one_scenario_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "mine"
    # The same content as angry-customer under its own id: it must grade the same way.
    copy_as("angry-customer", "my-outage", folder)
    monkeypatch.setenv("CM_SIM_SCENARIO_PATH", str(folder))
    reply = (
        "Julie, three days offline while working from home is awful, we're sorry. A "
        "technician is booked for tomorrow 8-12; I'll DM you the details. - Sam"
    )
    verdicts = {}
    for scenario_id in ("angry-customer", "my-outage"):
        args = ["grade", "--scenario", scenario_id, "--lang", "en", "--reply", reply]
        result = runner.invoke(app, [*args, "--json", "--explain"])
        assert result.exit_code == 0, result.output
        verdicts[scenario_id] = json.loads(result.stdout)
    shipped, mine = verdicts["angry-customer"], verdicts["my-outage"]
    assert 0 < shipped["score"] <= 100
    # The extra scenario's own checks and model answers are used (embedded on first use).
    assert [c["id"] for c in mine["checks"]] == [c["id"] for c in shipped["checks"]]
    assert any(c["status"] == "met" for c in mine["checks"])
    assert mine["score"] == pytest.approx(shipped["score"], abs=0.5)


# ------------------------------------------------------------------ a registered source


class FakeSource:
    def __init__(self, scenarios: dict[tuple[str, int], Scenario], published: int) -> None:
        self.scenarios = scenarios
        self.published = published
        self.asked: list[tuple[str, int | None]] = []

    def load(self, scenario_id: str, version: int | None = None) -> Scenario | None:
        self.asked.append((scenario_id, version))
        return self.scenarios.get((scenario_id, version or self.published))


def test_a_registered_source_answers_after_the_files() -> None:
    base = get_scenario("angry-customer")
    v1 = base.model_copy(update={"id": "stored-one"})
    v2 = v1.model_copy(update={"reply_time_limit_s": 99})
    source = FakeSource({("stored-one", 1): v1, ("stored-one", 2): v2}, published=1)
    as_protocol: ScenarioSource = source  # what the store's StoredScenarios also is
    register_scenario_source(as_protocol)
    assert get_scenario("angry-customer") is base  # files first, the source not asked
    assert source.asked == []
    assert get_scenario("stored-one") == v1
    assert get_scenario("stored-one", version=2).reply_time_limit_s == 99
    with pytest.raises(UnknownScenario, match="'stored-one' version 3"):
        get_scenario("stored-one", version=3)
    # Stored scenarios are offered through cohorts, not in everyone's list.
    assert "stored-one" not in scenario_ids()
    assert "stored-one" not in {s.id for s in all_scenarios()[0]}
    register_scenario_source(None)
    with pytest.raises(UnknownScenario):
        get_scenario("stored-one")


# ------------------------------------------------------------------ languages


def _drop(data: Any, lang: str) -> Any:
    """The raw scenario with every text's `lang` removed."""
    if isinstance(data, dict):
        if data and set(data) <= {"fr", "en"}:
            return {k: v for k, v in data.items() if k != lang}
        return {k: _drop(v, lang) for k, v in data.items()}
    if isinstance(data, list):
        return [_drop(v, lang) for v in data]
    return data


def _raw(scenario_id: str = "angry-customer") -> dict[str, Any]:
    data = read_yaml(SHIPPED / f"{scenario_id}.yaml").data
    assert isinstance(data, dict)
    return data


def _french_only(declare: bool = True) -> str:
    data = _drop(_raw(), "en")
    data["id"] = "outage-fr"
    if declare:
        data = {"id": data.pop("id"), "languages": ["fr"], **data}
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def test_a_single_language_scenario_validates_and_is_offered_in_its_language_only() -> None:
    scenario = load_scenario_text(_french_only(), "outage-fr.yaml", practice_ids=practice_ids())
    assert scenario.languages == ["fr"]
    assert scenario.title.en is None and scenario.title.get("en") == scenario.title.fr
    voice, grader = make_voice("fake"), RuleBasedAssessor()
    session = Session.start(scenario, "fr", 1, grader, voice)
    assert session.state.events and session.state.lang == "fr"
    with pytest.raises(LanguageNotOffered, match=r"offered in fr only") as refused:
        Session.start(scenario, "en", 1, grader, voice)
    assert isinstance(refused.value, InputError)


def test_a_missing_language_is_reported_where_it_is_missing() -> None:
    text = _french_only(declare=False)
    with pytest.raises(ContentError) as refused:
        load_scenario_text(text, "outage-fr.yaml")
    problems = {p.field: p for p in refused.value.problems}
    title = problems["title.en"]
    assert title.message == "missing English text; write it or declare `languages: [fr]`"
    assert title.line == text.splitlines().index("title:") + 1
    assert "personas[0].profile.en" in problems
    assert "reactions.julie.angry[0].en" in problems


def test_language_gaps_reads_the_raw_mapping() -> None:
    data = _raw()
    assert language_gaps(data) == {"fr": [], "en": []}
    broken = deepcopy(data)
    del broken["personas"][1]["profile"]["en"]
    broken["title"]["fr"] = "   "
    broken["rubric"] = "not even a list"  # what validation refuses does not stop it
    assert language_gaps(broken) == {"fr": ["title"], "en": ["personas[1].profile"]}
    assert language_gaps(None) == {"fr": [], "en": []}
    french = yaml.safe_load(_french_only())
    gaps = language_gaps(french)
    assert gaps["fr"] == [] and "brief" in gaps["en"] and "opening[0].text" in gaps["en"]


@pytest.mark.parametrize(
    ("languages", "message"),
    [([], "at least 1 item"), (["fr", "fr"], "listed twice"), (["de"], "'fr' or 'en'")],
)
def test_languages_must_be_a_real_choice(languages: list[str], message: str) -> None:
    data = {"languages": languages, **_raw()}
    with pytest.raises(ContentError) as refused:
        load_scenario_text(yaml.safe_dump(data, allow_unicode=True), "angry-customer.yaml")
    assert any(
        p.field.startswith("languages") and message in p.message for p in refused.value.problems
    ), [str(p) for p in refused.value.problems]


def test_a_text_needs_one_language_at_least() -> None:
    with pytest.raises(ValueError, match="at least one language"):
        Text.model_validate({})
    assert Text(en="Only English").get("fr") == "Only English"
    assert Text(fr="a", en="b").texts() == ["a", "b"]


def test_shipped_scenarios_still_offer_both_languages() -> None:
    for scenario in all_scenarios(SHIPPED)[0]:
        assert scenario.languages == ["fr", "en"], scenario.id
