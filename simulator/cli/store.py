"""`cm-sim sessions`, `cm-sim campaign`, `cm-sim admin`: the stored data from the shell."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from simulator.cli.output import emit, fail
from simulator.cli.root import app, sub_app

if TYPE_CHECKING:
    from simulator.protocols import Store

sessions_app = sub_app("Stored sessions.")
campaign_app = sub_app("Assessment campaigns for employers.")
admin_app = sub_app("Accounts.")
app.add_typer(sessions_app, name="sessions")
app.add_typer(campaign_app, name="campaign")
app.add_typer(admin_app, name="admin")


def open_store() -> Store:
    from simulator.factory import make_store

    return make_store()


@sessions_app.command("list")
def sessions_list(
    campaign: Annotated[str | None, typer.Option("--campaign", help="Only this campaign.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Stored sessions, oldest first."""
    summaries = open_store().list(campaign_id=campaign)
    if as_json:
        emit([s.model_dump(mode="json") for s in summaries])
        return
    for s in summaries:
        score = f"{s.score:5.1f}" if s.score is not None else "    -"
        state = s.end_reason or ("ended" if s.ended else "playing")
        stamp = s.updated_at.strftime("%Y-%m-%d %H:%M")
        typer.echo(
            f"{s.id}  {stamp}  {s.scenario_id:<18} {s.lang}  turn {s.turn}  {score}  {state}"
        )


@sessions_app.command("show")
def sessions_show(
    session_id: Annotated[str, typer.Argument(metavar="ID")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """One session with every turn: the reply, the community's answer, grades, times."""
    from simulator.store import session_view

    view = session_view(open_store().get(session_id))
    if as_json:
        emit(view)
        return
    typer.echo(f"{view['id']}  {view['scenario_id']} ({view['lang']})  score {view['score']}")
    for turn in view["turns"]:
        typer.echo(f"\n[{turn['turn']}] {turn['received_at']}  score {turn['score']}")
        typer.echo(f"  > {turn['reply']}")
        for post in turn["community"]:
            typer.echo(f"  {post['name']}: {post['text']}")


@campaign_app.command("create")
def campaign_create(
    scenarios: Annotated[str, typer.Option("--scenarios", help="Scenario ids: ID,ID.")],
    lang: Annotated[str, typer.Option("--lang", help="fr or en.")],
    seed: Annotated[int, typer.Option("--seed", help="Same seed for every candidate.")],
    candidates: Annotated[int, typer.Option("--candidates", help="Invite codes to make.")],
    name: Annotated[str, typer.Option("--name", help="Shown to the employer.")] = "",
    time_limit: Annotated[
        int | None, typer.Option("--time-limit", help="Seconds per reply (default: scenario's).")
    ] = None,
    expires_days: Annotated[
        float | None, typer.Option("--expires-days", help="Codes stop working after this.")
    ] = None,
    employer: Annotated[
        str | None, typer.Option("--employer", help="Owner's e-mail (see admin create-employer).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """A campaign and its invite codes. The codes are shown now only: keep them."""
    from simulator.store import create_campaign, employer_by_email

    store = open_store()
    owner = None
    if employer is not None:
        found = employer_by_email(store, employer)
        if found is None:
            fail(f"--employer: no employer {employer!r} (cm-sim admin create-employer)")
        owner = found.id
    ids = [s.strip() for s in scenarios.split(",") if s.strip()]
    new = create_campaign(store, name, ids, lang, seed, candidates, time_limit, expires_days, owner)
    data = {**new.campaign.model_dump(mode="json"), "codes": new.codes}
    if as_json:
        emit(data)
        return
    typer.echo(f"campaign {new.campaign.id}: {len(new.codes)} invite code(s)")
    for code in new.codes:
        typer.echo(code)


@campaign_app.command("results")
def campaign_results_cmd(
    campaign_id: Annotated[str, typer.Argument(metavar="ID")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    as_csv: Annotated[
        bool, typer.Option("--csv", help="Print CSV (one row per candidate).")
    ] = False,
    pdf: Annotated[
        Path | None, typer.Option("--pdf", help="Also write the PDF report to this file.")
    ] = None,
) -> None:
    """Candidates ranked, with per-scenario and per-criterion scores."""
    from simulator.content import Lang
    from simulator.engine import markdown_pdf
    from simulator.store import campaign_results, results_csv, results_markdown

    store = open_store()
    results = campaign_results(store, campaign_id)
    if pdf is not None:
        lang: Lang = "fr" if results.campaign.lang == "fr" else "en"
        pdf.write_bytes(markdown_pdf(results_markdown(store, results, lang)))
        typer.echo(f"wrote {pdf}", err=True)
    if as_csv:
        sys.stdout.write(results_csv(results))
    elif as_json:
        emit(results.model_dump(mode="json"))
    else:
        for r in results.candidates:
            score = f"{r.score:5.1f}" if r.score is not None else "    -"
            typer.echo(f"{r.rank:>3}. {r.code_hint}  {score}  {r.status:<12} {r.name}")


PASSWORD_ENV = "CM_SIM_EMPLOYER_PASSWORD"


PasswordStdin = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from standard input.")
]
SsoOnly = Annotated[
    bool, typer.Option("--sso-only", help="No password: signs in through OIDC (st.login).")
]


def _staff_password(password_stdin: bool, sso_only: bool) -> str | None:
    """The new account's password: stdin, CM_SIM_EMPLOYER_PASSWORD, or a prompt; None for
    an SSO-only account."""
    if sso_only:
        return None
    if password_stdin:
        return sys.stdin.readline().rstrip("\n")
    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV]
    if sys.stdin.isatty():
        return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))
    fail(f"no password: use --password-stdin, {PASSWORD_ENV}, or --sso-only")


@admin_app.command("create-employer")
def create_employer_cmd(
    email: Annotated[str, typer.Option("--email", help="The employer's sign-in e-mail.")],
    password_stdin: PasswordStdin = False,
    sso_only: SsoOnly = False,
) -> None:
    """An employer account. The password comes from stdin, CM_SIM_EMPLOYER_PASSWORD, or a
    prompt; only its scrypt hash is stored."""
    from simulator.store import create_staff

    password = _staff_password(password_stdin, sso_only)
    employer = create_staff(open_store(), email, password, "employer")
    typer.echo(f"employer {employer.email} created (id {employer.id})")


@admin_app.command("create-trainer")
def create_trainer_cmd(
    email: Annotated[str, typer.Option("--email", help="The trainer's sign-in e-mail.")],
    password_stdin: PasswordStdin = False,
    sso_only: SsoOnly = False,
) -> None:
    """A trainer account (cohorts, class dashboard, grade review). The password comes from
    stdin, CM_SIM_EMPLOYER_PASSWORD, or a prompt; only its scrypt hash is stored."""
    from simulator.store import create_staff

    password = _staff_password(password_stdin, sso_only)
    trainer = create_staff(open_store(), email, password, "trainer")
    typer.echo(f"trainer {trainer.email} created (id {trainer.id})")
