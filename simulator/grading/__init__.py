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
        criterion_columns,
        fit_ridge,
        grade_to_score,
        overall_columns,
        overall_row,
        pairwise_accuracy,
        spearman,
    )
    from simulator.grading.checks import Scale, applicable, best_match, check_texts
    from simulator.grading.exemplar import Embedded, ExemplarGrader, Featurizer, ReplyFeatures
    from simulator.grading.exemplars import ExemplarBank, check_key, exemplar_texts
    from simulator.grading.injection import normalise, screen
    from simulator.grading.judge import ChecksVerdict, JudgedGrader, LLMJudge, parse_verdict
    from simulator.grading.rules import RuleBasedAssessor

_WHERE = {
    "AddresseeModel": "simulator.grading.addressee",
    "Calibration": "simulator.grading.calibration",
    "ChecksVerdict": "simulator.grading.judge",
    "Embedded": "simulator.grading.exemplar",
    "ExemplarBank": "simulator.grading.exemplars",
    "ExemplarGrader": "simulator.grading.exemplar",
    "Featurizer": "simulator.grading.exemplar",
    "GradeRequest": "simulator.grading.batch",
    "JudgedGrader": "simulator.grading.judge",
    "LLMJudge": "simulator.grading.judge",
    "ReplyFeatures": "simulator.grading.exemplar",
    "RuleBasedAssessor": "simulator.grading.rules",
    "Scale": "simulator.grading.checks",
    "applicable": "simulator.grading.checks",
    "best_match": "simulator.grading.checks",
    "check_key": "simulator.grading.exemplars",
    "check_texts": "simulator.grading.checks",
    "criterion_columns": "simulator.grading.calibration",
    "exemplar_texts": "simulator.grading.exemplars",
    "fit_ridge": "simulator.grading.calibration",
    "grade_to_score": "simulator.grading.calibration",
    "load_batch": "simulator.grading.batch",
    "normalise": "simulator.grading.injection",
    "overall_columns": "simulator.grading.calibration",
    "overall_row": "simulator.grading.calibration",
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
    "ChecksVerdict",
    "Embedded",
    "ExemplarBank",
    "ExemplarGrader",
    "Featurizer",
    "GradeRequest",
    "JudgedGrader",
    "LLMJudge",
    "ReplyFeatures",
    "RuleBasedAssessor",
    "Scale",
    "applicable",
    "best_match",
    "check_key",
    "check_texts",
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
