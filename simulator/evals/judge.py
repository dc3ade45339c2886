"""`cm-sim eval judge`: does an LLM judge, asked about each expectation, help the grader?

On a sample of expert-graded replies (stratified by grade, seeded), the calibrated grader's
scores and the judged ones are compared with the experts', beside what the judge costs: how
often it answers in the schema, how many checks it answers, and how long it takes.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable, Sequence
from typing import Any

from simulator.evals.devset import GradedReply, load_dev_set
from simulator.evals.grader import context_of
from simulator.grading import JudgedGrader, spearman
from simulator.protocols import Grader


def sample(items: Sequence[GradedReply], limit: int, seed: int = 0) -> list[GradedReply]:
    """Up to `limit` replies, as many of each expert grade as possible."""
    rng = random.Random(seed)
    by_grade = {g: [i for i in items if i.expert == g] for g in range(1, 6)}
    for group in by_grade.values():
        rng.shuffle(group)
    picked: list[GradedReply] = []
    while len(picked) < limit and any(by_grade.values()):
        for grade in range(1, 6):
            if by_grade[grade] and len(picked) < limit:
                picked.append(by_grade[grade].pop())
    return picked


def run_judge_eval(
    base: Grader,
    judged: JudgedGrader,
    limit: int = 40,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    items = sample(load_dev_set(), limit)
    pairs = [(i.reply, context_of(i.scenario, i.lang, i.turn)) for i in items]
    plain = base.assess_many(pairs)
    scored, latencies, unscored, answered, asked = [], [], 0, 0, 0
    for n, ((reply, context), found) in enumerate(zip(pairs, plain, strict=True)):
        started = time.monotonic()
        verdict = judged.judge.judge(reply, context, found.checks)
        latencies.append(time.monotonic() - started)
        asked += len(found.checks)
        if verdict is None:
            unscored += 1
        else:
            answered += len(verdict.checks)
        scored.append(judged.blend_verdict(found, verdict))
        if progress is not None:
            progress(n + 1, len(pairs))
    expert = [float(i.expert) for i in items]
    ordered = sorted(latencies)
    return {
        "replies": len(items),
        "unscored_share": round(unscored / max(len(items), 1), 3),
        "checks_answered_share": round(answered / max(asked, 1), 3),
        "spearman_calibrated": round(spearman(expert, [a.score for a in plain]), 3),
        "spearman_with_judge": round(spearman(expert, [a.score for a in scored]), 3),
        "latency_p50_s": round(statistics.median(ordered), 2) if ordered else 0.0,
        "latency_p95_s": round(ordered[int(0.95 * (len(ordered) - 1))], 2) if ordered else 0.0,
    }
