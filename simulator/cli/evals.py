"""`cm-sim eval grader|retrieval|community`: the quality figures on the dev sets."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from simulator.cli.output import ProviderOpt, emit, progress_bar
from simulator.cli.root import app, sub_app

eval_app = sub_app("Quality figures on the dev sets.")
app.add_typer(eval_app, name="eval")


@eval_app.command("grader")
def eval_grader(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    do_fit: Annotated[
        bool, typer.Option("--fit", help="Refit the shipped calibration on the whole dev set.")
    ] = False,
    folds: Annotated[int, typer.Option("--folds", min=2, max=20, help="Cross-validation.")] = 5,
    with_file: Annotated[
        Path | None,
        typer.Option(
            "--with",
            help="A programme's graded replies (JSON lines, `cm-sim export graded`): "
            "leave-one-scenario-out before and after adding them, and on them alone.",
        ),
    ] = None,
) -> None:
    """Spearman, pairwise ordering accuracy and injection inflation, cross-validated."""
    from simulator.evals import (
        fit_addressee,
        fit_and_save,
        load_graded_lines,
        run_grader_eval,
        run_grader_eval_with,
    )
    from simulator.factory import (
        addressee_path,
        calibration_path,
        load_knowledge_content,
        make_featurizer,
    )

    # A bad --with file is refused before anything is refitted or measured.
    extra = load_graded_lines(with_file) if with_file is not None else None
    content = load_knowledge_content()
    if do_fit:
        featurizer = make_featurizer()
        report = fit_addressee(featurizer, content, addressee_path())
        typer.echo(f"addressee model: {report} -> {addressee_path()}", err=True)
        featurizer = make_featurizer()
        calibration = fit_and_save(featurizer, calibration_path())
        typer.echo(f"calibrated on {calibration.replies} replies: {calibration_path()}", err=True)
    featurizer = make_featurizer()
    cards = {card.id: card for card in content.cards}
    if extra is not None:
        result = run_grader_eval_with(featurizer, cards, extra)
        if as_json:
            emit(result)
            return
        for when in ("before", "after"):
            loso = result[when]["loso"]
            typer.echo(f"{when}: {loso['spearman']} / {loso['pairwise_accuracy']}")
        typer.echo(f"programme: {result['programme']}")
        return
    result = run_grader_eval(featurizer, cards, k=folds)
    if as_json:
        emit(result)
        return
    for key in ("spearman", "pairwise_accuracy", "injection_inflation", "replies"):
        typer.echo(f"{key}: {result.get(key)}")


@eval_app.command("retrieval")
def eval_retrieval(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    embedding_model: Annotated[
        str | None,
        typer.Option(
            "--embedding-model",
            help="Measure these encoders instead of the configured ones (a+b fuses them).",
        ),
    ] = None,
    do_fit: Annotated[
        bool, typer.Option("--fit", help="Refit the shipped card ranker on the dev set first.")
    ] = False,
) -> None:
    """recall@5 and MRR on the retrieval dev set, for hybrid, dense and BM25, per language;
    cross-lingual queries and the blind hold-out set as their own rows."""
    from simulator.config import load_settings
    from simulator.evals import run_retrieval_eval
    from simulator.factory import make_knowledge_base

    kb = make_knowledge_base(load_settings(embedding_model=embedding_model))
    with progress_bar("knowledge index", leave=False) as progress:
        kb.build(progress)
    if do_fit:
        from simulator.evals import fit_card_ranker
        from simulator.paths import CARD_RANKER

        kb.ranker = fit_card_ranker(kb)
        kb.ranker.save(CARD_RANKER)
        typer.echo(f"card ranker for {kb.ranker.encoder}: {CARD_RANKER}", err=True)
    result = run_retrieval_eval(kb)
    if as_json:
        emit(result)
        return
    for mode in ("hybrid", "rrf", "dense", "bm25"):
        typer.echo(f"{mode:>7}: {result[mode]}")


@eval_app.command("community")
def eval_community(
    provider: Annotated[
        ProviderOpt | None, typer.Option("--provider", help="Provider to measure.")
    ] = None,
    model: Annotated[str | None, typer.Option("--model", help="Model name or GGUF path.")] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="First N cases only.")] = None,
    all_scenarios: Annotated[
        bool,
        typer.Option(
            "--all-scenarios", help="Cases from every scenario (graded replies, personas)."
        ),
    ] = False,
    per_scenario: Annotated[
        int, typer.Option("--per-scenario", min=1, help="Cases per scenario and language.")
    ] = 4,
    turns: Annotated[
        int | None,
        typer.Option(
            "--turns", min=0, help="Engine turns timed per scenario and language (0: none)."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Acceptance of LLM posts by the validators, per language, scenario and validator; the
    share copying the scripted line; seconds per post and per turn."""
    from simulator.config import load_settings
    from simulator.content import all_scenarios as shipped
    from simulator.evals import (
        load_community_cases,
        load_dev_set,
        run_community_eval,
        scenario_cases,
        time_turns,
    )
    from simulator.factory import make_voice
    from simulator.paths import shipped_scenarios_dir

    settings = load_settings(provider=provider.value if provider else None, model=model)
    voice = make_voice(settings.provider, settings)
    scenarios = shipped(shipped_scenarios_dir())[0]
    replies = load_dev_set()
    cases = (
        scenario_cases(scenarios, replies, per_scenario)
        if all_scenarios
        else (load_community_cases())
    )
    cases = cases[:limit] if limit else cases
    result = run_community_eval(
        voice,
        voice.name,
        cases,
        progress=lambda done, total: typer.echo(f"\rpost {done}/{total}", err=True, nl=False),
    )
    typer.echo("", err=True)
    turns = turns if turns is not None else (1 if all_scenarios else 0)
    if turns:
        result["turn_latency"] = time_turns(
            voice,
            scenarios,
            replies,
            turns,
            progress=lambda done, total: typer.echo(f"\rturns {done}/{total}", err=True, nl=False),
        )
        typer.echo("", err=True)
    if as_json:
        emit(result)
    else:
        for key in ("acceptance", "acceptance_by_lang", "copy_share_by_lang", "latency_p50_s"):
            typer.echo(f"{key}: {result[key]}")
        if "turn_latency" in result:
            typer.echo(f"turn_latency: {result['turn_latency']}")


@eval_app.command("judge")
def eval_judge(
    provider: Annotated[
        ProviderOpt | None, typer.Option("--provider", help="The judge's provider.")
    ] = None,
    model: Annotated[str | None, typer.Option("--model", help="The judge's model.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Replies to judge.")] = 40,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Whether an LLM judge asked about each expectation helps, on graded replies."""
    from simulator.config import load_settings
    from simulator.evals import run_judge_eval
    from simulator.factory import make_exemplar_grader, with_judge
    from simulator.grading import JudgedGrader

    settings = load_settings(
        judge_provider=provider.value if provider else "local", judge_model=model
    )
    base = make_exemplar_grader(settings)
    judged = with_judge(base, settings)
    assert isinstance(judged, JudgedGrader)
    result = run_judge_eval(
        base,
        judged,
        limit,
        progress=lambda done, total: typer.echo(f"\rreply {done}/{total}", err=True, nl=False),
    )
    typer.echo("", err=True)
    if as_json:
        emit(result)
    else:
        for key, value in result.items():
            typer.echo(f"{key}: {value}")
