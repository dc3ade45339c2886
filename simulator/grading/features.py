"""What the grader measures on a reply: what this turn calls for, met or missed; the pitfalls
it falls into; cues; closeness to the cards' do and don't replies and to the model answers.

Two feature sets: one per rubric criterion (its expectations and pitfalls at this turn, the
cues its author said it rewards and penalises, its practice cards' examples), and one for the
reply as a whole. Every feature is read on the same scale in every scenario, so a calibration
fitted on some scenarios carries to a new one; none depends on graded replies of the
scenario being graded. A calibrated linear model (calibration.py) turns them into scores.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from simulator.content import Criterion, Lang, Scenario
from simulator.grading.exemplars import ExemplarBank, Matrix
from simulator.protocols import CheckResult

POSITIVE_CUES = ("apology", "empathy", "next_step", "private_channel", "transparency", "signature")
HARMFUL_CUES = (
    "leak",
    "blame",
    "sarcasm",
    "over_promise",
    "personal_data_public",
    "denial",
    "speculation",
    "shouting",
)
# Faults that sink a reply whatever else it does well.
SEVERE_CUES = ("leak", "blame", "denial", "sarcasm")

GLOBAL_FEATURES = (
    "len_log",
    "too_short",
    "long",
    *(f"cue_{c}" for c in POSITIVE_CUES),
    *(f"cue_{c}" for c in HARMFUL_CUES),
    "harm_count",
    "severe",
    "good_count",
    "sim_turn",
    "sim_best",
    "do_max",
    "dont_max",
    "do_minus_dont",
    "names_persona",
    "emoji",
    "exclaim",
    "link_only",
    # What the turn calls for, over every criterion.
    "calls_cov",
    "calls_con",
    "calls_none",
    "harm_pit",
    "harm_con",
    "minor_pit",
    "pit_con",
    # Sentence by sentence: leaning to the bad side (pitfalls, the cards' don'ts) or the good
    # one (model answer, expectations, the cards' dos), and how much of the answer is covered.
    "worst_sentence",
    "mean_lean",
    "share_bad",
    "answer_recall",
    "on_point",
)
CRITERION_FEATURES = (
    "exp_cov",
    "exp_top",
    "exp_con",
    "exp_none",
    "pit_max",
    "pit_harm",
    "pit_con",
    "rew_frac",
    "rew_none",
    "pen_count",
    "c_do",
    "c_dont",
    "c_diff",
    "c_desc",
)

_EMOJI = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf]")
_URL = re.compile(r"https?://\S+|www\.\S+")
# What an expectation-free criterion or a turn without expectations reads: neither met nor
# missed.
NEUTRAL = 0.5


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text)


def names_persona(text: str, scenario: Scenario) -> bool:
    """Does the reply speak to someone by handle or first name (personalisation)?"""
    lowered = text.lower()
    for persona in scenario.personas:
        first = persona.name.split()[0].lower()
        if persona.handle.lower() in lowered or re.search(rf"\b{re.escape(first)}\b", lowered):
            return True
    return False


def coverage(results: Sequence[CheckResult]) -> tuple[float, float]:
    """(weighted mean strength, best strength) of expectations; neutral when there are none."""
    expected = [r for r in results if r.kind == "expectation"]
    if not expected:
        return NEUTRAL, NEUTRAL
    total = sum(r.weight for r in expected)
    return sum(r.weight * r.strength for r in expected) / total, max(r.strength for r in expected)


# The contrast an absent check reads: a little on the "not there" side.
NO_CONTRAST = -0.1


def contrast(results: Sequence[CheckResult], kind: str, severity: str | None = None) -> float:
    """Expectations: their weighted mean contrast; pitfalls: the strongest one's."""
    found = [r for r in results if r.kind == kind and (severity is None or r.severity == severity)]
    if not found:
        return NO_CONTRAST
    if kind == "pitfall":
        return max(r.contrast for r in found)
    return sum(r.weight * r.contrast for r in found) / sum(r.weight for r in found)


def worst(results: Sequence[CheckResult], severity: str | None = None) -> float:
    """The strongest pitfall (of this severity), 0 when none applies."""
    pits = [r.strength for r in results if r.kind == "pitfall"]
    if severity is not None:
        pits = [r.strength for r in results if r.kind == "pitfall" and r.severity == severity]
    return max(pits, default=0.0)


