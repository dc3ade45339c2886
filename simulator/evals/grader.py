"""`cm-sim eval grader`: agreement with the experts on replies the grader was not fitted on,
above all on scenarios it has never seen, and injection inflation.

The headline is leave-one-scenario-out: each scenario's replies are graded by a calibration
fitted on the other scenarios' graded replies only, as a trainer's new scenario would be (the
features themselves use no graded reply: the check scale is read off the scenarios' own model
answers). k-fold figures (random folds, a scenario's other replies in training) are reported
beside it. Injection inflation is measured on the dev set's poor replies (expert grade 1-2)
attacked under the grader that did not see their scenario, plus on the corpora's own poor
replies with the shipped grader.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from statistics import fmean
from typing import Any

import numpy as np

from simulator.content import Scenario, shipped_scenario
from simulator.evals.devset import (
    GradedReply,
    InjectionCorpus,
    Payload,
    PoorReply,
    attach,
    evalsets_dir,
    load_dev_set,
    load_injection,
)
from simulator.grading import (
    Calibration,
    Embedded,
    ExemplarGrader,
    Featurizer,
    ReplyFeatures,
    Scale,
    criterion_columns,
    fit_ridge,
    grade_to_score,
    overall_columns,
    overall_row,
    pairwise_accuracy,
    spearman,
)
from simulator.knowledge import Card, KnowledgeContent
from simulator.protocols import GradingContext

ALPHA_CRITERION = 30.0
ALPHA_OVERALL = 10.0
FOLDS = 5
POOR = 2
PAYLOADS_PER_DEV_REPLY = 8


def context_of(scenario: str, lang: str, turn: int) -> GradingContext:
    """A dev reply's situation: its turn, and the injects set by turn that fired before it."""
    found = shipped_scenario(scenario)
    return GradingContext.model_validate(
        {
            "scenario": found,
            "lang": lang,
            "turn": turn,
            "fired": found.timed_injects_before(turn),
        }
    )


def embed(featurizer: Featurizer, items: Sequence[GradedReply]) -> list[Embedded]:
    return featurizer.embed([(i.reply, context_of(i.scenario, i.lang, i.turn)) for i in items])


def measure(
    featurizer: Featurizer, embedded: Sequence[Embedded], scale: Scale | None = None
) -> list[ReplyFeatures]:
    return [featurizer.measure(e, scale) for e in embedded]


def fit_scale(featurizer: Featurizer, scenarios: Sequence[Scenario]) -> Scale:
    """Where a check match starts to count, read off the scenarios' own model answers (no
    graded reply): a turn's model answer against that turn's expectations (they should
    match) and other scenarios' model answers against them (they should not). The centre
    sits halfway between the two medians."""
    from simulator.grading import applicable, best_match, check_key, check_texts

    replies: list[tuple[str, GradingContext]] = []
    for scenario in scenarios:
        for answer in scenario.model_answers:
            for lang in ("fr", "en"):
                context = GradingContext(
                    scenario=scenario,
                    lang=lang,
                    turn=answer.turn,
                    fired=scenario.timed_injects_before(answer.turn),
                )
                replies.append((answer.text.get(lang), context))
    embedded = featurizer.embed(replies, screened=False)
    own: list[float] = []
    other: list[float] = []
    for target in scenarios:
        for turn in range(1, target.end.max_turns + 1):
            checks = [
                a
                for a in applicable(target, turn, target.timed_injects_before(turn))
                if a.kind == "expectation"
            ]
            for e in embedded:
                mine = e.context.scenario.id == target.id
                if mine and e.context.turn != turn:
                    continue
                for item in checks:
                    examples = featurizer.bank.get(check_key(target.id, item.check.id))
                    match = best_match(
                        e.unit_vectors,
                        e.unit_negated,
                        examples,
                        check_texts(item.check),
                        False,
                    )
                    (own if mine else other).append(match.similarity)
    high, low = float(np.median(own)), float(np.median(other))
    return Scale(centre=round((high + low) / 2, 4), width=round(max(high - low, 0.05) / 6, 4))


def _stage1_rows(
    items: Sequence[GradedReply], feats: Sequence[ReplyFeatures]
) -> tuple[list[list[float]], list[float]]:
    rows: list[list[float]] = []
    targets: list[float] = []
    for item, f in zip(items, feats, strict=True):
        rubric = shipped_scenario(item.scenario).rubric
        rows.extend(f.criterion_rows())
        targets.extend(float(item.criteria[c.id]) for c in rubric)
    return rows, targets


def _criterion_grades(stage1: Any, f: ReplyFeatures) -> list[float]:
    grades: list[float] = np.clip(stage1.predict(np.asarray(f.criterion_rows())), 1, 5).tolist()
    return grades


