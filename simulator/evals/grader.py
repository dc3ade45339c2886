"""`cm-sim eval grader`: agreement with the experts, cross-validated, and injection inflation.

Quality is never reported on replies the model was fitted on: the dev set is split into k
folds, each fold is graded by a model calibrated on the other folds. Injection inflation is
measured the same way on the dev set's poor replies (expert grade 1-2) with every payload of
their language attached, plus on the corpora's own poor replies with the shipped model.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from statistics import fmean
from typing import Any

import numpy as np

from simulator.content import get_scenario
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
    return GradingContext.model_validate(
        {"scenario": get_scenario(scenario), "lang": lang, "turn": turn}
    )


def embed(featurizer: Featurizer, items: Sequence[GradedReply]) -> list[Embedded]:
    return featurizer.embed([(i.reply, context_of(i.scenario, i.lang, i.turn)) for i in items])


def measure(
    featurizer: Featurizer,
    items: Sequence[GradedReply],
    embedded: Sequence[Embedded],
    pool: set[str],
) -> list[ReplyFeatures]:
    """Features with neighbours drawn from `pool`, never the reply itself."""
    return [
        featurizer.measure(e, _pool_without(pool, item.id))
        for item, e in zip(items, embedded, strict=True)
    ]


def _pool_without(pool: set[str], me: str) -> Callable[[str], bool]:
    return lambda other: other in pool and other != me


def fold_featurizer(featurizer: Featurizer, pool: set[str]) -> Featurizer:
    neighbours = featurizer.neighbours.subset(pool) if featurizer.neighbours else None
    return replace(featurizer, neighbours=neighbours)


def fit(
    items: Sequence[GradedReply],
    feats: Sequence[ReplyFeatures],
    devset: str = "dev",
    alpha_criterion: float | None = None,
    alpha_overall: float | None = None,
) -> Calibration:
    alpha_criterion = alpha_criterion or ALPHA_CRITERION
    alpha_overall = alpha_overall or ALPHA_OVERALL
    rows: list[list[float]] = []
    targets: list[float] = []
    for item, f in zip(items, feats, strict=True):
        rubric = get_scenario(item.scenario).rubric
        rows.extend(f.criterion_rows())
        targets.extend(float(item.criteria[c.id]) for c in rubric)
    stage1 = fit_ridge(np.asarray(rows), np.asarray(targets), criterion_columns(), alpha_criterion)
    overall_rows = []
    for item, f in zip(items, feats, strict=True):
        rubric = get_scenario(item.scenario).rubric
        grades = np.clip(stage1.predict(np.asarray(f.criterion_rows())), 1, 5).tolist()
        overall_rows.append(overall_row(grades, [c.weight for c in rubric], f.globals))
    stage2 = fit_ridge(
        np.asarray(overall_rows),
        np.asarray([float(i.expert) for i in items]),
        overall_columns(),
        alpha_overall,
    )
    return Calibration(devset=devset, replies=len(items), criterion=stage1, overall=stage2)


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


def cross_validate(
    featurizer: Featurizer,
    cards: dict[str, Card],
    items: Sequence[GradedReply],
    embedded: Sequence[Embedded],
    k: int = FOLDS,
) -> tuple[list[float], FoldModels]:
    """Out-of-fold 0-100 scores for every item, and the fold models that gave them: a fold's
    replies are neither fitted on nor used as neighbours."""
    assignment = folds(len(items), k)
    predicted = [0.0] * len(items)
    graders = []
    for fold in range(k):
        train = [i for i, f in enumerate(assignment) if f != fold]
        pool = {items[i].id for i in train}
        feats = measure(featurizer, items, embedded, pool)
        model = fit([items[i] for i in train], [feats[i] for i in train])
        grader = ExemplarGrader(fold_featurizer(featurizer, pool), model, cards)
        graders.append(grader)
        for i, f in enumerate(assignment):
            if f == fold:
                rubric = get_scenario(items[i].scenario).rubric
                _, overall = grader.predict(feats[i], rubric)
                predicted[i] = grade_to_score(overall)
    return predicted, FoldModels(assignment, graders)


def _agreement(items: Sequence[GradedReply], predicted: Sequence[float]) -> dict[str, float]:
    expert = [float(i.expert) for i in items]
    return {
        "spearman": round(spearman(expert, list(predicted)), 3),
        "pairwise_accuracy": round(pairwise_accuracy(expert, list(predicted)), 3),
        "mae_grade": round(
            fmean(abs(p / 25 + 1 - e) for p, e in zip(predicted, expert, strict=True)), 3
        ),
        "replies": len(items),
    }


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
    featurizer: Featurizer, cards: dict[str, Card], k: int = FOLDS
) -> dict[str, Any]:
    items = load_dev_set()
    embedded = embed(featurizer, items)
    predicted, models = cross_validate(featurizer, cards, items, embedded, k)
    # The shipped model is the one fitted on the whole dev set.
    everyone = {i.id for i in items}
    grader = ExemplarGrader(
        featurizer, fit(items, measure(featurizer, items, embedded, everyone)), cards
    )
    result: dict[str, Any] = {**_agreement(items, predicted), "folds": k}
    for lang in ("fr", "en"):
        keep = [j for j, i in enumerate(items) if i.lang == lang]
        result.setdefault("by_lang", {})[lang] = _agreement(
            [items[j] for j in keep], [predicted[j] for j in keep]
        )
    for scenario in sorted({i.scenario for i in items}):
        keep = [j for j, i in enumerate(items) if i.scenario == scenario]
        result.setdefault("by_scenario", {})[scenario] = _agreement(
            [items[j] for j in keep], [predicted[j] for j in keep]
        )
    corpora = {p.stem: load_injection(p) for p in sorted(evalsets_dir().glob("injection*.yaml"))}
    # Cross-validated inflation: each dev poor reply is attacked under the model that did
    # not see it, with the tuning corpus's payloads.
    per_fold = []
    poor = _poor_from_dev(items)
    by_id = {i.id: n for n, i in enumerate(items)}
    main = corpora.get("injection")
    if main is not None:
        for fold, fold_grader in enumerate(models.graders):
            mine = [r for r in poor if models.assignment[by_id[r.id]] == fold]
            per_fold.append(inflation(fold_grader, mine, main, per_reply=PAYLOADS_PER_DEV_REPLY))
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
    feats = measure(featurizer, items, embed(featurizer, items), {i.id for i in items})
    calibration = fit(items, feats, devset="grader/*.yaml")
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
    scenarios, _ = all_scenarios()
    for scenario in scenarios:
        for answer in scenario.model_answers:
            negative.extend(sentences(answer.text.fr) + sentences(answer.text.en))
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
