"""`cm-sim cohort results|report`, `cm-sim review override|audit`, `cm-sim export graded`, and
the programme's graded replies fed to `cm-sim eval grader --with` and `cm-sim calibrate --with`."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from simulator.cli import app
from simulator.content import ReplyItem, get_scenario
from simulator.factory import calibration_path, make_store, make_voice
from simulator.grading import RuleBasedAssessor
from simulator.store import SqlStore, create_cohort, create_staff, join_cohort, play_stored

TRAINER = "trainer@school.example"
GOOD = (
    "Hello Julie, three days without internet while you work from home is not acceptable, "
    "and we are sorry. Our technicians are on the fibre incident; I won't invent a time. "
    "Write to us in DM and I will look at your line. Next update here at 2 pm. — Sami"
)
POOR = "Check your cables before complaining."


@pytest.fixture
def programme() -> Iterator[dict[str, object]]:
    """A cohort in the CLI's database: Ana played well, Ben poorly, Cleo not at all."""
    store = make_store()
    assert isinstance(store, SqlStore)
    trainer = create_staff(store, TRAINER, "a long enough password", "trainer")
    create_staff(store, "other@school.example", "a long enough password", "trainer")
    new = create_cohort(store, trainer, "Promo 2027", ["angry-customer", "viral-crisis"], "en")
    sessions = {}
    for name, reply in (("Ana", GOOD), ("Ben", POOR)):
        student, _ = join_cohort(store, new.join_code, name)
        scenario = get_scenario("angry-customer")
        session_id, _, _ = play_stored(
            store,
            scenario,
            "en",
            [ReplyItem(text=reply, delay_s=30)] * scenario.end.max_turns,
            0,
            RuleBasedAssessor(),
            make_voice("fake"),
            student,
        )
        sessions[name] = session_id
    join_cohort(store, new.join_code, "Cleo")
    yield {"cohort": new.cohort.id, "sessions": sessions, "store": store}
    store.dispose()


def _ok(args: list[str]) -> str:
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, (args, result.output)
    return result.stdout


def _override(
    session: str, turn: int, criterion: str, score: float, *extra: str, trainer: str = TRAINER
) -> list[str]:
    return [
        "review",
        "override",
        "--session",
        session,
        "--turn",
        str(turn),
        "--criterion",
        criterion,
        "--score",
        str(score),
        "--trainer",
        trainer,
        *extra,
    ]


def test_override_audit_results_and_report_from_the_shell(
    programme: dict[str, object], tmp_path: Path
) -> None:
    cohort = str(programme["cohort"])
    sessions = programme["sessions"]
    assert isinstance(sessions, dict)
    ana = sessions["Ana"]
    done = json.loads(
        _ok(_override(ana, 1, "tone", 20, "--reason", "Too blunt", "--comment", "Soften", "--json"))
    )
    assert done["after"] == 20 and done["trainer"] == TRAINER and done["reason"] == "Too blunt"
    again = json.loads(_ok(_override(ana, 1, "tone", 35, "--reason", "Fairer", "--json")))
    assert again["before"] == 20 and again["machine"] == done["machine"]
    trail = json.loads(_ok(["review", "audit", "--cohort", cohort, "--trainer", TRAINER, "--json"]))
    assert [(o["before"], o["after"], o["reason"]) for o in trail] == [
        (done["machine"], 20, "Too blunt"),
        (20, 35, "Fairer"),
    ]
    by_session = json.loads(
        _ok(["review", "audit", "--session", ana, "--trainer", TRAINER, "--json"])
    )
    assert by_session == trail
    rows = json.loads(_ok(["cohort", "results", cohort, "--trainer", TRAINER, "--json"]))
    tone = next(
        r for r in rows if r["session_id"] == ana and r["turn"] == 1 and r["criterion"] == "tone"
    )
    assert (tone["machine"], tone["trainer"], tone["grade"]) == (done["machine"], 35, 35)
    assert any(r["student"] == "Cleo" and r["session_id"] is None for r in rows)
    table = list(
        csv.DictReader(
            io.StringIO(_ok(["cohort", "results", cohort, "--trainer", TRAINER, "--csv"]))
        )
    )
    assert len(table) == len(rows) and {"machine", "trainer", "reason"} <= set(table[0])
    out = tmp_path / "class.pdf"
    _ok(["cohort", "report", cohort, "--trainer", TRAINER, "--out", str(out), "--lang", "fr"])
    assert out.read_bytes().startswith(b"%PDF")
    # Refusals: a message, exit 1, nothing written.
    for args, message in [
        (_override(ana, 1, "tone", 101, "--reason", "x"), "score:"),
        (_override(ana, 1, "tone", 50, "--reason", " "), "reason:"),
        (_override(ana, 1, "charisma", 50, "--reason", "x"), "criterion:"),
        (_override(ana, 99, "tone", 50, "--reason", "x"), "turn:"),
        (_override("nope", 1, "tone", 50, "--reason", "x"), "no session"),
        (
            _override(ana, 1, "tone", 50, "--reason", "x", trainer="other@school.example"),
            "another trainer",
        ),
        (
            ["cohort", "results", cohort, "--trainer", "other@school.example", "--json"],
            "another trainer",
        ),
        (["review", "audit", "--trainer", TRAINER], "--session ID or --cohort ID"),
    ]:
        refused = CliRunner().invoke(app, args)
        assert refused.exit_code == 1, (args, refused.output)
        assert message in refused.output
    assert (
        len(
            json.loads(_ok(["review", "audit", "--cohort", cohort, "--trainer", TRAINER, "--json"]))
        )
        == 2
    )