def global_features(
    text: str,
    found: set[str],
    vector: Matrix,
    scenario: Scenario,
    lang: Lang,
    turn: int,
    bank: ExemplarBank,
    checks: Sequence[CheckResult],
    sentence_signals: dict[str, float],
) -> dict[str, float]:
    words = _words(text)
    practices = sorted({p for c in scenario.rubric for p in c.practices})
    do_max = bank.best_of(vector, [f"do:{p}:{lang}" for p in practices])
    dont_max = bank.best_of(vector, [f"dont:{p}:{lang}" for p in practices])
    turn_keys = bank.turn_answer_keys(scenario.id, turn)
    cov, _ = coverage(checks)
    return {
        "len_log": math.log1p(len(words)) / 5,
        "too_short": float(len(words) < 8),
        "long": float(len(words) > 120),
        **{f"cue_{c}": float(c in found) for c in POSITIVE_CUES},
        **{f"cue_{c}": float(c in found) for c in HARMFUL_CUES},
        "harm_count": float(sum(c in found for c in HARMFUL_CUES)),
        "severe": float(sum(c in found for c in SEVERE_CUES)),
        "good_count": float(sum(c in found for c in POSITIVE_CUES)),
        "sim_turn": bank.best_of(vector, turn_keys),
        "sim_best": bank.best_of(vector, bank.answer_keys(scenario.id)),
        "do_max": do_max,
        "dont_max": dont_max,
        "do_minus_dont": do_max - dont_max,
        "names_persona": float(names_persona(text, scenario)),
        "emoji": min(len(_EMOJI.findall(text)), 3) / 3,
        "exclaim": min(text.count("!"), 3) / 3,
        "link_only": float(bool(_URL.search(text)) and len(_words(_URL.sub("", text))) < 8),
        "calls_cov": cov,
        "calls_con": contrast(checks, "expectation"),
        "calls_none": float(not any(r.kind == "expectation" for r in checks)),
        "harm_pit": worst(checks, "harmful"),
        "harm_con": contrast(checks, "pitfall", "harmful"),
        "minor_pit": worst(checks, "minor"),
        "pit_con": contrast(checks, "pitfall"),
        **sentence_signals,
    }


def criterion_features(
    criterion: Criterion,
    found: set[str],
    vector: Matrix,
    scenario: Scenario,
    lang: Lang,
    bank: ExemplarBank,
    checks: Sequence[CheckResult],
) -> dict[str, float]:
    mine = [r for r in checks if r.criterion == criterion.id]
    cov, top = coverage(mine)
    shown = [f for f in criterion.rewards if f in found]
    c_do = bank.mean_best(vector, [f"do:{p}:{lang}" for p in criterion.practices])
    c_dont = bank.mean_best(vector, [f"dont:{p}:{lang}" for p in criterion.practices])
    return {
        "exp_cov": cov,
        "exp_top": top,
        "exp_con": contrast(mine, "expectation"),
        "exp_none": float(not any(r.kind == "expectation" for r in mine)),
        "pit_max": worst(mine),
        "pit_harm": worst(mine, "harmful"),
        "pit_con": contrast(mine, "pitfall"),
        "rew_frac": len(shown) / len(criterion.rewards) if criterion.rewards else 0.0,
        "rew_none": float(not criterion.rewards),
        "pen_count": float(sum(f in found for f in criterion.penalises)),
        "c_do": c_do,
        "c_dont": c_dont,
        "c_diff": c_do - c_dont,
        "c_desc": bank.best_of(vector, bank.criterion_keys(scenario.id, criterion.id)),
    }


def sentence_features(
    sentences: Matrix, good: Matrix | None, bad: Matrix | None, answer: Matrix | None
) -> dict[str, float]:
    """How the reply's sentences lean between the good and the bad references of this turn,
    and how much of the model answer they cover (recall) with how little beside it."""
    if not len(sentences) or good is None or bad is None:
        return {
            "worst_sentence": 0.0,
            "mean_lean": 0.0,
            "share_bad": 0.0,
            "answer_recall": 0.0,
            "on_point": 0.0,
        }
    to_good = (sentences @ good.T).max(axis=1)
    lean = (sentences @ bad.T).max(axis=1) - to_good
    recall = float((sentences @ answer.T).max(axis=0).mean()) if answer is not None else 0.0
    return {
        "worst_sentence": float(lean.max()),
        "mean_lean": float(lean.mean()),
        "share_bad": float((lean > 0).mean()),
        "answer_recall": recall,
        "on_point": float(to_good.mean()),
    }


def as_row(values: dict[str, float], names: tuple[str, ...]) -> list[float]:
    return [float(values[name]) for name in names]