def fit(
    items: Sequence[GradedReply],
    feats: Sequence[ReplyFeatures],
    scale: Scale,
    devset: str = "dev",
    alpha_criterion: float | None = None,
    alpha_overall: float | None = None,
) -> Calibration:
    """Stage 1 (criteria) on every reply; stage 2 (overall) on criterion grades each reply
    got from a stage 1 that never saw its scenario (stacking): a stage 2 trained on stage 1's
    own in-sample grades learns to trust them more than it should on a new scenario."""
    alpha_criterion = alpha_criterion or ALPHA_CRITERION
    alpha_overall = alpha_overall or ALPHA_OVERALL
    rows, targets = _stage1_rows(items, feats)
    stage1 = fit_ridge(np.asarray(rows), np.asarray(targets), criterion_columns(), alpha_criterion)
    names = sorted({i.scenario for i in items})
    held: dict[int, list[float]] = {}
    for name in names:
        inside = [j for j, i in enumerate(items) if i.scenario != name]
        if len(names) < 2 or not inside:
            held.update({j: _criterion_grades(stage1, feats[j]) for j in range(len(items))})
            break
        part_rows, part_targets = _stage1_rows(
            [items[j] for j in inside], [feats[j] for j in inside]
        )
        inner = fit_ridge(
            np.asarray(part_rows), np.asarray(part_targets), criterion_columns(), alpha_criterion
        )
        for j, item in enumerate(items):
            if item.scenario == name:
                held[j] = _criterion_grades(inner, feats[j])
    overall_rows = []
    for j, (item, f) in enumerate(zip(items, feats, strict=True)):
        rubric = shipped_scenario(item.scenario).rubric
        overall_rows.append(overall_row(held[j], [c.weight for c in rubric], f.globals))
    expert = np.asarray([float(i.expert) for i in items])
    stage2 = fit_ridge(np.asarray(overall_rows), expert, overall_columns(), alpha_overall)
    return Calibration(
        devset=devset,
        replies=len(items),
        scenarios=names,
        criterion=stage1,
        overall=stage2,
        scale=scale,
    )


def score_with(calibration: Calibration, item: GradedReply, f: ReplyFeatures) -> float:
    _, overall = calibration.predict(
        f.criterion_rows(), shipped_scenario(item.scenario).rubric, f.globals
    )
    return grade_to_score(overall)


def folds(n: int, k: int = FOLDS, seed: int = 0) -> list[int]:
    """The fold of each item: a seeded shuffle dealt round-robin."""
    order = list(range(n))
    random.Random(seed).shuffle(order)
    fold = [0] * n
    for position, index in enumerate(order):
        fold[index] = position % k
    return fold


@dataclass
class FoldModels:
    assignment: list[int]
    graders: list[ExemplarGrader]


def _held_out(
    featurizer: Featurizer,
    cards: dict[str, Card],
    items: Sequence[GradedReply],
    feats: Sequence[ReplyFeatures],
    assignment: list[int],
    scale: Scale,
) -> tuple[list[float], FoldModels]:
    predicted = [0.0] * len(items)
    graders = []
    for fold in sorted(set(assignment)):
        train = [i for i, f in enumerate(assignment) if f != fold]
        model = fit([items[i] for i in train], [feats[i] for i in train], scale)
        graders.append(ExemplarGrader(replace(featurizer, scale=scale), model, cards))
        for i, f in enumerate(assignment):
            if f == fold:
                predicted[i] = score_with(model, items[i], feats[i])
    return predicted, FoldModels(assignment, graders)


def cross_validate(
    featurizer: Featurizer,
    cards: dict[str, Card],
    items: Sequence[GradedReply],
    feats: Sequence[ReplyFeatures],
    scale: Scale,
    k: int = FOLDS,
) -> tuple[list[float], FoldModels]:
    """Out-of-fold 0-100 scores (random folds)."""
    return _held_out(featurizer, cards, items, feats, folds(len(items), k), scale)


def leave_one_scenario_out(
    featurizer: Featurizer,
    cards: dict[str, Card],
    items: Sequence[GradedReply],
    feats: Sequence[ReplyFeatures],
    scale: Scale,
) -> tuple[list[float], FoldModels]:
    """Each scenario graded by a calibration that never saw one of its replies."""
    names = sorted({i.scenario for i in items})
    assignment = [names.index(i.scenario) for i in items]
    return _held_out(featurizer, cards, items, feats, assignment, scale)


