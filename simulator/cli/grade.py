"""`cm-sim grade`: one reply, or a JSONL batch, graded as the app grades."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from simulator.cli.output import LangOpt, emit, fail, progress_bar
from simulator.cli.root import app

if TYPE_CHECKING:
    from simulator.grading import GradeRequest
    from simulator.protocols import Grader

CHUNK = 25


def grader_for_cli() -> Grader:
    """The configured grader, citing from a knowledge index made current first."""
    from simulator.factory import make_grader, make_knowledge_base

    kb = make_knowledge_base()
    # A no-op in about a second when nothing changed.
    with progress_bar("knowledge index", leave=False) as progress:
        kb.build(progress)
    return make_grader(retriever=kb)


def _single_request(scenario: str, lang: str, reply: str, turn: int) -> GradeRequest:
    from simulator.content import get_scenario
    from simulator.grading import GradeRequest

    get_scenario(scenario)
    return GradeRequest.model_validate(
        {"scenario": scenario, "lang": lang, "reply": reply, "turn": turn}
    )


@app.command()
def grade(
    scenario: Annotated[str | None, typer.Option("--scenario", help="Scenario id.")] = None,
    lang: Annotated[LangOpt, typer.Option("--lang", help="Language of the reply.")] = LangOpt.fr,
    reply: Annotated[str | None, typer.Option("--reply", help="The reply to grade.")] = None,
    turn: Annotated[int, typer.Option("--turn", min=1, help="Turn the reply answers.")] = 1,
    batch: Annotated[
        Path | None, typer.Option("--batch", help="JSONL: {scenario, lang, reply, turn?} per line.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    explain: Annotated[
        bool,
        typer.Option(
            "--explain", help="Add what the turn called for and each check with its evidence."
        ),
    ] = False,
) -> None:
    """Grade one reply, or every line of a JSONL batch (one JSON verdict per line, in order)."""
    from simulator.grading import load_batch, verdict

    if batch is not None:
        requests = load_batch(batch)
    elif scenario is not None and reply is not None:
        requests = [_single_request(scenario, lang.value, reply, turn)]
    else:
        fail("give --scenario and --reply, or --batch FILE", code=2)
    grader = grader_for_cli()
    assessments = []
    for start in range(0, len(requests), CHUNK):
        part = requests[start : start + CHUNK]
        assessments.extend(grader.assess_many([(r.reply, r.context()) for r in part]))
        if batch is not None:
            typer.echo(f"\rgraded {len(assessments)}/{len(requests)}", err=True, nl=False)
    if batch is not None:
        typer.echo("", err=True)
    for assessment in assessments:
        if as_json and batch is not None:
            typer.echo(json.dumps(verdict(assessment, explain), ensure_ascii=False))
        elif as_json:
            emit(verdict(assessment, explain))
        else:
            typer.echo(f"score {assessment.score:5.1f}  flags {','.join(assessment.flags) or '-'}")
            for c in assessment.criteria:
                typer.echo(f"  {c.id:<28} {c.score:5.1f}  {c.feedback}")
            for check in assessment.checks if explain else []:
                typer.echo(f"  [{check.status:>8}] {check.text}  <- {check.evidence}")
            typer.echo(f"  practices: {', '.join(assessment.practices)}")
            typer.echo(f"  better reply: {assessment.better_reply}")
