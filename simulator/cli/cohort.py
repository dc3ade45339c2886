"""`cm-sim cohort`: a trainer's classes from the shell (create, list) and a student joining
with the code; a script can run a whole programme without the browser."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

import typer

from simulator.cli.output import LangOpt, emit, fail
from simulator.cli.root import app, sub_app
from simulator.cli.store import open_store

if TYPE_CHECKING:
    from simulator.protocols import Store
    from simulator.store import Cohort, Employer

cohort_app = sub_app("Cohorts: a trainer's class, its assignments and its join code.")
app.add_typer(cohort_app, name="cohort")


def trainer_account(store: Store, email: str) -> Employer:
    """The trainer with that e-mail, or a refusal that says how to create one."""
    from simulator.store import staff_by_email

    found = staff_by_email(store, email, "trainer")
    if found is None:
        fail(f"no trainer {email!r} (cm-sim admin create-trainer --email {email})")
    return found


def parse_due(values: list[str], scenarios: list[str]) -> dict[str, date]:
    """`--due 2026-12-15` (every assignment) or `--due ID=2026-12-15` (one), repeatable."""
    due: dict[str, date] = {}
    for value in values:
        target, _, day = value.rpartition("=")
        try:
            parsed = date.fromisoformat(day)
        except ValueError:
            fail(f"--due {value!r}: expected YYYY-MM-DD or ID=YYYY-MM-DD")
        for scenario_id in [target] if target else scenarios:
            due[scenario_id] = parsed
    return due


def cohort_json(cohort: Cohort) -> dict[str, Any]:
    data = cohort.model_dump(mode="json")
    data["scenarios"] = cohort.scenarios
    return data


@cohort_app.command("create")
def cohort_create(
    name: Annotated[str, typer.Option("--name", help="The cohort's name.")],
    scenarios: Annotated[str, typer.Option("--scenarios", help="Assigned scenarios: ID,ID.")],
    trainer: Annotated[str, typer.Option("--trainer", help="The owning trainer's e-mail.")],
    lang: Annotated[LangOpt, typer.Option("--lang", help="The cohort's language.")] = LangOpt.fr,
    seats: Annotated[int, typer.Option("--seats", help="How many students may join.")] = 30,
    due: Annotated[
        list[str] | None,
        typer.Option("--due", help="YYYY-MM-DD for every assignment, or ID=YYYY-MM-DD."),
    ] = None,
    attempts: Annotated[int, typer.Option("--attempts", help="Attempts per assignment.")] = 3,
    expires_in_days: Annotated[
        float, typer.Option("--expires-in-days", help="The join code stops working after.")
    ] = 90,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Create a cohort; print its id and its join code (shown once, stored hashed)."""
    from simulator.store import create_cohort

    store = open_store()
    ids = [s.strip() for s in scenarios.split(",") if s.strip()]
    new = create_cohort(
        store,
        trainer_account(store, trainer),
        name,
        ids,
        lang.value,
        due=parse_due(due or [], ids),
        seats=seats,
        attempts=attempts,
        expires_in_days=expires_in_days,
    )
    if as_json:
        emit({"id": new.cohort.id, "join_code": new.join_code, **cohort_json(new.cohort)})
        return
    typer.echo(f"cohort {new.cohort.id}: join code {new.join_code} ({seats} seats)")


@cohort_app.command("join")
def cohort_join(
    code: Annotated[str, typer.Argument(metavar="CODE", help="The cohort's join code.")],
    name: Annotated[str, typer.Option("--name", help="The student's name, for the trainer.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Join a cohort as a student; print the participant token their link carries."""
    from simulator.store import join_cohort

    participant, token = join_cohort(open_store(), code, name)
    link = f"/?me={token}"
    if as_json:
        emit(
            {
                "participant": token,
                "participant_id": participant.id,
                "cohort": participant.cohort_id,
                "link": link,
            }
        )
        return
    typer.echo(f"joined {participant.cohort_id}: keep this link {link}")


@cohort_app.command("list")
def cohort_list(
    trainer: Annotated[str, typer.Option("--trainer", help="The trainer's e-mail.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The trainer's cohorts, newest first, with their students and assignments."""
    from simulator.store import list_cohorts, students

    store = open_store()
    cohorts = list_cohorts(store, trainer_account(store, trainer))
    rows = [{**cohort_json(c), "students": len(students(store, c.id))} for c in cohorts]
    if as_json:
        emit(rows)
        return
    for row in rows:
        typer.echo(
            f"{row['id']}  {row['name']}  {row['lang']}  {row['students']}/{row['seats']} "
            f"students  {', '.join(row['scenarios'])}"
        )
