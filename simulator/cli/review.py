"""A trainer's review from the shell: the cohort's gradebook (JSON or CSV) and class report
(PDF), a criterion's grade overridden with its reason, the audit trail; and the programme's
graded replies exported for the grader's eval and calibration (`cm-sim calibrate --with`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from simulator.cli.cohort import cohort_app, trainer_account
from simulator.cli.output import LangOpt, emit, fail
from simulator.cli.root import app, sub_app
from simulator.cli.store import open_store

review_app = sub_app("A trainer's review: override a criterion's grade, read the audit trail.")
app.add_typer(review_app, name="review")
export_app = sub_app("Exports: the trainers' reviews as graded replies (dev-set shape).")
app.add_typer(export_app, name="export")


@cohort_app.command("results")
def cohort_results_cmd(
    cohort_id: Annotated[str, typer.Argument(metavar="ID", help="The cohort's id.")],
    trainer: Annotated[str, typer.Option("--trainer", help="The owning trainer's e-mail.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print CSV.")] = False,
) -> None:
    """The gradebook: every student, session, turn and criterion, machine and trainer grade."""
    from simulator.store import cohort_results, gradebook_csv

    if as_json and as_csv:
        fail("--json or --csv, not both")
    store = open_store()
    rows = cohort_results(store, cohort_id, trainer_account(store, trainer))
    if as_csv:
        typer.echo(gradebook_csv(rows), nl=False)
        return
    if as_json:
        emit([{**r.model_dump(), "grade": r.grade} for r in rows])
        return
    for r in rows:
        grade = "" if r.grade is None else f"{r.grade:.0f}"
        mark = "*" if r.trainer is not None else ""
        where = f"{r.session_id or '-'} #{r.attempt or '-'} t{r.turn or '-'}"
        typer.echo(f"{r.student}  {r.scenario}  {where}  {r.criterion or '-'}  {grade}{mark}")


@cohort_app.command("report")
def cohort_report_cmd(
    cohort_id: Annotated[str, typer.Argument(metavar="ID", help="The cohort's id.")],
    trainer: Annotated[str, typer.Option("--trainer", help="The owning trainer's e-mail.")],
    out: Annotated[Path, typer.Option("--out", help="Where to write the PDF.")],
    lang: Annotated[
        LangOpt | None, typer.Option("--lang", help="The report's language (the cohort's).")
    ] = None,
) -> None:
    """The class report as PDF: averages and spread, student × assignment, stuck, not started."""
    from simulator.store import class_dashboard, class_report_pdf

    store = open_store()
    dashboard = class_dashboard(store, cohort_id, trainer_account(store, trainer))
    chosen = lang.value if lang else ("en" if dashboard.cohort.lang == "en" else "fr")
    out.write_bytes(class_report_pdf(dashboard, "en" if chosen == "en" else "fr"))
    typer.echo(f"class report: {out}", err=True)


@review_app.command("override")
def review_override(
    session: Annotated[str, typer.Option("--session", help="The session's id.")],
    turn: Annotated[int, typer.Option("--turn", help="The graded turn.")],
    criterion: Annotated[str, typer.Option("--criterion", help="The rubric criterion's id.")],
    score: Annotated[float, typer.Option("--score", help="The trainer's grade, 0-100.")],
    reason: Annotated[str, typer.Option("--reason", help="Why (kept in the audit trail).")],
    trainer: Annotated[str, typer.Option("--trainer", help="The trainer's e-mail.")],
    comment: Annotated[
        str | None, typer.Option("--comment", help="A comment for the student.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Override one criterion's grade of one graded turn; the machine grade is kept."""
    from simulator.store import override_grade

    store = open_store()
    done = override_grade(
        store, session, turn, criterion, score, reason, trainer_account(store, trainer), comment
    )
    if as_json:
        emit(done.model_dump(mode="json"))
        return
    typer.echo(
        f"override {done.id}: {criterion} turn {turn} {_num(done.before)} -> {_num(done.after)} "
        f"(machine {_num(done.machine)})"
    )


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


@review_app.command("audit")
def review_audit(
    trainer: Annotated[str, typer.Option("--trainer", help="The trainer's e-mail.")],
    session: Annotated[str | None, typer.Option("--session", help="A session's id.")] = None,
    cohort: Annotated[str | None, typer.Option("--cohort", help="A cohort's id.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Every override of a session or a cohort: who, when, before, after, why."""
    from simulator.store import audit_trail

    if (session is None) == (cohort is None):
        fail("give --session ID or --cohort ID")
    store = open_store()
    trail = audit_trail(store, session, cohort, trainer_account(store, trainer))
    if as_json:
        emit([o.model_dump(mode="json") for o in trail])
        return
    for o in trail:
        typer.echo(
            f"{o.created_at:%Y-%m-%d %H:%M} {o.trainer} {o.session_id} t{o.turn} {o.criterion} "
            f"{_num(o.before)} -> {_num(o.after)}: {o.reason}"
        )


@export_app.command("graded")
def export_graded_cmd(
    cohort: Annotated[
        str | None, typer.Option("--cohort", help="One cohort's reviews (all by default).")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write to FILE (stdout by default).")
    ] = None,
) -> None:
    """The reviewed turns as graded replies, JSON lines in the dev set's shape."""
    from simulator.store import export_graded

    lines = export_graded(open_store(), cohort)
    text = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
    if out is None:
        typer.echo(text, nl=False)
        return
    out.write_text(text, encoding="utf-8")
    typer.echo(f"{len(lines)} graded replies: {out}", err=True)


@app.command("calibrate")
def calibrate(
    with_file: Annotated[
        Path | None,
        typer.Option("--with", help="Graded replies (JSON lines) to fit on beside the dev set."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write here (the shipped calibration by default).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Refit the grader's calibration on the dev set (plus a programme's graded replies with
    --with) and print how it agrees, before and after, in sample."""
    from simulator.evals import calibrate_with, load_graded_lines
    from simulator.factory import calibration_path, make_featurizer
    from simulator.grading import Calibration

    extra = load_graded_lines(with_file) if with_file else []
    current_path = calibration_path()
    current = Calibration.load(current_path) if current_path.exists() else None
    target = out or current_path
    result: dict[str, Any] = calibrate_with(
        make_featurizer(), extra, target, current, label=with_file.name if with_file else ""
    )
    if as_json:
        emit(result)
        return
    for when in ("before", "after"):
        figures = result[when]
        if figures is None:
            continue
        for part in ("dev", "programme"):
            f = figures[part]
            typer.echo(
                f"{when} {part}: {f['replies']} replies, Spearman {f['spearman']}, "
                f"pairwise {f['pairwise_accuracy']}"
            )
    typer.echo(f"calibration: {target}", err=True)
