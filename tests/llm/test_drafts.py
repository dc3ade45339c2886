"""Draft assistance: a model's answer becomes a located, validated draft; never executed."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from simulator.cli import app
from simulator.config import load_settings
from simulator.errors import InputError
from simulator.llm import DRAFT_MEASURES, Draft, draft_chat_model, draft_offered, draft_scenario
from simulator.store import SCENARIO_TEMPLATE
from tests.openai_stub import Behaviour, OpenAIStub

runner = CliRunner()
TYPO = SCENARIO_TEMPLATE.replace("reply_time_limit_s:", "reply_time_limt_s:")


def fenced(text: str) -> str:
    return f"Here is your scenario:\n\n```yaml\n{text}```\n\nTell me if you want changes."


def draft(stub: OpenAIStub, answer: str, description: str = "Un client furieux.") -> Draft:
    stub.push(Behaviour(text=answer))
    model = draft_chat_model(load_settings(provider="openai"), timeout_s=20)
    return draft_scenario(description, "fr", SCENARIO_TEMPLATE, model, scenario_id="gym-prices")


def test_a_fenced_answer_with_prose_becomes_a_valid_draft_with_the_id_forced(
    stub: OpenAIStub,
) -> None:
    result = draft(stub, fenced(SCENARIO_TEMPLATE))
    assert result.problems == []
    assert "```" not in result.yaml and "Here is" not in result.yaml
    assert "id: gym-prices\n" in result.yaml and "my-scenario" not in result.yaml
    assert result.seconds >= 0
    request = stub.state.requests[0]
    prompt = " ".join(str(m["content"]) for m in request["messages"])
    assert "Un client furieux." in prompt and "id: gym-prices" in prompt
    # A whole scenario needs room: the budget is a draft's, not a post's.
    assert request.get("max_completion_tokens", request.get("max_tokens", 0)) >= 4000


def test_a_typo_is_a_located_problem(stub: OpenAIStub) -> None:
    result = draft(stub, fenced(TYPO))
    assert result.problems
    line = next(i for i, t in enumerate(result.yaml.splitlines(), 1) if "reply_time_limt_s" in t)
    assert any(
        p.startswith(f"gym-prices.yaml:{line}:") and "reply_time_limt_s" in p
        for p in result.problems
    )


def test_an_answer_that_is_not_yaml_is_problems_not_an_error(stub: OpenAIStub) -> None:
    result = draft(stub, "Sorry, I cannot help with that: {{ [ !!python/object ")
    assert result.problems
    assert all(p.startswith("gym-prices.yaml:") for p in result.problems)


def test_an_unsafe_tag_is_refused_not_executed(stub: OpenAIStub, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    evil = f'!!python/object/apply:os.system ["touch {marker}"]\n'
    result = draft(stub, fenced(SCENARIO_TEMPLATE.replace("channel: x\n", f"channel: {evil}")))
    assert result.problems and not marker.exists()


@pytest.mark.parametrize("description", ["", "   ", "x" * 2001])
def test_empty_or_long_descriptions_are_refused(description: str) -> None:
    model = draft_chat_model(load_settings(provider="fake"))
    with pytest.raises(InputError):
        draft_scenario(description, "en", SCENARIO_TEMPLATE, model)


def test_drafts_are_offered_by_measure() -> None:
    assert draft_offered("openai", "gpt-4o-mini")[0]
    assert draft_offered("ollama", None)[0]
    assert not draft_offered("fake", None)[0]
    assert not draft_offered("local", "some-unmeasured.gguf")[0]
    offered, why = draft_offered("local", None)
    measure = DRAFT_MEASURES["qwen2.5-0.5b"]
    valid, tried = int(str(measure["valid"])), int(str(measure["tried"]))
    assert offered == (valid * 2 >= tried)
    assert f"{valid} valid drafts out of {tried}" in why
    if not offered:
        assert "cm-sim eval draft" in why and str(measure["date"]) in why


def test_cli_draft_exits_0_on_a_valid_draft(stub: OpenAIStub, tmp_path: Path) -> None:
    stub.push(Behaviour(text=fenced(SCENARIO_TEMPLATE)))
    out = tmp_path / "d.yaml"
    result = runner.invoke(
        app,
        [
            "draft",
            "A gym raises its prices.",
            "--lang",
            "en",
            "--provider",
            "openai",
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("# A new scenario")
    assert "id: my-draft\n" in out.read_text(encoding="utf-8")


def test_cli_draft_exits_1_and_still_writes_an_invalid_draft(
    stub: OpenAIStub, tmp_path: Path
) -> None:
    stub.push(Behaviour(text=fenced(TYPO)))
    out = tmp_path / "d.yaml"
    result = runner.invoke(
        app, ["draft", "Une salle de sport.", "--provider", "openai", "-o", str(out)]
    )
    assert result.exit_code == 1
    assert "reply_time_limt_s" in out.read_text(encoding="utf-8")
    assert "my-draft.yaml:" in result.output


def test_cli_refuses_an_empty_description(stub: OpenAIStub) -> None:
    result = runner.invoke(app, ["draft", " ", "--provider", "openai"])
    assert result.exit_code == 1
    assert not stub.state.requests
