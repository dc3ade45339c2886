"""A training programme's own graded replies (the trainers' overrides, exported by
`cm-sim export graded`) set beside the shipped dev set: how the grader agrees with them, how
the figures move once they join the dev set, and a calibration refitted with them.

The file is JSON lines, one dev-set item per line (id, scenario, lang, turn, reply, expert,
criteria, rationale, kind, source); every line is checked and each problem names the file,
the line and the field.
"""

from __future__ import annotations

import json
import math
import warnings
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import ValidationError

from simulator.content import Problem, UnknownScenario, display_path, shipped_scenario
from simulator.errors import ContentError
from simulator.evals.devset import GradedReply, load_dev_set
from simulator.evals.grader import (
    _breakdown,
    by_expert_grade,
    embed,
    fit,
    fit_scale,
    leave_one_scenario_out,
    measure,
    score_with,
)
from simulator.grading import Calibration, Featurizer, pairwise_accuracy, spearman
from simulator.knowledge import Card

SOURCE = "programme"


def _line_item(raw: str, where: str, line: int) -> tuple[GradedReply | None, list[Problem]]:
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        return None, [Problem(where, line, "", f"not JSON: {exc.msg}")]
    if not isinstance(data, dict):
        return None, [Problem(where, line, "", "expected a JSON object (a graded reply)")]
    try:
        item = GradedReply.model_validate({"source": SOURCE, **data})
    except ValidationError as exc:
        return None, [
            Problem(where, line, ".".join(str(p) for p in err["loc"]), err["msg"])
            for err in exc.errors()
        ]
    if not item.scenario:
        return None, [Problem(where, line, "scenario", "the scenario's id is required")]
    try:
        rubric = [c.id for c in shipped_scenario(item.scenario).rubric]
    except UnknownScenario as exc:
        return None, [Problem(where, line, "scenario", str(exc))]
    if set(item.criteria) != set(rubric):
        missing = sorted(set(rubric) - set(item.criteria))
        extra = sorted(set(item.criteria) - set(rubric))
        return None, [Problem(where, line, "criteria", f"missing {missing}, unknown {extra}")]
    return item, []


def load_graded_lines(path: Path) -> list[GradedReply]:
    """A graded-replies JSON lines file, checked line by line (blank lines skipped). Raises
    ContentError with every problem, each as `FILE:LINE: field: message`."""
    where = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ContentError([Problem(where, 0, "", f"cannot read: {exc}")]) from None
    items: list[GradedReply] = []
    problems: list[Problem] = []
    seen: set[str] = set()
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        item, found = _line_item(raw, where, number)
        problems.extend(found)
        if item is None:
            continue
        if item.id in seen:
            problems.append(Problem(where, number, "id", f"duplicate id {item.id!r}"))
        seen.add(item.id)
        items.append(item)
    if problems:
        raise ContentError(problems)
    if not items:
        raise ContentError([Problem(where, 0, "", "no graded reply in the file")])
    return items