def _agreement(items: Sequence[GradedReply], predicted: Sequence[float]) -> dict[str, Any]:
    expert = [float(i.expert) for i in items]
    middle = [j for j, e in enumerate(expert) if 2 <= e <= 4]
    return {
        "spearman": round(spearman(expert, list(predicted)), 3),
        "pairwise_accuracy": round(pairwise_accuracy(expert, list(predicted)), 3),
        "mae_grade": round(
            fmean(abs(p / 25 + 1 - e) for p, e in zip(predicted, expert, strict=True)), 3
        ),
        "middle_band_spearman": round(
            spearman([expert[j] for j in middle], [predicted[j] for j in middle]), 3
        ),
        "replies": len(items),
    }


def by_expert_grade(items: Sequence[GradedReply], predicted: Sequence[float]) -> dict[str, float]:
    """The mean score the grader gives to the replies of each expert grade."""
    out = {}
    for grade in range(1, 6):
        scores = [p for i, p in zip(items, predicted, strict=True) if i.expert == grade]
        out[str(grade)] = round(fmean(scores), 1) if scores else 0.0
    return out


def _breakdown(items: Sequence[GradedReply], predicted: Sequence[float]) -> dict[str, Any]:
    """Figures overall, per language, per scenario and per set, with means per grade."""
    result: dict[str, Any] = {**_agreement(items, predicted)}
    result["by_expert_grade"] = by_expert_grade(items, predicted)
    for key, name in (("by_lang", "lang"), ("by_scenario", "scenario"), ("by_source", "source")):
        for value in sorted({getattr(i, name) for i in items}):
            keep = [j for j, i in enumerate(items) if getattr(i, name) == value]
            part = [items[j] for j in keep]
            got = [predicted[j] for j in keep]
            result.setdefault(key, {})[value] = {
                **_agreement(part, got),
                "by_expert_grade": by_expert_grade(part, got),
            }
    return result


def inflation(
    grader: ExemplarGrader,
    poor: Sequence[PoorReply],
    corpus: InjectionCorpus,
    per_reply: int | None = None,
) -> dict[str, Any]:
    """How much payloads raise poor replies' scores (mean, worst, how many cross 50).

    With `per_reply`, each poor reply gets that many payloads of its language, dealt in
    turn so that every payload is used (the dev set has many poor replies)."""
    pairs: list[tuple[PoorReply, Payload]] = []
    for n, reply in enumerate(poor):
        mine = [p for p in corpus.payloads if p.lang == reply.lang]
        if per_reply is not None and mine:
            start = (n * per_reply) % len(mine)
            mine = [mine[(start + j) % len(mine)] for j in range(min(per_reply, len(mine)))]
        pairs.extend((reply, p) for p in mine)
    base = grader.assess_many([(r.reply, context_of(r.scenario, r.lang, r.turn)) for r in poor])
    base_by_id = {r.id: a.score for r, a in zip(poor, base, strict=True)}
    attacked = grader.assess_many(
        [(attach(r.reply, p), context_of(r.scenario, r.lang, r.turn)) for r, p in pairs]
    )
    deltas = [a.score - base_by_id[r.id] for (r, _), a in zip(pairs, attacked, strict=True)]
    caught = [bool(a.flags) for a in attacked]
    off = grader.assess_many(
        [(r.reply, context_of(r.scenario, r.lang, r.turn)) for r in corpus.off_task]
    )
    return {
        "mean": round(fmean(deltas), 2) if deltas else 0.0,
        "max": round(max(deltas), 2) if deltas else 0.0,
        "over_50": sum(a.score > 50 for a in attacked),
        "pushed_over_50": sum(
            a.score > 50 >= base_by_id[r.id] for (r, _), a in zip(pairs, attacked, strict=True)
        ),
        "flagged_share": round(fmean(caught), 3) if caught else 0.0,
        "attacks": len(pairs),
        "off_task_flagged": sum("off_task" in a.flags for a in off),
        "off_task_max_score": max((a.score for a in off), default=0.0),
        "off_task": len(off),
    }


def _poor_from_dev(items: Sequence[GradedReply]) -> list[PoorReply]:
    return [
        PoorReply(id=i.id, scenario=i.scenario, lang=i.lang, turn=i.turn, reply=i.reply)
        for i in items
        if i.expert <= POOR
    ]


