"""What every command shares: a refusal is one line on stderr and exit 1 (no traceback), and
`--verbose` shows the fallbacks the product otherwise absorbs quietly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from simulator.cli import app

runner = CliRunner()


def test_a_refusal_is_one_message_and_exit_1(tmp_path: Path) -> None:
    replies = tmp_path / "r.txt"
    replies.write_text("Bonjour Julie, désolés.\n", encoding="utf-8")
    result = runner.invoke(app, ["play", "no-such-scenario", "--replies", str(replies)])
    assert result.exit_code == 1
    assert "unknown scenario 'no-such-scenario'" in result.stderr
    assert "Traceback" not in result.output + result.stderr
    assert result.stdout == ""


def test_a_bad_setting_is_refused_with_its_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CM_SIM_TIMEOUT_S", "-3")
    replies = tmp_path / "r.txt"
    replies.write_text("Bonjour Julie.\n", encoding="utf-8")
    result = runner.invoke(app, ["play", "angry-customer", "--replies", str(replies)])
    assert result.exit_code == 1
    assert result.stderr.startswith("setting timeout_s:")
    # The diagnosis command reports it in its own answer instead.
    doctor = runner.invoke(app, ["doctor", "--json"])
    assert "setting timeout_s" in json.loads(doctor.stdout)["error"]


def test_verbose_shows_why_a_post_fell_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A provider nobody answers: every post falls back to the scripted line, and says so.
    monkeypatch.setenv("CM_SIM_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("CM_SIM_MAX_RETRIES", "0")
    monkeypatch.setenv("CM_SIM_TIMEOUT_S", "5")
    monkeypatch.setenv("CM_SIM_API_KEY", "sk-test")
    monkeypatch.setenv("CM_SIM_GRADER", "rules")
    replies = tmp_path / "r.txt"
    replies.write_text("Bonjour Julie, vraiment désolés pour la panne.\n", encoding="utf-8")
    args = ["play", "angry-customer", "--replies", str(replies), "--provider", "openai", "--json"]
    quiet = runner.invoke(app, args)
    assert quiet.exit_code == 0, quiet.output
    assert "scripted line shown" not in quiet.stderr
    loud = runner.invoke(app, ["--verbose", *args])
    assert loud.exit_code == 0, loud.output
    assert "provider error" in loud.stderr and "scripted line shown" in loud.stderr
    # The session itself is the same either way: the scripted lines stood in.
    assert json.loads(loud.stdout)["transcript"] == json.loads(quiet.stdout)["transcript"]
