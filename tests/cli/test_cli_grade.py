"""`cm-sim grade` and `cm-sim eval grader`: the command-line contract of DESIGN.md."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from simulator.cli import app

pytestmark = pytest.mark.slow
runner = CliRunner()
CONTRACT = {"score", "criteria", "practices", "better_reply"}


def test_grade_one_reply_prints_the_contract_json() -> None:
    result = runner.invoke(
        app,
        [
            "grade",
            "--scenario",
            "angry-customer",
            "--lang",
            "en",
            "--turn",
            "1",
            "--json",
            "--reply",
            "Julie, we're so sorry: three days offline while working from home is "
            "awful. A technician is booked for tomorrow 8-12; I'll DM you the details. - Sam",
        ],
    )
    assert result.exit_code == 0, result.output
    verdict = json.loads(result.stdout)
    assert set(verdict) == CONTRACT
    assert 0 <= verdict["score"] <= 100
    for criterion in verdict["criteria"]:
        assert set(criterion) == {"id", "score", "feedback", "practices"}


def test_grade_batch_keeps_order_one_object_per_line(tmp_path: Path) -> None:
    lines = [
        {"scenario": "angry-customer", "lang": "fr", "reply": "Débrouillez-vous, c'est votre box."},
        {
            "scenario": "viral-crisis",
            "lang": "en",
            "reply": "Sorry Sofiane, salads are off sale "
            "since 4pm, our quality manager is on site at 6:30pm; next update here at 8pm.",
            "turn": 1,
        },
        {"scenario": "identity-choice", "lang": "fr", "reply": "", "turn": 2},
    ]
    batch = tmp_path / "batch.jsonl"
    batch.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n")
    result = runner.invoke(app, ["grade", "--batch", str(batch), "--json"])
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert len(out) == 3 and all(set(o) == CONTRACT for o in out)
    assert out[1]["score"] > out[0]["score"]
    assert out[2]["score"] == 0


def test_bad_batch_lines_are_all_reported_before_grading(tmp_path: Path) -> None:
    batch = tmp_path / "bad.jsonl"
    batch.write_text(
        '{"scenario": "angry-customer", "lang": "fr", "reply": "ok"}\n'
        "not json\n"
        '{"scenario": "nope", "lang": "fr", "reply": "ok"}\n'
        '{"scenario": "angry-customer", "lang": "de", "reply": "ok", "extra": 1}\n'
    )
    result = runner.invoke(app, ["grade", "--batch", str(batch), "--json"])
    assert result.exit_code == 1
    assert f"{batch}:2: not JSON" in result.output
    assert f"{batch}:3: scenario: unknown scenario 'nope'" in result.output
    assert f"{batch}:4: lang:" in result.output and f"{batch}:4: extra:" in result.output
    assert "Traceback" not in result.output


def test_grade_needs_a_reply_or_a_batch() -> None:
    result = runner.invoke(app, ["grade", "--scenario", "angry-customer"])
    assert result.exit_code == 2 and "--batch" in result.output


def test_grade_unknown_scenario_is_a_message() -> None:
    result = runner.invoke(app, ["grade", "--scenario", "nope", "--reply", "hi", "--json"])
    assert result.exit_code == 1 and "unknown scenario 'nope'" in result.output