def _clean(value: Any) -> Any:
    """NaN (a figure with too few replies to mean anything) as null, so the JSON is valid."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def figures(items: Sequence[GradedReply], predicted: Sequence[float]) -> dict[str, Any]:
    """Agreement on a few replies: null where the replies cannot say (one grade only...)."""
    expert = [float(i.expert) for i in items]
    varied = len(set(expert)) > 1
    errors = [abs(p / 25 + 1 - e) for p, e in zip(predicted, expert, strict=True)]
    present = {str(i.expert) for i in items}
    return {
        "replies": len(items),
        "spearman": round(spearman(expert, list(predicted)), 3) if varied else None,
        "pairwise_accuracy": (
            round(pairwise_accuracy(expert, list(predicted)), 3) if varied else None
        ),
        "mae_grade": round(float(np.mean(errors)), 3) if errors else None,
        # Only the grades the replies have (grader.by_expert_grade shows 0.0 for the others).
        "by_expert_grade": {
            grade: mean
            for grade, mean in by_expert_grade(items, predicted).items()
            if grade in present
        },
    }


def _scenarios(items: Sequence[GradedReply]) -> list[Any]:
    return [shipped_scenario(s) for s in sorted({i.scenario for i in items})]


def run_grader_eval_with(
    featurizer: Featurizer, cards: dict[str, Card], extra: Sequence[GradedReply]
) -> dict[str, Any]:
    """Leave-one-scenario-out figures before (the shipped dev set alone) and after (with the
    programme's replies), and on the programme's replies alone: graded by the calibration of
    the whole dev set (the grader as shipped) and left out with their scenario (after)."""
    dev = load_dev_set()
    taken = {i.id for i in dev}
    clash = sorted(i.id for i in extra if i.id in taken)
    if clash:
        raise ContentError(
            [Problem(SOURCE, 0, "id", f"ids already in the dev set: {', '.join(clash[:5])}")]
        )
    joined = [*dev, *extra]
    with np.errstate(all="ignore"), warnings.catch_warnings():
        # Figures on a handful of replies warn (empty slices) and come out null instead.
        warnings.simplefilter("ignore", RuntimeWarning)
        embedded = embed(featurizer, joined)
        scale_dev = fit_scale(featurizer, _scenarios(dev))
        same = {i.scenario for i in extra} <= {i.scenario for i in dev}
        scale_all = scale_dev if same else fit_scale(featurizer, _scenarios(joined))
        feats_dev = measure(featurizer, embedded, scale_dev)
        feats_all = feats_dev if same else measure(featurizer, embedded, scale_all)
        n = len(dev)
        before, _ = leave_one_scenario_out(featurizer, cards, dev, feats_dev[:n], scale_dev)
        after, _ = leave_one_scenario_out(featurizer, cards, joined, feats_all, scale_all)
        shipped = fit(dev, feats_dev[:n], scale_dev)
        shipped_scores = [
            score_with(shipped, i, f) for i, f in zip(extra, feats_dev[n:], strict=True)
        ]
        result: dict[str, Any] = {
            "n_replies": n,
            "n_programme": len(extra),
            "programme_scenarios": dict(sorted(Counter(i.scenario for i in extra).items())),
            "before": {"loso": _breakdown(dev, before)},
            "after": {"loso": _breakdown(joined, after)},
            "programme": {
                "shipped": figures(extra, shipped_scores),
                "loso": figures(extra, after[n:]),
            },
        }
    b, a = result["before"]["loso"], result["after"]["loso"]
    result["spearman"] = a["spearman"]
    result["pairwise_accuracy"] = a["pairwise_accuracy"]
    result["change"] = {
        key: round(a[key] - b[key], 3) for key in ("spearman", "pairwise_accuracy", "mae_grade")
    }
    cleaned: dict[str, Any] = _clean(result)
    return cleaned


def _in_sample(
    calibration: Calibration,
    featurizer: Featurizer,
    embedded: Sequence[Any],
    dev: Sequence[GradedReply],
    extra: Sequence[GradedReply],
) -> dict[str, Any]:
    feats = measure(featurizer, embedded, calibration.scale)
    scores = [score_with(calibration, i, f) for i, f in zip([*dev, *extra], feats, strict=True)]
    n = len(dev)
    return {
        "replies": calibration.replies,
        "dev": figures(dev, scores[:n]),
        "programme": figures(extra, scores[n:]),
    }


def calibrate_with(
    featurizer: Featurizer,
    extra: Sequence[GradedReply],
    path: Path,
    current: Calibration | None = None,
    label: str = "",
) -> dict[str, Any]:
    """Refit the calibration on the dev set plus `extra`, write it to `path`, and report
    how the old one (`current`) and the new one agree with the dev set and with the
    programme's replies (in sample: both were fitted on them or on the dev set)."""
    dev = load_dev_set()
    joined = [*dev, *extra]
    with np.errstate(all="ignore"), warnings.catch_warnings():
        # Figures on a handful of replies warn (empty slices) and come out null instead.
        warnings.simplefilter("ignore", RuntimeWarning)
        embedded = embed(featurizer, joined)
        scale = fit_scale(featurizer, _scenarios(joined))
        feats = measure(featurizer, embedded, scale)
        devset = "grader/*.yaml + grader-blind/*.yaml" + (f" + {label}" if label else "")
        calibration = fit(joined, feats, scale, devset=devset)
        result: dict[str, Any] = {
            "path": str(path),
            "n_replies": len(dev),
            "n_programme": len(extra),
            "before": (_in_sample(current, featurizer, embedded, dev, extra) if current else None),
            "after": _in_sample(calibration, featurizer, embedded, dev, extra),
        }
    calibration.save(path)
    cleaned: dict[str, Any] = _clean(result)
    return cleaned