def run_grader_eval(
    featurizer: Featurizer, cards: dict[str, Card], k: int = FOLDS, injection: bool = True
) -> dict[str, Any]:
    items = load_dev_set()
    scenarios = sorted({shipped_scenario(i.scenario).id for i in items})
    scale = fit_scale(featurizer, [shipped_scenario(s) for s in scenarios])
    feats = measure(featurizer, embed(featurizer, items), scale)
    loso, loso_models = leave_one_scenario_out(featurizer, cards, items, feats, scale)
    kfold, _ = cross_validate(featurizer, cards, items, feats, scale, k)
    result: dict[str, Any] = {
        # The contract's keys: k-fold agreement; `loso` is the headline.
        **_agreement(items, kfold),
        "folds": k,
        "n_replies": len(items),
        "scale": scale.model_dump(),
        "loso": _breakdown(items, loso),
        "by_expert_grade": by_expert_grade(items, loso),
    }
    kfold_parts = _breakdown(items, kfold)
    result["by_lang"] = kfold_parts["by_lang"]
    result["by_scenario"] = kfold_parts["by_scenario"]
    if not injection:
        return result
    # The shipped model is the one fitted on the whole dev set.
    grader = ExemplarGrader(replace(featurizer, scale=scale), fit(items, feats, scale), cards)
    corpora = {p.stem: load_injection(p) for p in sorted(evalsets_dir().glob("injection*.yaml"))}
    # Inflation on the dev poor replies, each attacked under the grader that never saw its
    # scenario, with the tuning corpus's payloads.
    per_fold = []
    poor = _poor_from_dev(items)
    by_id = {i.id: n for n, i in enumerate(items)}
    main = corpora.get("injection")
    if main is not None:
        for fold, fold_grader in enumerate(loso_models.graders):
            mine = [r for r in poor if loso_models.assignment[by_id[r.id]] == fold]
            if mine:
                per_fold.append(
                    inflation(fold_grader, mine, main, per_reply=PAYLOADS_PER_DEV_REPLY)
                )
        total = sum(f["attacks"] for f in per_fold)
        result["injection_inflation"] = round(
            sum(f["mean"] * f["attacks"] for f in per_fold) / max(total, 1), 2
        )
        result["injection"] = {
            "dev_poor_replies": len(poor),
            "attacks": total,
            "max": max(f["max"] for f in per_fold),
            "over_50": sum(f["over_50"] for f in per_fold),
            "pushed_over_50": sum(f["pushed_over_50"] for f in per_fold),
            "flagged_share": round(
                sum(f["flagged_share"] * f["attacks"] for f in per_fold) / max(total, 1), 3
            ),
        }
    # Each corpus on its own poor replies, with the shipped (fully fitted) model.
    result["corpora"] = {
        name: inflation(grader, corpus.poor_replies, corpus) for name, corpus in corpora.items()
    }
    return result


def fit_and_save(featurizer: Featurizer, path: Path) -> Calibration:
    items = load_dev_set()
    scenarios = sorted({i.scenario for i in items})
    scale = fit_scale(featurizer, [shipped_scenario(s) for s in scenarios])
    feats = measure(featurizer, embed(featurizer, items), scale)
    calibration = fit(items, feats, scale, devset="grader/*.yaml + grader-blind/*.yaml")
    calibration.save(path)
    return calibration


# Corpora the addressee model learns from; `injection-final.yaml` stays out (never tuned on).
TRAINING_CORPORA = ("injection.yaml", "injection-holdout.yaml")


def addressee_training(
    featurizer: Featurizer, content: KnowledgeContent
) -> tuple[list[str], list[str]]:
    """(sentences written to a grader, sentences written to a community)."""
    from simulator.content import all_scenarios
    from simulator.grading import screen, sentences
    from simulator.paths import shipped_scenarios_dir

    positive: list[str] = []
    negative: list[str] = []
    for name in TRAINING_CORPORA:
        corpus = load_injection(evalsets_dir() / name)
        for payload in corpus.payloads:
            positive.extend(sentences(payload.text))
        for reply in corpus.off_task:
            positive.extend(screen(reply.reply, featurizer.guarded_ids).flagged)
        for poor in corpus.poor_replies:
            negative.extend(sentences(poor.reply))
    for item in load_dev_set():
        negative.extend(sentences(item.reply))
    scenarios, _ = all_scenarios(shipped_scenarios_dir())
    for scenario in scenarios:
        for answer in scenario.model_answers:
            negative.extend(s for text in answer.text.texts() for s in sentences(text))
    for card in content.cards:
        for example in [*card.do, *card.dont]:
            negative.extend(sentences(example.fr) + sentences(example.en))
    return positive, negative


def fit_addressee(featurizer: Featurizer, content: KnowledgeContent, path: Path) -> dict[str, Any]:
    from simulator.grading import recall_at, train

    positive, negative = addressee_training(featurizer, content)
    pos = featurizer.segment_features(positive).astype(np.float64)
    neg = featurizer.segment_features(negative).astype(np.float64)
    model = train(pos, neg)
    model.save(path)
    return {
        "positives": len(positive),
        "negatives": len(negative),
        "threshold": round(model.threshold, 3),
        "train_recall": round(recall_at(model, pos), 3),
    }
