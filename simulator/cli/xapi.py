"""`cm-sim xapi`: the learning records waiting in the outbox, and their delivery to the LRS."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from simulator.cli.output import emit, fail
from simulator.cli.root import app, sub_app
from simulator.cli.store import open_store

xapi_app = sub_app("Learning records (xAPI): the outbox and its delivery to the LRS.")
app.add_typer(xapi_app, name="xapi")

SETTINGS_HINT = "set CM_SIM_LRS_URL, CM_SIM_LRS_USER and CM_SIM_LRS_PASSWORD"


def _queued(count: int) -> str:
    return f"{count} statement{'s' if count != 1 else ''} stay{'s' if count == 1 else ''} queued"


@xapi_app.command("status")
def xapi_status(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Statements pending and sent, the oldest pending one's age, the last error, the LRS.

    Reads the outbox only: the LRS itself is not asked (`flush` does that)."""
    from simulator.store import status

    data = status(open_store())
    if as_json:
        emit(data)
        return
    typer.echo(f"LRS: {data['lrs'] or f'not configured ({SETTINGS_HINT})'}")
    typer.echo(f"pending: {data['pending']}  sent: {data['sent']}")
    if data["oldest_pending_age_s"] is not None:
        typer.echo(f"oldest pending: {data['oldest_pending_age_s']:.0f} s ago")
    if data["last_error"]:
        typer.echo(f"last error ({data['attempts']} attempts): {data['last_error']}")


@xapi_app.command("flush")
def xapi_flush(
    batch: Annotated[int, typer.Option("--batch", min=1, help="Statements per request.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Send the pending statements to the LRS, in order.

    Exit 1 when the LRS is not configured, does not answer or does not take them: nothing
    is lost, they stay queued. With nothing pending, the LRS is still asked whether it
    answers."""
    from simulator.store import flush, lrs_config, probe_lrs, status

    store = open_store()
    lrs = lrs_config()
    result: dict[str, Any]
    if lrs is None:
        pending = status(store, None)["pending"]
        result = {"sent": 0, "pending": pending, "error": "no LRS configured", "lrs": None}
        if as_json:
            emit(result)
        fail(f"no LRS configured ({SETTINGS_HINT}): {_queued(pending)}")
    result = flush(store, lrs, batch)
    if result["error"] is None and result["sent"] == 0:
        result["error"] = probe_lrs(lrs)
    if as_json:
        emit(result)
    else:
        typer.echo(f"sent {result['sent']} to {lrs.url}; {result['pending']} pending")
    if result["error"] is not None:
        fail(f"LRS {lrs.url} unavailable ({result['error']}): {_queued(result['pending'])}")
