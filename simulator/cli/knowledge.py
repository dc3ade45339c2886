"""`cm-sim index` and `cm-sim search`: the knowledge base from the shell."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from simulator.cli.output import LangOpt, emit, fail, progress_bar
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
    query: Annotated[str | None, typer.Argument(help="What to look for.")] = None,
    lang: Annotated[LangOpt, typer.Option("--lang")] = LangOpt.fr,
    k: Annotated[int, typer.Option("--k", min=1, max=50)] = 5,
    cards_only: Annotated[bool, typer.Option("--cards-only")] = False,
    batch: Annotated[
        Path | None,
        typer.Option("--batch", help="A file of queries, one per line: one JSON line each."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Search the knowledge base (hybrid: dense + BM25), as the app and the grader do."""
    from simulator.factory import make_knowledge_base

    if (query is None) == (batch is None):
        fail("give a QUERY or --batch FILE (one query per line)", code=2)
    queries = [query] if query is not None else read_lines(batch)
    kb = make_knowledge_base()
    # Current first: after a change of encoder (CM_SIM_EMBEDDING_MODEL) this builds its
    # collections, with the progress bar; otherwise it checks and changes nothing.
    with progress_bar("knowledge index", leave=False, quiet=as_json or batch is not None) as step:
        kb.build(step)
    kinds = ("card",) if cards_only else ("card", "article")
    for text in queries:
        hits = kb.search(text, lang.value, k=k, kinds=kinds)
        if batch is not None:
            found = [hit.model_dump() for hit in hits]
            typer.echo(
                json.dumps({"query": text, "lang": lang.value, "hits": found}, ensure_ascii=False)
            )
        elif as_json:
            emit([hit.model_dump() for hit in hits])
        else:
            for hit in hits:
                typer.echo(f"{hit.score:.4f}  {','.join(hit.card_ids):<30} {hit.title}")


def read_lines(path: Path | None) -> list[str]:
    """The non-empty lines of a UTF-8 text file, or a refusal that names the file."""
    assert path is not None
    try:
        lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    except FileNotFoundError:
        fail(f"{path}: no such file")
    except UnicodeDecodeError:
        fail(f"{path}: not UTF-8 text")
    found = [line for line in lines if line]
    if not found:
        fail(f"{path}: no queries")
    return found


@app.command()
def coverage(
    lang: Annotated[LangOpt, typer.Option("--lang", help="Language of the theme titles.")] = (
        LangOpt.en
    ),
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Which scenarios, cards and articles cover each theme of the source material, and which
    scenarios cite each practice card; exit 1 when a theme has no scenario."""
    from simulator.content import all_scenarios
    from simulator.factory import load_knowledge_content
    from simulator.knowledge import SEED_THEMES_FILE, coverage_report, load_seed_themes, uncovered
    from simulator.paths import knowledge_dir

    content = load_knowledge_content()
    themes = load_seed_themes(knowledge_dir() / SEED_THEMES_FILE, content)
    scenarios, problems = all_scenarios()
    for problem in problems:
        typer.echo(str(problem), err=True)
    report = coverage_report(themes, content, scenarios, knowledge_dir(), lang.value)
    if as_json:
        emit(report)
    else:
        typer.echo(coverage_table(report))
    if problems:
        fail(f"{len(problems)} problem(s) in the scenarios: their coverage is not counted")
    missing = uncovered(report)
    if missing:
        fail(f"themes no scenario practises: {', '.join(missing)}")


def coverage_table(report: dict[str, Any]) -> str:
    """The themes as a Markdown table (the one the README shows)."""
    rows = ["| theme | scenarios | cards | articles |", "| --- | --- | --- | --- |"]
    for theme in report["themes"]:
        articles = ", ".join(dict.fromkeys(Path(path).stem for path in theme["articles"]))
        rows.append(
            f"| {theme['title']} | {', '.join(theme['scenarios'])} | "
            f"{', '.join(theme['cards'])} | {articles} |"
        )
    return "\n".join(rows)
