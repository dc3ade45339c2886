"""The command-line contract: validate, schema, play."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from simulator.cli import app
from simulator.content import get_scenario, scenario_ids

ROOT = Path(__file__).resolve().parents[2]
CORE = ["angry-customer", "viral-crisis", "identity-choice"]
runner = CliRunner()

REPLIES = {
    "fr": [
        "Bonjour, je suis vraiment désolée, je comprends votre colère. Je vérifie tout de suite "
        "et je vous écris en MP pour suivre votre dossier. — Camille",
        "Nous enquêtons sur les faits, prochain point ce soir à 18h. Merci de votre patience.",
        "Merci pour votre retour, je vous tiens au courant demain matin. — Camille",
        "C'est réglé de notre côté, n'hésitez pas à revenir vers nous en MP.",
        "Merci à toutes et à tous pour vos messages.",
    ],
    "en": [
        "Hi, I'm really sorry, I understand how frustrating this is. I'm checking right now "
        "and will DM you to follow your case. - Camille",
        "We are investigating the facts; next update tonight at 6pm. Thank you for your patience.",
        "Thanks for your message, I'll keep you posted tomorrow morning. - Camille",
        "It is fixed on our side; feel free to DM us if anything is still wrong.",
        "Thank you all for your messages.",
    ],
}


def write_replies(tmp_path: Path, lang: str, scenario_id: str) -> Path:
    items: list[dict[str, object]] = [{"text": text, "delay_s": 30} for text in REPLIES[lang]]
    if scenario_id in scenario_ids():
        # A scenario with a decision gets its best option at the decision's turn.
        decision = get_scenario(scenario_id).decision
        if decision is not None:
            best = max(decision.options, key=lambda option: option.fit)
            items[decision.at_turn - 1]["choice"] = best.id
    path = tmp_path / f"{scenario_id}-{lang}.json"
    path.write_text(json.dumps(items), encoding="utf-8")
    return path


def test_core_scenarios_are_shipped() -> None:
    assert set(CORE) <= set(scenario_ids())


def test_validate_shipped_scenarios_exit_zero() -> None:
    result = runner.invoke(app, ["validate", str(ROOT / "scenarios")])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""


def test_validate_reports_and_exits_one(tmp_path: Path) -> None:
    bad = tmp_path / "broken.yaml"
    bad.write_text("id: broken\nid: again\n", encoding="utf-8")
    result = runner.invoke(app, ["validate", str(bad), str(tmp_path / "missing.yaml")])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert any(line.endswith("id: duplicate key 'id' (first defined at line 1)") for line in lines)
    assert any("missing.yaml:1: (document): no such file" in line for line in lines)


def test_each_shipped_scenario_has_the_schema_line() -> None:
    for path in (ROOT / "scenarios").glob("*.yaml"):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first == "# yaml-language-server: $schema=./scenario.schema.json", path


def test_schema_is_current(tmp_path: Path) -> None:
    out = tmp_path / "schema.json"
    assert runner.invoke(app, ["schema", "-o", str(out)]).exit_code == 0
    shipped = json.loads((ROOT / "scenarios" / "scenario.schema.json").read_text())
    assert json.loads(out.read_text()) == shipped, (
        "run: cm-sim schema -o scenarios/scenario.schema.json"
    )
    assert shipped["additionalProperties"] is False


def test_twelve_scenarios_are_shipped() -> None:
    assert len(scenario_ids()) >= 12


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("scenario_id", scenario_ids())
def test_every_scenario_plays_to_an_end_deterministically(
    tmp_path: Path, scenario_id: str, lang: str
) -> None:
    replies = write_replies(tmp_path, lang, scenario_id)
    args = ["play", scenario_id, "--lang", lang, "--replies", str(replies)]
    result = runner.invoke(app, [*args, "--provider", "fake", "--seed", "4", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["scenario"] == scenario_id and data["lang"] == lang
    assert data["turns"], "at least one turn played"
    assert data["transcript"][0]["turn"] == 0
    assert len(data["metrics"]) == len(data["turns"]) + 1
    for turn in data["turns"]:
        assert 0 <= turn["score"] <= 100
        assert set(turn["metrics"]) == {"sentiment", "reach", "escalation"}
    assert data["report"]["lang"] == lang
    assert data["end"]["turn"] == len(data["turns"])
    assert data["end"]["ended"], "the replies last as long as the scenario's turns"
    assert data["end"]["reason"] in ("resolved", "out_of_control", "turn_limit")
    again = runner.invoke(app, [*args, "--provider", "fake", "--seed", "4", "--json"])
    assert again.stdout == result.stdout


def test_play_plain_text_replies(tmp_path: Path) -> None:
    replies = tmp_path / "replies.txt"
    replies.write_text("Sorry Julie, checking now.\n---\nA technician comes today.\n")
    result = runner.invoke(
        app, ["play", "angry-customer", "--lang", "en", "--replies", str(replies)]
    )
    assert result.exit_code == 0, result.output
    assert "Julie Martin @julie_m" in result.stdout


def test_play_errors_are_messages_not_tracebacks(tmp_path: Path) -> None:
    replies = tmp_path / "r.json"
    replies.write_text('[{"text": "hi", "delay": 3}]')
    result = runner.invoke(app, ["play", "angry-customer", "--replies", str(replies)])
    assert result.exit_code == 1
    assert "r.json:1: delay:" in result.stderr
    unknown = runner.invoke(
        app, ["play", "nope", "--replies", str(write_replies(tmp_path, "en", "x"))]
    )
    assert unknown.exit_code == 1 and "unknown scenario 'nope'" in unknown.stderr
    choice = tmp_path / "c.json"
    choice.write_text('[{"text": "hello there", "choice": "emoji"}]')
    bad_choice = runner.invoke(app, ["play", "identity-choice", "--replies", str(choice)])
    assert bad_choice.exit_code == 1 and "unknown choice 'emoji'" in bad_choice.stderr


def test_console_script_runs_without_traceback(tmp_path: Path) -> None:
    exe = shutil.which("cm-sim") or str(Path(sys.executable).parent / "cm-sim")
    bad = tmp_path / "x.yaml"
    bad.write_text("id: x\nbrief: !!python/object/apply:os.system ['echo pwned']\n")
    proc = subprocess.run([exe, "validate", str(bad)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stdout + proc.stderr
    assert "pwned" not in proc.stdout
    assert ":2: brief: tag '!!python/object/apply:os.system' is not allowed" in proc.stdout
