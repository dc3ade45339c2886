"""`cm-sim`: the command-line contract of DESIGN.md. Heavy imports stay inside commands."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from simulator.cli_output import emit as _emit
from simulator.cli_output import fail as _fail
from simulator.cli_store import admin_app, campaign_app, open_store, sessions_app

app = typer.Typer(
    name="cm-sim",
    help="CM Simulator: practise community management against a live, graded community.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class LangOpt(StrEnum):
    fr = "fr"
    en = "en"


class ProviderOpt(StrEnum):
    local = "local"
    openai = "openai"
    ollama = "ollama"
    fake = "fake"


eval_app = typer.Typer(help="Quality figures on the dev sets.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")
app.add_typer(sessions_app, name="sessions")
app.add_typer(campaign_app, name="campaign")
app.add_typer(admin_app, name="admin")


@app.command()
def validate(
    paths: Annotated[list[Path], typer.Argument(help="Scenario files or directories.")],
) -> None:
    """Check scenarios; print `FILE:LINE: field.path: message` per problem, exit 1 on any."""
    from simulator.catalog import practice_ids
    from simulator.scenario import scenario_files, validate_paths

    problems = validate_paths(paths, practice_ids())
    for problem in problems:
        typer.echo(str(problem))
    count = len(scenario_files(paths))
    if problems:
        typer.echo(f"{len(problems)} problem(s) in {count} file(s)", err=True)
        raise typer.Exit(1)
    typer.echo(f"{count} scenario(s) valid", err=True)


@app.command()
def schema(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file.")
    ] = None,
) -> None:
    """Print the JSON Schema of the scenario format (for editors)."""
    from simulator.scenario import json_schema

    text = json.dumps(json_schema(), ensure_ascii=False, indent=2) + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {output}", err=True)


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
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Play a scenario headless from a file of replies; print the transcript and the report."""
    from simulator.catalog import UnknownScenario
    from simulator.config import ConfigError
    from simulator.llm import LLMError
    from simulator.local_models import ModelNotInstalled
    from simulator.play import play as run_play
    from simulator.problems import ContentError
    from simulator.replies import read_replies
    from simulator.session import ReplyRejected

    try:
        items = read_replies(replies)
        if not items:
            _fail(f"{replies}: no replies found")
        name = provider.value if provider else None
        store = open_store() if save else None
        result = run_play(scenario_id, lang.value, items, seed, name, store)
    except (
        ContentError,
        UnknownScenario,
        ReplyRejected,
        ConfigError,
        ModelNotInstalled,
        LLMError,
    ) as exc:
        _fail(str(exc))
    if as_json:
        _emit(result)
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

    from simulator.catalog import REPO_ROOT, streamlit_command

    command = streamlit_command(port, address, headless)
    typer.echo(f"CM Simulator on http://{address}:{port}", err=True)
    raise typer.Exit(subprocess.call(command, cwd=REPO_ROOT))


