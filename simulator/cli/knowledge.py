"""`cm-sim index` and `cm-sim search`: the knowledge base from the shell."""

from __future__ import annotations

from typing import Annotated

import typer

from simulator.cli.output import LangOpt, emit, progress_bar
from simulator.cli.root import app


@app.command()
def index(
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Build or refresh the knowledge index (only changed content is embedded)."""
    from simulator.errors import ContentError
    from simulator.factory import make_featurizer, make_knowledge_base

    try:
        kb = make_knowledge_base()
    except ContentError as exc:
        for problem in exc.problems:
            typer.echo(str(problem))
        raise typer.Exit(1) from None
    with progress_bar("embedding", quiet=as_json) as progress:
        report = kb.build(progress)
    # The grader's exemplar embeddings are cached next to the index: warm them too, so the
    # first graded reply in the app does not wait for them.
    make_featurizer()
    if as_json:
        emit(report.model_dump())
    else:
        typer.echo(
            f"index: {report.added} added, {report.updated} updated, {report.removed} removed, "
            f"{report.unchanged} unchanged in {report.seconds:.1f} s; grader exemplars ready",
            err=True,
        )


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="What to look for.")],
    lang: Annotated[LangOpt, typer.Option("--lang")] = LangOpt.fr,
    k: Annotated[int, typer.Option("--k", min=1, max=50)] = 5,
    cards_only: Annotated[bool, typer.Option("--cards-only")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Search the knowledge base (hybrid: dense + BM25), as the app and the grader do."""
    from simulator.factory import make_knowledge_base

    kb = make_knowledge_base()
    kinds = ("card",) if cards_only else ("card", "article")
    hits = kb.search(query, lang.value, k=k, kinds=kinds)
    if as_json:
        emit([hit.model_dump() for hit in hits])
        return
    for hit in hits:
        typer.echo(f"{hit.score:.4f}  {','.join(hit.card_ids):<30} {hit.title}")
