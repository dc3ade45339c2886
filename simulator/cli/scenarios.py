"""`cm-sim scenarios`: every scenario the app offers (shipped files, extra folders, the store's
library with its versions), importing a file into the library as a trainer, exporting any
scenario's YAML."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from simulator.cli.cohort import trainer_account
from simulator.cli.output import emit, fail
from simulator.cli.root import app, sub_app
from simulator.cli.store import open_store

if TYPE_CHECKING:
    from simulator.store import ScenarioVersion

scenarios_app = sub_app("Scenarios: shipped files, extra folders and the store's library.")
app.add_typer(scenarios_app, name="scenarios")


def _file_rows() -> list[dict[str, Any]]:
    """One row per scenario file, folder by folder in lookup order; a file whose id an
    earlier folder has is listed as ignored, an invalid one with its problems."""
    from simulator.content import display_path, get_scenario
    from simulator.errors import ContentError
    from simulator.paths import scenario_dirs, shipped_scenarios_dir

    shipped = shipped_scenarios_dir().resolve()
    rows: list[dict[str, Any]] = []
    taken: dict[str, Path] = {}
    for folder in scenario_dirs():
        source = "shipped" if folder.resolve() == shipped else "folder"
        for path in sorted(folder.glob("*.yaml")):
            row: dict[str, Any] = {
                "id": path.stem,
                "source": source,
                "path": display_path(path),
                "status": "published",
                "languages": [],
                "title": {},
                "versions": [],
                "authors": [],
            }
            first = taken.get(path.stem)
            if first is not None:
                row["status"] = "ignored"
                row["problems"] = [f"{path.stem!r} is already a scenario of {display_path(first)}"]
            else:
                taken[path.stem] = path
                try:
                    scenario = get_scenario(path.stem, folder)
                except ContentError as exc:
                    row["status"] = "invalid"
                    row["problems"] = [str(p) for p in exc.problems]
                else:
                    row["languages"] = list(scenario.languages)
                    row["title"] = {lang: scenario.title.get(lang) for lang in scenario.languages}
            rows.append(row)
    return rows


def _version_json(version: ScenarioVersion) -> dict[str, Any]:
    return {
        "version": version.version,
        "status": version.status,
        "author": version.author,
        "created_at": version.created_at.isoformat(),
    }


def _stored_rows() -> list[dict[str, Any]]:
    from simulator.store import library, scenario_versions

    store = open_store()
    rows = []
    for latest in library(store):
        versions = scenario_versions(store, latest.scenario_id)
        published = [v.version for v in versions if v.published]
        rows.append(
            {
                "id": latest.scenario_id,
                "source": "store",
                "status": latest.status,
                "languages": latest.languages,
                "title": {lang: latest.title[lang] for lang in latest.languages},
                "latest_version": latest.version,
                "published_version": max(published) if published else None,
                "versions": [_version_json(v) for v in versions],
                "authors": sorted({v.author for v in versions}),
            }
        )
    return rows


@scenarios_app.command("list")
def scenarios_list(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Every scenario: shipped, from the extra folders (CM_SIM_SCENARIO_PATH) and stored
    (each with its versions, their status and authors)."""
    rows = _file_rows() + _stored_rows()
    if as_json:
        emit(rows)
        return
    for row in rows:
        versions = f"v{row['latest_version']}" if row["source"] == "store" else ""
        typer.echo(
            f"{row['id']:<24} {row['source']:<8} {row['status']:<10} "
            f"{','.join(row['languages']):<6} {versions}  {', '.join(row['authors'])}".rstrip()
        )


def _read_text(path: Path) -> str:
    from simulator.content import Problem, display_path

    try:
        raw = path.read_bytes()
    except OSError as exc:
        fail(str(Problem(display_path(path), 1, "", f"cannot read file: {exc.strerror}")))
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        fail(str(Problem(display_path(path), line, "", "file is not valid UTF-8")))


@scenarios_app.command("import")
def scenarios_import(
    file: Annotated[Path, typer.Argument(metavar="FILE.yaml", help="The scenario to import.")],
    trainer: Annotated[str, typer.Option("--trainer", help="The owning trainer's e-mail.")],
    publish: Annotated[
        bool, typer.Option("--publish", help="Publish the saved version at once.")
    ] = False,
    cohort: Annotated[
        list[str] | None,
        typer.Option("--cohort", help="Assign to this cohort of the trainer (with --publish)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Save a scenario file as the next version in the store's library (a draft, unless
    --publish). A file with problems is refused, one `FILE:LINE: field.path: message` per
    problem, and nothing is stored."""
    from simulator.content import display_path
    from simulator.store import (
        check_scenario_text,
        publish_scenario,
        publish_targets,
        save_scenario,
    )

    cohorts = cohort or []
    if cohorts and not publish:
        fail("--cohort assigns a published scenario: add --publish")
    text = _read_text(file)
    store = open_store()
    account = trainer_account(store, trainer)
    name = display_path(file)
    if publish:
        # Every refusal before anything is stored: the text, then the cohorts.
        publish_targets(store, account, check_scenario_text(text, name), cohorts)
    saved = save_scenario(store, account, text, name=name)
    if publish:
        saved = publish_scenario(store, account, saved.scenario_id, saved.version, cohorts)
    if as_json:
        emit({**saved.model_dump(mode="json", exclude={"yaml"}), "cohorts": cohorts})
        return
    where = f" (assigned to {', '.join(cohorts)})" if cohorts else ""
    typer.echo(f"{saved.scenario_id} version {saved.version}: {saved.status}{where}")


@scenarios_app.command("export")
def scenarios_export(
    scenario_id: Annotated[str, typer.Argument(metavar="ID")],
    version: Annotated[
        int | None, typer.Option("--version", min=1, help="A stored version (default: latest).")
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Write to this file.")] = None,
) -> None:
    """Print a scenario's YAML: a file's text, or a stored version's."""
    from simulator.content import scenario_path
    from simulator.store import scenario_yaml

    needs_store = version is not None or scenario_path(scenario_id) is None
    text = scenario_yaml(scenario_id, open_store() if needs_store else None, version)
    if out is None:
        sys.stdout.write(text)
        return
    out.write_text(text, encoding="utf-8")
    typer.echo(f"wrote {out}", err=True)
