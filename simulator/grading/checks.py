"""What this turn calls for, checked in the reply with evidence.

A scenario's situations list expectations (what a strong reply does now) and pitfalls (what
it must not do now), each with example phrasings in both languages. For every check that
applies at this turn, the reply's sentences are compared with the examples by meaning (the
multilingual encoder, so a French reply meets an English example as well): the best sentence
is the evidence. Saying the opposite is not saying the same thing, so a sentence and an
example that differ in negation count for less ("we can't promise a time" is no promise of a
time). The cues the check names (a move to DM, an over-promise...) add their own evidence.

Nothing here is fitted on graded replies: the strength of a match is read against one
scale for every scenario (see `Scale`), so a trainer's new scenario is checked the same way.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from simulator.content import (
    Check,
    Expectation,
    Frozen,
    Lang,
    Pitfall,
    Scenario,
    detect_features,
    is_negated,
)
from simulator.protocols import CheckResult

Matrix = NDArray[np.float32]
# How much a match between a sentence and an example that differ in negation still counts.
NEGATION_MISMATCH = 0.7
# Units shorter than this (in words) are too thin to be evidence on their own.
MIN_UNIT_WORDS = 3


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, x))))


class Scale(Frozen):
    """How a match is read, the same for every scenario. A sentence meets a check when it is
    close enough to its examples (`centre`, softened over `width`) AND closer to them than to
    the other side: an expectation's sentence closer to it than to this turn's pitfalls, a
    pitfall's sentence closer to it than to the model answer and the expectations (same topic,
    other stance). A named cue adds its own evidence."""

    centre: float = 0.45
    width: float = 0.06
    contrast_width: float = 0.03
    cue: float = 0.8

    def strength(self, similarity: float, contrast: float, cue: bool) -> float:
        near = _sigmoid((similarity - self.centre) / self.width)
        apart = _sigmoid(contrast / self.contrast_width)
        soft = near * apart
        return 1.0 - (1.0 - soft) * (1.0 - (self.cue if cue else 0.0))


@dataclass(frozen=True)
class Applicable:
    """A check that holds at this turn, with the situation it comes from."""

    situation: str
    check: Check

    @property
    def kind(self) -> Literal["expectation", "pitfall"]:
        return "pitfall" if isinstance(self.check, Pitfall) else "expectation"


def applicable(scenario: Scenario, turn: int, fired: Sequence[str]) -> list[Applicable]:
    """Every check of the situations that hold for this reply (a check listed twice counts
    once)."""
    found: dict[str, Applicable] = {}
    for situation in scenario.situations_at(turn, fired):
        for check in (*situation.expectations, *situation.pitfalls):
            found.setdefault(check.id, Applicable(situation.id, check))
    return list(found.values())


def calls_for(scenario: Scenario, turn: int, fired: Sequence[str], lang: Lang) -> list[str]:
    """What this turn calls for, one sentence per situation that holds."""
    return [s.calls_for.get(lang) for s in scenario.situations_at(turn, fired)]


def check_texts(check: Check) -> list[str]:
    """What a check is compared with: its text and examples, both languages."""
    texts = check.text.texts()
    for example in check.examples:
        texts.extend(example.texts())
    return texts


@lru_cache(maxsize=4096)
def _negations(texts: tuple[str, ...]) -> NDArray[np.bool_]:
    return np.array([is_negated(text) for text in texts], dtype=bool)


def sentences(text: str) -> list[str]:
    """The sentences of a text long enough to be evidence (the text itself if none is)."""
    from simulator.grading.injection import split_segments

    found = [seg.strip() for seg, _ in split_segments(text) if len(seg.split()) >= MIN_UNIT_WORDS]
    return found or [text]


def units(text: str) -> list[str]:
    """The reply's sentences long enough to be evidence, then the reply as a whole (the
    last unit is always the whole reply)."""
    return [*sentences(text), text]


@dataclass(frozen=True)
class Match:
    """The best meeting of one check's examples with one reply's units: how close the best
    unit is, and by how much it is closer to the check than to the other side."""

    similarity: float
    contrast: float
    unit: int
    cue: bool


def best_match(
    unit_vectors: Matrix,
    unit_negated: NDArray[np.bool_],
    examples: Matrix,
    example_texts: Sequence[str],
    cue: bool,
    other_side: Matrix | None = None,
) -> Match:
    sims = unit_vectors @ examples.T
    mismatch = unit_negated[:, None] != _negations(tuple(example_texts))[None, :]
    per_unit = np.where(mismatch, sims * NEGATION_MISMATCH, sims).max(axis=1)
    if other_side is not None and len(other_side):
        against = (unit_vectors @ other_side.T).max(axis=1)
    else:
        against = np.zeros(len(per_unit), dtype=per_unit.dtype)
    contrast = per_unit - against
    unit = int(np.argmax(per_unit))
    return Match(float(per_unit[unit]), float(contrast.max()), unit, cue)


def cue_shown(check: Check, found: set[str]) -> bool:
    return any(cue in found for cue in check.cues)


def judge_checks(
    scenario: Scenario,
    lang: Lang,
    checks: Sequence[Applicable],
    matches: Sequence[Match],
    reply_units: Sequence[str],
    scale: Scale,
) -> list[CheckResult]:
    """The verdict on each check: met or missed, violated or avoided, with its evidence."""
    results = []
    for item, match in zip(checks, matches, strict=True):
        check = item.check
        strength = scale.strength(match.similarity, match.contrast, match.cue)
        hit = strength >= 0.5
        if isinstance(check, Pitfall):
            status: Literal["met", "missed", "violated", "avoided"] = (
                "violated" if hit else "avoided"
            )
        else:
            status = "met" if hit else "missed"
        results.append(
            CheckResult(
                id=check.id,
                kind=item.kind,
                criterion=check.criterion,
                text=check.text.get(lang),
                status=status,
                evidence=reply_units[match.unit] if hit or item.kind == "expectation" else "",
                strength=round(strength, 3),
                similarity=round(match.similarity, 3),
                contrast=round(match.contrast, 3),
                cue=match.cue,
                practices=list(check.practices),
                severity=check.severity if isinstance(check, Pitfall) else None,
                weight=check.weight if isinstance(check, Expectation) else 1.0,
            )
        )
    return results


def found_cues(text: str) -> set[str]:
    return detect_features(text)