@app.command()
def bench(
    runs: Annotated[int, typer.Option("--runs", min=1, help="Repetitions per figure.")] = 5,
    provider: Annotated[ProviderOpt, typer.Option("--provider")] = ProviderOpt.local,
    sizes: Annotated[
        str, typer.Option("--sizes", help="Index sizes (chunks) for retrieval latency.")
    ] = "100,1000,10000",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Measure the engine on this machine: medians with their spread."""
    from simulator.bench import run_all

    try:
        chunk_sizes = tuple(int(size) for size in sizes.split(",") if size.strip())
    except ValueError:
        _fail(f"--sizes: expected numbers separated by commas, got {sizes!r}")
        return
    result = run_all(
        runs,
        progress=lambda step: typer.echo(f"bench: {step}...", err=True),
        provider=provider.value,
        sizes=chunk_sizes,
    )
    if as_json:
        _emit(result)
    else:
        for key, value in result.items():
            if key != "details":
                typer.echo(f"{key:>20}: {value}")


@app.command("validate-kb")
def validate_kb() -> None:
    """Check every practice card and article; `FILE:LINE: field.path: message` per problem."""
    from simulator.factory import load_knowledge_content
    from simulator.problems import ContentError

    try:
        content = load_knowledge_content()
    except ContentError as exc:
        for problem in exc.problems:
            typer.echo(str(problem))
        typer.echo(f"{len(exc.problems)} problem(s)", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"{len(content.cards)} card(s), {len(content.articles)} article(s) valid", err=True)


@app.command()
def index(
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Build or refresh the knowledge index (only changed content is embedded)."""
    from tqdm import tqdm

    from simulator.factory import make_knowledge_base
    from simulator.problems import ContentError

    try:
        kb = make_knowledge_base()
    except ContentError as exc:
        for problem in exc.problems:
            typer.echo(str(problem))
        raise typer.Exit(1) from None
    with tqdm(total=0, unit="doc", desc="embedding", disable=as_json) as bar:

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.n = done
            bar.refresh()

        report = kb.build(progress)
    # The grader's exemplar embeddings are cached next to the index: warm them too, so the
    # first graded reply in the app does not wait for them.
    from simulator.factory import make_featurizer

    make_featurizer()
    if as_json:
        _emit(report.model_dump())
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
    try:
        hits = kb.search(query, lang.value, k=k, kinds=kinds)
    except RuntimeError as exc:
        _fail(str(exc))
    if as_json:
        _emit([hit.model_dump() for hit in hits])
        return
    for hit in hits:
        typer.echo(f"{hit.score:.4f}  {','.join(hit.card_ids):<30} {hit.title}")


def _refresh_index(kb: Any) -> None:
    """Make the knowledge index current (a no-op in about a second when nothing changed)."""
    from tqdm import tqdm

    with tqdm(total=0, unit="doc", desc="knowledge index", file=sys.stderr, leave=False) as bar:

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.n = done
            bar.refresh()

        kb.build(progress)


def _grader_for_cli() -> Any:
    from simulator.factory import make_grader, make_knowledge_base
    from simulator.problems import ContentError

    try:
        kb = make_knowledge_base()
        _refresh_index(kb)
        return make_grader(retriever=kb)
    except ContentError as exc:
        _fail("\n".join(str(p) for p in exc.problems))
    except (FileNotFoundError, ValueError) as exc:
        _fail(str(exc))


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
) -> None:
    """Grade one reply, or every line of a JSONL batch (one JSON verdict per line, in order)."""
    from simulator.batch import BatchError, load_batch, verdict

    if batch is None and (scenario is None or reply is None):
        _fail("give --scenario and --reply, or --batch FILE", code=2)
    if batch is not None:
        try:
            requests = load_batch(batch)
        except BatchError as exc:
            _fail(str(exc))
    else:
        assert scenario is not None and reply is not None
        try:
            requests = [_single_request(scenario, lang.value, reply, turn)]
        except BatchError as exc:
            _fail(str(exc))
    grader = _grader_for_cli()
    assessments = []
    chunk = 25
    for start in range(0, len(requests), chunk):
        part = requests[start : start + chunk]
        pairs = [(r.reply, r.context()) for r in part]
        if hasattr(grader, "assess_many"):
            assessments.extend(grader.assess_many(pairs))
        else:
            assessments.extend(grader.assess(text, ctx) for text, ctx in pairs)
        if batch is not None:
            typer.echo(f"\rgraded {len(assessments)}/{len(requests)}", err=True, nl=False)
    if batch is not None:
        typer.echo("", err=True)
    for assessment in assessments:
        if as_json and batch is not None:
            typer.echo(json.dumps(verdict(assessment), ensure_ascii=False))
        elif as_json:
            _emit(verdict(assessment))
        else:
            typer.echo(f"score {assessment.score:5.1f}  flags {','.join(assessment.flags) or '-'}")
            for c in assessment.criteria:
                typer.echo(f"  {c.id:<28} {c.score:5.1f}  {c.feedback}")
            typer.echo(f"  practices: {', '.join(assessment.practices)}")
            typer.echo(f"  better reply: {assessment.better_reply}")


