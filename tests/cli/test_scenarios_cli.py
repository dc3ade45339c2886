"""`cm-sim scenarios list | import | export`: the scenario library from the shell, with the
same located messages as `cm-sim validate` and nothing stored on a refusal."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from sqlalchemy import text
from typer.testing import CliRunner

from simulator.cli import app
from simulator.content import register_scenario_source, scenario_source
from simulator.factory import make_store
from simulator.store import (
    SCENARIO_TEMPLATE,
    SqlStore,
    create_cohort,
    create_staff,
    get_cohort,
    staff_by_email,
)

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()
TRAINER = "trainer@school.example"


@pytest.fixture
def store() -> Iterator[SqlStore]:
    """The store the commands open (this test's own database), with a trainer in it."""
    before = scenario_source()
    opened = make_store()
    create_staff(opened, TRAINER, "a long enough password", "trainer")
    yield opened
    register_scenario_source(before)


def _count(store: SqlStore) -> int:
    with store.engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM scenario_versions")).scalar() or 0)


def _write(path: Path, scenario_id: str = "late-parcel", brand: str | None = None) -> Path:
    data = yaml.safe_load(SCENARIO_TEMPLATE)
    data["id"] = scenario_id
    if brand is not None:
        data["brand"]["name"] = brand
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _import(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["scenarios", "import", *args])
    return result.exit_code, result.stdout, result.stderr


def test_a_malformed_file_exits_1_with_located_messages_and_stores_nothing(
    store: SqlStore, tmp_path: Path
) -> None:
    path = _write(tmp_path / "late-parcel.yaml")
    lines = path.read_text(encoding="utf-8").splitlines()
    broken = [
        line.replace("channel: x", "channel: telegram").replace(
            "reply_time_limit_s: 180", "reply_time_limit_s: 5"
        )
        for line in lines
    ]
    broken.insert(broken.index("id: late-parcel") + 1, "surprise: 1")
    path.write_text("\n".join(broken) + "\n", encoding="utf-8")
    code, out, err = _import(str(path), "--trainer", TRAINER, "--publish", "--json")
    assert code == 1 and out == ""
    messages = err.strip().splitlines()
    assert f"{path}:{broken.index('channel: telegram') + 1}: channel: " in err
    assert f"{path}:{broken.index('reply_time_limit_s: 5') + 1}: reply_time_limit_s: " in err
    assert f"{path}:{broken.index('surprise: 1') + 1}: surprise: unknown field" in err
    assert all(m.startswith(f"{path}:") for m in messages), messages
    assert "Traceback" not in err
    assert _count(store) == 0


def test_broken_yaml_and_tags_are_refused_the_same_way(store: SqlStore, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: bad\ntitle: {fr: [unclosed\n", encoding="utf-8")
    code, _, err = _import(str(bad), "--trainer", TRAINER)
    assert code == 1 and err.startswith(f"{bad}:2: (document): YAML syntax error")
    tagged = tmp_path / "tagged.yaml"
    tagged.write_text("id: !!python/object/apply:os.system [ls]\n", encoding="utf-8")
    code, _, err = _import(str(tagged), "--trainer", TRAINER)
    assert code == 1 and f"{tagged}:1: id: tag" in err
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"id: x\n\xff\xfe\n")
    code, _, err = _import(str(binary), "--trainer", TRAINER)
    assert code == 1 and f"{binary}:2: (document): file is not valid UTF-8" in err
    assert _count(store) == 0


def test_import_saves_versions_and_publishes_to_a_cohort(store: SqlStore, tmp_path: Path) -> None:
    path = _write(tmp_path / "any-name.yaml")
    code, out, err = _import(str(path), "--trainer", TRAINER, "--json")
    assert code == 0, err
    first = json.loads(out)
    assert (first["scenario_id"], first["version"], first["status"]) == ("late-parcel", 1, "draft")
    assert first["author"] == TRAINER and "yaml" not in first
    mine = staff_by_email(store, TRAINER, "trainer")
    assert mine is not None
    theirs = create_staff(store, "other@school.example", "a long enough password", "trainer")
    cohort = create_cohort(store, mine, "BTS", ["angry-customer"], "en").cohort
    other = create_cohort(store, theirs, "Theirs", ["angry-customer"], "en").cohort
    _write(path, brand="Maison Soleil")
    code, _, err = _import(str(path), "--trainer", TRAINER, "--cohort", cohort.id)
    assert code == 1 and "--publish" in err
    code, _, err = _import(str(path), "--trainer", TRAINER, "--publish", "--cohort", other.id)
    assert code == 1 and "another trainer" in err
    assert _count(store) == 1  # refused before anything was stored
    code, out, err = _import(
        str(path), "--trainer", TRAINER, "--publish", "--cohort", cohort.id, "--json"
    )
    assert code == 0, err
    second = json.loads(out)
    assert (second["version"], second["status"], second["cohorts"]) == (2, "published", [cohort.id])
    assert get_cohort(store, cohort.id).scenarios == ["angry-customer", "late-parcel"]  # type: ignore[union-attr]
    code, _, err = _import(str(path), "--trainer", "nobody@school.example")
    assert code == 1 and "no trainer" in err


def test_a_shipped_id_is_refused(store: SqlStore, tmp_path: Path) -> None:
    code, _, err = _import(str(ROOT / "scenarios" / "angry-customer.yaml"), "--trainer", TRAINER)
    assert code == 1
    assert "id: angry-customer is a shipped scenario; give your copy its own id" in err
    assert _count(store) == 0


def test_list_shows_shipped_extra_and_stored_scenarios(
    store: SqlStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "extra"
    folder.mkdir()
    _write(folder / "folder-one.yaml", "folder-one")
    _write(folder / "viral-crisis.yaml", "viral-crisis")
    monkeypatch.setenv("CM_SIM_SCENARIO_PATH", str(folder))
    path = _write(tmp_path / "stored.yaml", "stored-one")
    assert _import(str(path), "--trainer", TRAINER, "--publish")[0] == 0
    _write(path, "stored-one", brand="Second")
    assert _import(str(path), "--trainer", TRAINER)[0] == 0
    result = runner.invoke(app, ["scenarios", "list", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    by = {(r["id"], r["source"]): r for r in rows}
    shipped = by[("angry-customer", "shipped")]
    assert shipped["status"] == "published" and shipped["languages"] == ["fr", "en"]
    assert by[("folder-one", "folder")]["status"] == "published"
    assert by[("viral-crisis", "folder")]["status"] == "ignored"
    stored = by[("stored-one", "store")]
    assert stored["status"] == "draft" and stored["latest_version"] == 2
    assert stored["published_version"] == 1 and stored["authors"] == [TRAINER]
    assert [(v["version"], v["status"]) for v in stored["versions"]] == [
        (1, "published"),
        (2, "draft"),
    ]
    plain = runner.invoke(app, ["scenarios", "list"])
    assert plain.exit_code == 0 and "stored-one" in plain.stdout


def test_export_prints_a_files_or_a_stored_versions_yaml(store: SqlStore, tmp_path: Path) -> None:
    result = runner.invoke(app, ["scenarios", "export", "viral-crisis"])
    assert result.exit_code == 0
    assert result.stdout == (ROOT / "scenarios" / "viral-crisis.yaml").read_text(encoding="utf-8")
    path = _write(tmp_path / "late-parcel.yaml")
    first = path.read_text(encoding="utf-8")
    _import(str(path), "--trainer", TRAINER)
    _write(path, brand="Maison Soleil")
    _import(str(path), "--trainer", TRAINER)
    latest = runner.invoke(app, ["scenarios", "export", "late-parcel"])
    assert latest.exit_code == 0 and "Maison Soleil" in latest.stdout
    out = tmp_path / "v1.yaml"
    result = runner.invoke(
        app, ["scenarios", "export", "late-parcel", "--version", "1", "--out", str(out)]
    )
    assert result.exit_code == 0 and out.read_text(encoding="utf-8") == first
    # What is exported imports again (a copy as a starting point).
    code, _, _ = _import(str(out), "--trainer", TRAINER)
    assert code == 0
    missing = runner.invoke(app, ["scenarios", "export", "late-parcel", "--version", "9"])
    assert missing.exit_code == 1 and "no version 9" in missing.stderr


def test_a_student_plays_an_imported_scenario_from_the_shell(
    store: SqlStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CM_SIM_GRADER", "rules")
    create = ["cohort", "create", "--name", "Promo", "--scenarios", "angry-customer"]
    created = runner.invoke(app, [*create, "--lang", "fr", "--trainer", TRAINER, "--json"])
    assert created.exit_code == 0, created.output
    cohort = json.loads(created.stdout)
    path = _write(tmp_path / "late-parcel.yaml")
    code, _, err = _import(str(path), "--trainer", TRAINER, "--publish", "--cohort", cohort["id"])
    assert code == 0, err
    joined = runner.invoke(app, ["cohort", "join", cohort["join_code"], "--name", "Ana", "--json"])
    token = json.loads(joined.stdout)["participant"]
    replies = tmp_path / "replies.txt"
    replies.write_text(
        "Léa, une semaine d'attente, on est désolés. On vous écrit en privé d'ici 17 h.\n"
    )
    play = ["play", "late-parcel", "--replies", str(replies), "--save"]
    played = runner.invoke(app, [*play, "--participant", token, "--json"])
    assert played.exit_code == 0, played.output
    session = make_store().get(json.loads(played.stdout)["session_id"])
    assert session.summary.scenario_version == 1
    assert session.summary.cohort_id == cohort["id"]
    shown = runner.invoke(app, ["sessions", "show", session.id, "--json"])
    assert json.loads(shown.stdout)["scenario_version"] == 1
