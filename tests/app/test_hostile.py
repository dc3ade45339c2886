"""Hostile input that never reaches a browser: YAML attacks on cards and scenarios through
the commands people run, oversize replies refused with a message and nothing stored."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from simulator.cli import app
from simulator.content import MAX_REPLY_CHARS
from simulator.factory import make_store
from simulator.paths import REPO_ROOT

runner = CliRunner()
SCENARIO = (REPO_ROOT / "scenarios" / "angry-customer.yaml").read_text(encoding="utf-8")
CARD = (REPO_ROOT / "knowledge_base" / "cards" / "always-answer.yaml").read_text(encoding="utf-8")


def _laughs(levels: int = 9) -> str:
    """The 'billion laughs': each level an anchor listing the previous one nine times."""
    lines = ['l0: &l0 ["lol"]']
    for n in range(1, levels):
        lines.append(f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 9)}]")
    return "\n".join(lines) + "\n"


LAUGHS = _laughs()
ATTACKS = {
    "python-object": lambda text: text.replace(
        "title:", "x: !!python/object/apply:os.system ['touch /tmp/cm-sim-pwned']\ntitle:", 1
    ),
    "billion-laughs": lambda text: LAUGHS + text,
    "deep-nesting": lambda text: text + "deep: " + "[" * 5000 + "]" * 5000 + "\n",
    "deep-block-nesting": lambda text: text + "deep:\n  " + "- " * 3000 + "x\n",
    "binary-junk": lambda text: text + "\x00\x01\x02: \udcff\n",
}


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_yaml_attacks_on_a_scenario_are_refused(tmp_path: Path, attack: str) -> None:
    path = tmp_path / "angry-customer.yaml"
    path.write_text(ATTACKS[attack](SCENARIO), encoding="utf-8", errors="surrogateescape")
    started = time.monotonic()
    result = runner.invoke(app, ["validate", str(path)])
    assert time.monotonic() - started < 20
    assert result.exit_code == 1, result.output
    assert str(path) in result.output or path.name in result.output
    assert not Path("/tmp/cm-sim-pwned").exists()


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_yaml_attacks_on_a_card_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, attack: str
) -> None:
    kb = tmp_path / "kb"
    (kb / "cards").mkdir(parents=True)
    for part in ("articles", "practice-ids.yaml"):
        source = REPO_ROOT / "knowledge_base" / part
        target = kb / part
        if source.is_dir():
            target.symlink_to(source, target_is_directory=True)
        elif source.exists():
            target.write_bytes(source.read_bytes())
    card = kb / "cards" / "always-answer.yaml"
    card.write_text(ATTACKS[attack](CARD), encoding="utf-8", errors="surrogateescape")
    monkeypatch.setenv("CM_SIM_KNOWLEDGE_DIR", str(kb))
    started = time.monotonic()
    result = runner.invoke(app, ["validate-kb"])
    assert time.monotonic() - started < 20
    assert result.exit_code == 1, result.output
    assert "always-answer.yaml:" in result.output
    assert not Path("/tmp/cm-sim-pwned").exists()


def test_an_oversize_reply_is_refused_with_a_message_and_nothing_stored() -> None:
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=120)
    at.session_state["lang"] = "en"
    at.session_state["scenario_id"] = "angry-customer"
    at.switch_page("app_pages/practice.py").run()
    at.text_area[0].input("a" * (MAX_REPLY_CHARS + 500))
    next(b for b in at.button if b.label == "Publish").click().run()
    assert not at.exception
    assert any(
        e.value.startswith("Reply refused") and str(MAX_REPLY_CHARS) in e.value for e in at.error
    )
    store = make_store()
    stored = store.get(str(at.session_state["session_id"]))
    assert stored.turns == [] and stored.summary.turn == 0
