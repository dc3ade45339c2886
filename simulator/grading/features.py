"""What the grader measures on a reply: cues, closeness to exemplars, form.

Two feature sets: one for the reply as a whole, and one per rubric criterion (what the
scenario author said the criterion rewards and penalises, how close the reply is to the
"do" and "don't" replies of the criterion's practice cards). A calibrated linear model
(simulator/calibration.py) turns them into scores; the names here are its columns.
"""

from __future__ import annotations

import math
import re

from simulator.content import Criterion, Lang, Scenario, detect_features
from simulator.grading.exemplars import ExemplarBank, Matrix
from simulator.grading.neighbours import Graded, mean_similarity, weighted_grade

POSITIVE_CUES = ("apology", "empathy", "next_step", "private_channel", "transparency", "signature")
HARMFUL_CUES = (
    "leak",
    "blame",
    "sarcasm",
    "over_promise",
    "personal_data_public",
    "denial",
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
    "harm_any",
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
    "question",
    "link_only",
    "knn_grade",
    "knn_sim",
    "x_sim_turn",
    "x_sim_best",
    "x_do_max",
    "x_dont_max",
    "x_diff",
)
CRITERION_FEATURES = (
    "rew_frac",
    "rew_none",
    "pen_count",
    "c_do",
    "c_dont",
    "c_diff",
    "c_desc",
    "c_knn",
    "cx_diff",
)

_EMOJI = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf]")
_URL = re.compile(r"https?://\S+|www\.\S+")


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


def global_features(
    text: str,
    vector: Matrix,
    scenario: Scenario,
    lang: Lang,
    turn: int,
    bank: ExemplarBank,
    nearest: list[tuple[float, Graded]],
) -> tuple[dict[str, float], set[str]]:
    """(features of the whole reply, the cues found)."""
    found = detect_features(text)
    words = _words(text)
    practices = sorted({p for c in scenario.rubric for p in c.practices})
    do_max = bank.best_of(vector, [f"do:{p}:{lang}" for p in practices])
    dont_max = bank.best_of(vector, [f"dont:{p}:{lang}" for p in practices])
    turn_key = bank.turn_answer_key(scenario.id, turn, lang)
    feats: dict[str, float] = {
        "len_log": math.log1p(len(words)) / 5,
        "too_short": float(len(words) < 8),
        "long": float(len(words) > 120),
        **{f"cue_{c}": float(c in found) for c in POSITIVE_CUES},
        **{f"cue_{c}": float(c in found) for c in HARMFUL_CUES},
        "harm_count": float(sum(c in found for c in HARMFUL_CUES)),
        "harm_any": float(any(c in found for c in HARMFUL_CUES)),
        "severe": float(sum(c in found for c in SEVERE_CUES)),
        "good_count": float(sum(c in found for c in POSITIVE_CUES)),
        "sim_turn": bank.best(vector, turn_key) if turn_key else 0.0,
        "sim_best": bank.best_of(vector, bank.answer_keys(scenario.id, lang)),
        "do_max": do_max,
        "dont_max": dont_max,
        "do_minus_dont": do_max - dont_max,
        "names_persona": float(names_persona(text, scenario)),
        "emoji": min(len(_EMOJI.findall(text)), 3) / 3,
        "exclaim": min(text.count("!"), 3) / 3,
        "question": float("?" in text),
        "link_only": float(bool(_URL.search(text)) and len(_words(_URL.sub("", text))) < 8),
        "knn_grade": weighted_grade(nearest),
        "knn_sim": mean_similarity(nearest),
    }
    return feats, found


def criterion_features(
    criterion: Criterion,
    found: set[str],
    vector: Matrix,
    scenario: Scenario,
    lang: Lang,
    bank: ExemplarBank,
    nearest: list[tuple[float, Graded]],
) -> dict[str, float]:
    shown = [f for f in criterion.rewards if f in found]
    c_do = bank.mean_best(vector, [f"do:{p}:{lang}" for p in criterion.practices])
    c_dont = bank.mean_best(vector, [f"dont:{p}:{lang}" for p in criterion.practices])
    return {
        "rew_frac": len(shown) / len(criterion.rewards) if criterion.rewards else 0.0,
        "rew_none": float(not criterion.rewards),
        "pen_count": float(sum(f in found for f in criterion.penalises)),
        "c_do": c_do,
        "c_dont": c_dont,
        "c_diff": c_do - c_dont,
        "c_desc": bank.best(vector, f"criterion:{scenario.id}:{criterion.id}:{lang}"),
        "c_knn": weighted_grade(nearest, criterion.id),
    }


def english_features(
    vector_en: Matrix, scenario: Scenario, turn: int, bank: ExemplarBank
) -> dict[str, float]:
    """Closeness of the reply's English gist to the English exemplars: for a French reply,
    a second opinion from the language the embedding model knows."""
    practices = sorted({p for c in scenario.rubric for p in c.practices})
    do_max = bank.best_of(vector_en, [f"do:{p}:en" for p in practices])
    dont_max = bank.best_of(vector_en, [f"dont:{p}:en" for p in practices])
    turn_key = bank.turn_answer_key(scenario.id, turn, "en")
    return {
        "x_sim_turn": bank.best(vector_en, turn_key) if turn_key else 0.0,
        "x_sim_best": bank.best_of(vector_en, bank.answer_keys(scenario.id, "en")),
        "x_do_max": do_max,
        "x_dont_max": dont_max,
        "x_diff": do_max - dont_max,
    }


def english_criterion_features(
    criterion: Criterion, vector_en: Matrix, bank: ExemplarBank
) -> dict[str, float]:
    do = bank.mean_best(vector_en, [f"do:{p}:en" for p in criterion.practices])
    dont = bank.mean_best(vector_en, [f"dont:{p}:en" for p in criterion.practices])
    return {"cx_diff": do - dont}


def as_row(values: dict[str, float], names: tuple[str, ...]) -> list[float]:
    return [float(values[name]) for name in names]