def _review_everything(programme: dict[str, object]) -> None:
    """The trainer disagrees with the grader on every turn: Ana's good replies graded down to
    0, Ben's poor ones up to 100, so the programme's grades pull the figures."""
    sessions = programme["sessions"]
    store = programme["store"]
    assert isinstance(sessions, dict) and isinstance(store, SqlStore)
    rubric = [c.id for c in get_scenario("angry-customer").rubric]
    for name, score in (("Ana", 0), ("Ben", 100)):
        for turn in store.get(sessions[name]).turns:
            for criterion in rubric:
                _ok(_override(sessions[name], turn.turn, criterion, score, "--reason", "disagree"))


def test_export_graded_writes_dev_set_lines(programme: dict[str, object], tmp_path: Path) -> None:
    assert _ok(["export", "graded"]) == ""
    _review_everything(programme)
    lines = [json.loads(line) for line in _ok(["export", "graded"]).splitlines()]
    assert lines and {line["expert"] for line in lines} == {1, 5}
    out = tmp_path / "graded.jsonl"
    _ok(["export", "graded", "--cohort", str(programme["cohort"]), "--out", str(out)])
    assert [json.loads(line) for line in out.read_text().splitlines()] == lines


def test_a_bad_with_file_is_refused_before_anything_runs(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x"}\n')
    for args in (
        ["eval", "grader", "--with", str(bad), "--json"],
        ["calibrate", "--with", str(bad)],
    ):
        refused = CliRunner().invoke(app, args)
        assert refused.exit_code == 1
        assert "bad.jsonl:1: lang: Field required" in refused.output


@pytest.mark.slow
def test_programme_grades_change_the_grader_eval(
    programme: dict[str, object], tmp_path: Path
) -> None:
    """The bar: overrides exported and fed to `cm-sim eval grader --with` change the figures."""
    _review_everything(programme)
    graded = tmp_path / "graded.jsonl"
    _ok(["export", "graded", "--out", str(graded)])
    result = json.loads(_ok(["eval", "grader", "--with", str(graded), "--json"]))
    before, after = result["before"]["loso"], result["after"]["loso"]
    n = len(graded.read_text().splitlines())
    assert result["n_programme"] == n and after["replies"] == before["replies"] + n
    assert after["spearman"] != before["spearman"]
    assert after["pairwise_accuracy"] != before["pairwise_accuracy"]
    assert result["change"]["spearman"] == pytest.approx(
        after["spearman"] - before["spearman"], abs=1e-3
    )
    assert result["programme"]["shipped"]["replies"] == n
    assert after["by_source"]["programme"]["replies"] == n


@pytest.mark.slow
def test_calibrate_with_the_programme_writes_where_it_is_told(
    programme: dict[str, object], tmp_path: Path
) -> None:
    _review_everything(programme)
    graded = tmp_path / "graded.jsonl"
    _ok(["export", "graded", "--out", str(graded)])
    shipped = calibration_path().read_bytes()
    out = tmp_path / "calibration.json"
    result = json.loads(_ok(["calibrate", "--with", str(graded), "--out", str(out), "--json"]))
    assert calibration_path().read_bytes() == shipped  # the shipped calibration is untouched
    fitted = json.loads(out.read_text())
    n = len(graded.read_text().splitlines())
    assert fitted["replies"] == result["after"]["replies"] == result["n_replies"] + n
    assert result["before"]["replies"] == result["n_replies"]
    assert result["after"]["programme"]["replies"] == n
    assert result["after"]["programme"] != result["before"]["programme"]