def _single_request(scenario: str, lang: str, reply: str, turn: int) -> Any:
    from simulator.batch import BatchError, GradeRequest
    from simulator.catalog import UnknownScenario, get_scenario

    try:
        get_scenario(scenario)
    except UnknownScenario as exc:
        raise BatchError(str(exc)) from None
    return GradeRequest(scenario=scenario, lang=lang, reply=reply, turn=turn)


@eval_app.command("grader")
def eval_grader(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    do_fit: Annotated[
        bool, typer.Option("--fit", help="Refit the shipped calibration on the whole dev set.")
    ] = False,
    folds: Annotated[int, typer.Option("--folds", min=2, max=20, help="Cross-validation.")] = 5,
) -> None:
    """Spearman, pairwise ordering accuracy and injection inflation, cross-validated."""
    from simulator.eval_grader import fit_addressee, fit_and_save, run_eval
    from simulator.factory import (
        addressee_path,
        calibration_path,
        load_knowledge_content,
        make_featurizer,
    )

    if do_fit:
        featurizer = make_featurizer()
        report = fit_addressee(featurizer, addressee_path())
        typer.echo(f"addressee model: {report} -> {addressee_path()}", err=True)
        featurizer = make_featurizer()
        calibration = fit_and_save(featurizer, calibration_path())
        typer.echo(f"calibrated on {calibration.replies} replies: {calibration_path()}", err=True)
    featurizer = make_featurizer()
    cards = {card.id: card for card in load_knowledge_content().cards}
    result = run_eval(featurizer, cards, k=folds)
    if as_json:
        _emit(result)
        return
    for key in ("spearman", "pairwise_accuracy", "injection_inflation", "replies"):
        typer.echo(f"{key}: {result.get(key)}")


@eval_app.command("retrieval")
def eval_retrieval(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """recall@5 and MRR on the retrieval dev set, for hybrid, dense and BM25, per language."""
    from simulator.eval_retrieval import run_eval
    from simulator.factory import make_knowledge_base

    kb = make_knowledge_base()
    if kb.build().added:
        typer.echo("(the index was built first)", err=True)
    result = run_eval(kb)
    if as_json:
        _emit(result)
        return
    for mode in ("hybrid", "dense", "bm25"):
        typer.echo(f"{mode:>7}: {result[mode]}")


@eval_app.command("community")
def eval_community(
    provider: Annotated[
        ProviderOpt | None, typer.Option("--provider", help="Provider to measure.")
    ] = None,
    model: Annotated[str | None, typer.Option("--model", help="Model name or GGUF path.")] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="First N cases only.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Acceptance of LLM posts by the validators, per language and validator; latency."""
    from simulator.config import ConfigError, load_settings
    from simulator.eval_community import load_cases, run_eval
    from simulator.factory import make_voice
    from simulator.local_models import ModelNotInstalled

    try:
        settings = load_settings(provider=provider.value if provider else None, model=model)
        voice = make_voice(settings.provider, settings)
    except (ConfigError, ModelNotInstalled) as exc:
        _fail(str(exc))
    cases = load_cases()[:limit] if limit else load_cases()
    result = run_eval(
        voice,
        voice.name,
        cases,
        progress=lambda done, total: typer.echo(f"\rcase {done}/{total}", err=True, nl=False),
    )
    typer.echo("", err=True)
    if as_json:
        _emit(result)
    else:
        for key in ("acceptance", "acceptance_by_lang", "latency_p50_s", "latency_p95_s"):
            typer.echo(f"{key}: {result[key]}")


@app.command()
def doctor(
    provider: Annotated[
        ProviderOpt | None, typer.Option("--provider", help="Check this provider.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Which provider and model are active, and whether they answer."""
    from simulator.doctor import diagnose

    report = diagnose(provider.value if provider else None)
    if as_json:
        _emit(report)
    else:
        for key, value in report.items():
            typer.echo(f"{key:>14}: {value}")
    if not report["answers"]:
        raise typer.Exit(1)


def main() -> None:  # pragma: no cover - console entry point
    app()
