"""`cm-sim draft` and `cm-sim eval draft`: a scenario drafted by a model from a description,
and how often the model's drafts pass the validator."""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from simulator.cli.evals import eval_app
from simulator.cli.output import LangOpt, ProviderOpt, emit
from simulator.cli.root import app

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

# Short situations, varied in sector, channel and language, for `cm-sim eval draft`.
SITUATIONS: list[tuple[str, str]] = [
    (
        "fr",
        "Une salle de sport de quartier augmente ses tarifs sans prévenir ; un adhérent "
        "furieux publie sa facture sur Instagram et d'autres membres le soutiennent.",
    ),
    (
        "en",
        "A video game studio delays its release by six months the day before launch; "
        "a popular streamer posts an angry thread on X and fans pile in.",
    ),
    (
        "fr",
        "Une mairie annonce la fermeture d'une piscine ; un parent accuse la ville sur "
        "Facebook de mentir sur les raisons, un journaliste local demande une réaction.",
    ),
    (
        "en",
        "A vegan snack brand finds milk traces in one batch; a customer with an allergy "
        "posts a photo of the label and asks whether she is in danger.",
    ),
    (
        "fr",
        "Une banque en ligne subit une panne d'une journée ; les clients ne peuvent plus "
        "payer et un troll affirme que la banque a fait faillite.",
    ),
]

DRAFT_TIMEOUT_S = 300.0


def _model(provider: ProviderOpt | None, model: str | None) -> tuple[BaseChatModel, str, str]:
    from simulator.config import load_settings
    from simulator.llm import draft_chat_model

    settings = load_settings(provider=provider.value if provider else None, model=model)
    return (
        draft_chat_model(settings, timeout_s=DRAFT_TIMEOUT_S),
        settings.provider,
        settings.model or "default",
    )


@app.command("draft")
def draft(
    description: Annotated[str, typer.Argument(help="The situation, in a few sentences.")],
    lang: Annotated[LangOpt, typer.Option("--lang", help="The description's language.")] = (
        LangOpt.fr
    ),
    provider: Annotated[
        ProviderOpt | None, typer.Option("--provider", help="Provider to draft with.")
    ] = None,
    model: Annotated[str | None, typer.Option("--model", help="Model name or GGUF path.")] = None,
    scenario_id: Annotated[str, typer.Option("--id", help="The draft's scenario id.")] = (
        "my-draft"
    ),
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write the YAML here.")] = None,
) -> None:
    """Draft a complete scenario from a description; print its problems, exit 1 on any (the
    YAML is written all the same, for the trainer to edit)."""
    from simulator.llm import draft_scenario
    from simulator.store import SCENARIO_TEMPLATE

    chat_model, _, _ = _model(provider, model)
    result = draft_scenario(
        description,
        lang.value,
        SCENARIO_TEMPLATE,
        chat_model,
        scenario_id=scenario_id,
        timeout_s=DRAFT_TIMEOUT_S,
    )
    if out is None:
        typer.echo(result.yaml, nl=False)
    else:
        out.write_text(result.yaml, encoding="utf-8")
        typer.echo(f"draft written to {out} ({result.seconds:.1f} s)", err=True)
    for problem in result.problems:
        typer.echo(problem, err=True)
    if result.problems:
        typer.echo(f"{len(result.problems)} problem(s) to fix in the draft", err=True)
        raise typer.Exit(1)
    typer.echo("the draft is a valid scenario", err=True)


@eval_app.command("draft")
def eval_draft(
    provider: Annotated[
        ProviderOpt | None, typer.Option("--provider", help="Provider to measure.")
    ] = None,
    model: Annotated[str | None, typer.Option("--model", help="Model name or GGUF path.")] = None,
    n: Annotated[
        int, typer.Option("--n", min=1, max=len(SITUATIONS), help="Situations to draft.")
    ] = 3,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """How many drafts from short descriptions pass the validator, and how long each takes."""
    from simulator.llm import LLMError, draft_scenario
    from simulator.store import SCENARIO_TEMPLATE

    chat_model, provider_name, model_name = _model(provider, model)
    drafts: list[dict[str, object]] = []
    for index, (lang, description) in enumerate(SITUATIONS[:n]):
        typer.echo(f"\rdraft {index + 1}/{n}", err=True, nl=False)
        try:
            result = draft_scenario(
                description,
                lang,  # type: ignore[arg-type]
                SCENARIO_TEMPLATE,
                chat_model,
                scenario_id=f"draft-{index + 1}",
                timeout_s=DRAFT_TIMEOUT_S,
            )
        except LLMError as error:
            drafts.append({"lang": lang, "valid": False, "error": str(error), "problems": None})
            typer.echo(f" {drafts[-1]}", err=True)
            continue
        drafts.append(
            {
                "lang": lang,
                "valid": result.valid,
                "problems": len(result.problems),
                "first_problems": result.problems[:3],
                "seconds": result.seconds,
                "chars": len(result.yaml),
            }
        )
        # Each result as it comes: a long run stopped midway still tells something.
        typer.echo(f" {drafts[-1]}", err=True)
    typer.echo("", err=True)
    seconds = [float(str(d["seconds"])) for d in drafts if "seconds" in d]
    report = {
        "provider": provider_name,
        "model": model_name,
        "tried": len(drafts),
        "valid": sum(1 for d in drafts if d["valid"]),
        "median_s": round(statistics.median(seconds), 1) if seconds else None,
        "drafts": drafts,
    }
    if as_json:
        emit(report)
        return
    typer.echo(f"valid: {report['valid']}/{report['tried']}, median {report['median_s']} s")
    for d in drafts:
        typer.echo(f"  {d['lang']}: problems={d['problems']} seconds={d.get('seconds')}")
