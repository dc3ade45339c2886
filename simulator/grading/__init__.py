"""Grading: the calibrated exemplar grader, its features and calibration, the rule-based assessor,
injection screening, the LLM judge and batch requests.
"""

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
