"""`cm-sim coverage`: the source material's twelve themes and every card, with what covers them."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from simulator.cli import app

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


def seed_theme_count() -> int:
    notes = (ROOT.parent / "shared" / "seed-notes.md").read_text(encoding="utf-8")
    return len(re.findall(r"^\d+\. ", notes, flags=re.MULTILINE))


def test_every_seed_theme_is_covered_by_scenarios_cards_and_articles() -> None:
    result = runner.invoke(app, ["coverage", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    themes = report["themes"]
    assert len(themes) == 12
    if (ROOT.parent / "shared" / "seed-notes.md").exists():
        assert len(themes) == seed_theme_count()
    for theme in themes:
        assert set(theme) == {"id", "title", "scenarios", "cards", "articles"}
        assert theme["scenarios"] and theme["cards"], theme["id"]
        assert theme["articles"], theme["id"]
        for path in theme["articles"]:
            assert (ROOT / path).is_file(), path
    # The knowledge themes of the source have an article in both languages.
    by_id = {theme["id"]: theme for theme in themes}
    for knowledge in ("job-market", "the-word-in-the-dictionary", "communities-beyond-soda"):
        langs = {Path(p).parent.name for p in by_id[knowledge]["articles"]}
        assert langs == {"fr", "en"}, knowledge


def test_cards_list_the_scenarios_that_cite_them() -> None:
    report = json.loads(runner.invoke(app, ["coverage", "--json"]).stdout)
    cards = {card["id"]: card["scenarios"] for card in report["cards"]}
    assert len(cards) >= 60
    assert "troll-raid" in cards["raid-response"]
    assert "baby-recall" in cards["recall-clear-instructions"]
    assert "angry-customer" not in cards["raid-response"]


def test_titles_follow_the_language() -> None:
    fr = json.loads(runner.invoke(app, ["coverage", "--json", "--lang", "fr"]).stdout)
    en = json.loads(runner.invoke(app, ["coverage", "--json"]).stdout)
    assert fr["themes"][0]["id"] == en["themes"][0]["id"]
    assert fr["themes"][0]["title"] != en["themes"][0]["title"]


def test_the_table_lists_every_theme() -> None:
    result = runner.invoke(app, ["coverage"])
    assert result.exit_code == 0
    rows = [line for line in result.stdout.splitlines() if line.startswith("| ")]
    assert len(rows) == 2 + 12  # header, rule, one row per theme


@pytest.fixture
def kb_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    kb = tmp_path / "knowledge_base"
    shutil.copytree(ROOT / "knowledge_base", kb)
    monkeypatch.setenv("CM_SIM_KNOWLEDGE_DIR", str(kb))
    return kb


def test_an_unknown_card_is_refused_with_its_line(kb_copy: Path) -> None:
    path = kb_copy / "seed-themes.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("[many-hats, answer-fast", "[many-hatz, answer-fast"), "utf-8")
    line = next(
        i for i, row in enumerate(path.read_text("utf-8").splitlines(), 1) if "many-hatz" in row
    )
    result = runner.invoke(app, ["coverage", "--json"])
    assert result.exit_code == 1
    assert f"seed-themes.yaml:{line}:" in result.output
    assert "unknown practice card 'many-hatz'" in result.output


def test_a_theme_no_scenario_practises_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    only = tmp_path / "scenarios"
    only.mkdir()
    shutil.copy(ROOT / "scenarios" / "angry-customer.yaml", only)
    monkeypatch.setenv("CM_SIM_SCENARIOS_DIR", str(only))
    result = runner.invoke(app, ["coverage", "--json"])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    uncovered = [theme["id"] for theme in report["themes"] if not theme["scenarios"]]
    assert "job-market" in uncovered
    assert f"themes no scenario practises: {', '.join(uncovered)}" in result.output


def test_the_readme_shows_the_current_table() -> None:
    table = runner.invoke(app, ["coverage"]).stdout.strip()
    assert table in (ROOT / "README.md").read_text(encoding="utf-8"), "README: cm-sim coverage"
