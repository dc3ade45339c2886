"""Grading: the calibrated exemplar grader, its features and calibration, the rule-based assessor,
injection screening, the LLM judge and batch requests. Names load on first use, so importing the
room costs nothing until then.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simulator.grading.addressee import AddresseeModel, recall_at, sentences, train
    from simulator.grading.batch import GradeRequest, load_batch, verdict
    from simulator.grading.calibration import (
        Calibration,
        fit_ridge,
        grade_to_score,
        pairwise_accuracy,
        spearman,
    )
    from simulator.grading.exemplar import (
        Embedded,
        ExemplarGrader,
        Featurizer,
        ReplyFeatures,
        criterion_columns,
        overall_columns,
        overall_row,
    )
    from simulator.grading.exemplars import ExemplarBank, exemplar_texts
    from simulator.grading.injection import normalise, screen
    from simulator.grading.judge import JudgedGrader, JudgeVerdict, LLMJudge, parse_verdict
    from simulator.grading.neighbours import Graded, Neighbours
    from simulator.grading.rules import RuleBasedAssessor

_WHERE = {
    "AddresseeModel": "simulator.grading.addressee",
    "Calibration": "simulator.grading.calibration",
    "Embedded": "simulator.grading.exemplar",
    "ExemplarBank": "simulator.grading.exemplars",
    "ExemplarGrader": "simulator.grading.exemplar",
    "Featurizer": "simulator.grading.exemplar",
    "GradeRequest": "simulator.grading.batch",
    "Graded": "simulator.grading.neighbours",
    "JudgeVerdict": "simulator.grading.judge",
    "JudgedGrader": "simulator.grading.judge",
    "LLMJudge": "simulator.grading.judge",
    "Neighbours": "simulator.grading.neighbours",
    "ReplyFeatures": "simulator.grading.exemplar",
    "RuleBasedAssessor": "simulator.grading.rules",
    "criterion_columns": "simulator.grading.exemplar",
    "exemplar_texts": "simulator.grading.exemplars",
    "fit_ridge": "simulator.grading.calibration",
    "grade_to_score": "simulator.grading.calibration",
    "load_batch": "simulator.grading.batch",
    "normalise": "simulator.grading.injection",
    "overall_columns": "simulator.grading.exemplar",
    "overall_row": "simulator.grading.exemplar",
    "pairwise_accuracy": "simulator.grading.calibration",
    "parse_verdict": "simulator.grading.judge",
    "recall_at": "simulator.grading.addressee",
    "screen": "simulator.grading.injection",
    "sentences": "simulator.grading.addressee",
    "spearman": "simulator.grading.calibration",
    "train": "simulator.grading.addressee",
    "verdict": "simulator.grading.batch",
}
__all__ = [
    "AddresseeModel",
    "Calibration",
    "Embedded",
    "ExemplarBank",
    "ExemplarGrader",
    "Featurizer",
    "GradeRequest",
    "Graded",
    "JudgeVerdict",
    "JudgedGrader",
    "LLMJudge",
    "Neighbours",
    "ReplyFeatures",
    "RuleBasedAssessor",
    "criterion_columns",
    "exemplar_texts",
    "fit_ridge",
    "grade_to_score",
    "load_batch",
    "normalise",
    "overall_columns",
    "overall_row",
    "pairwise_accuracy",
    "parse_verdict",
    "recall_at",
    "screen",
    "sentences",
    "spearman",
    "train",
    "verdict",
]


def __getattr__(name: str) -> object:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
