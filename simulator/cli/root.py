"""The `cm-sim` application object. Every command module registers on it; a refusal
(`SimulatorError`) raised anywhere below is printed once, here, and exits 1."""

from __future__ import annotations

import logging
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from simulator.errors import SimulatorError
from simulator.store import configure_logging


class _Refusals(TyperGroup):
    """Catches every SimulatorError of every subcommand: one place, one message, exit 1."""

    # The context's class is typer's own copy of click's: typed loosely to stay portable.
    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except SimulatorError as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(1) from None


app = typer.Typer(
    name="cm-sim",
    cls=_Refusals,
    help="CM Simulator: practise community management against a live, graded community.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def main(
    verbose: Annotated[
        bool,
        typer.Option("--verbose", "-v", help="Show what falls back and retries (log on stderr)."),
    ] = False,
) -> None:
    """CM Simulator: practise community management against a live, graded community."""
    # Each line names the stored session it belongs to (`[session -]` outside one).
    configure_logging(logging.INFO if verbose else logging.WARNING)


def sub_app(help_text: str) -> typer.Typer:
    """A command group (`cm-sim eval ...`) that shares the root's refusal handling."""
    return typer.Typer(help=help_text, no_args_is_help=True)
