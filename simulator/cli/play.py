"""`cm-sim play` (a headless session from a file of replies) and `cm-sim run` (the app)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from simulator.cli.output import LangOpt, ProviderOpt, emit, fail
from simulator.cli.root import app


@app.command()
def play(
    scenario_id: Annotated[str, typer.Argument(metavar="ID", help="Scenario id.")],
    replies: Annotated[
        Path,
        typer.Option("--replies", help="Replies file: .txt (--- between), .json, .jsonl, .yaml"),
    ],
    lang: Annotated[LangOpt, typer.Option("--lang", help="Session language.")] = LangOpt.fr,
    provider: Annotated[
        ProviderOpt | None,
        typer.Option("--provider", help="Who voices the community (default: configured)."),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same replies: same session.")] = 0,
    save: Annotated[
        bool, typer.Option("--save", help="Store the session (see cm-sim sessions).")
    ] = False,
    participant_token: Annotated[
        str | None,
        typer.Option(
            "--participant",
            help="With --save: play as the student whose link carries this token (within "
            "their cohort's assignment when the scenario is one).",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Play a scenario headless from a file of replies; print the transcript and the report."""
    from simulator.cli.store import open_store
    from simulator.content import get_scenario, read_replies, scenario_path
    from simulator.engine import play_headless, play_result
    from simulator.factory import make_grader, make_voice
    from simulator.store import participant_by_token, play_stored

    if participant_token and not save:
        fail("--participant needs --save (only a stored session belongs to someone)")
    items = read_replies(replies)
    if not items:
        fail(f"{replies}: no replies found")
    # A scenario that is no file may be a published one of the store's library.
    store = open_store() if save or scenario_path(scenario_id) is None else None
    scenario = get_scenario(scenario_id)
    voice = make_voice(provider.value if provider else None)
    grader = make_grader()
    session_id = None
    if store is not None and save:
        who = participant_by_token(store, participant_token) if participant_token else None
        if participant_token and who is None:
            fail("--participant: no participant has this token")
        session_id, state, used = play_stored(
            store, scenario, lang.value, items, seed, grader, voice, participant=who
        )
    else:
        state, used = play_headless(scenario, lang.value, items, seed, grader, voice)
    result = play_result(
        scenario,
        state,
        seed=seed,
        provider=voice.name,
        replies=len(items),
        used=used,
        session_id=session_id,
    )
    if as_json:
        emit(result)
        return
    _print_transcript(result)


def _print_transcript(result: dict[str, Any]) -> None:
    for event in result["transcript"]:
        typer.echo(
            f"[{event['minute']:>6.1f} min] {event['name']} {event['handle']}: {event['text']}"
        )
    report = result["report"]
    typer.echo("")
    for turn in result["turns"]:
        typer.echo(f"turn {turn['turn']}: score {turn['score']:.0f}  metrics {turn['metrics']}")
    typer.echo(f"{report['end_message'] or 'not finished'}  score {report['score']:.0f}/100")


@app.command()
def run(
    port: Annotated[int, typer.Option("--port", help="HTTP port.")] = 8501,
    address: Annotated[str, typer.Option("--address", help="Interface to bind.")] = "localhost",
    headless: Annotated[bool, typer.Option("--headless/--browser")] = True,
) -> None:
    """Start the Streamlit app (http://localhost:8501 by default)."""
    import subprocess

    from simulator.bench import streamlit_command
    from simulator.paths import REPO_ROOT

    command = streamlit_command(port, address, headless)
    typer.echo(f"CM Simulator on http://{address}:{port}", err=True)
    raise typer.Exit(subprocess.call(command, cwd=REPO_ROOT))
