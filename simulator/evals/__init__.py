"""Quality figures: the dev sets (shipped as package data) and the grader, retrieval and community
evals.
"""

from simulator.evals.community import load_community_cases, request_for, run_community_eval
from simulator.evals.devset import (
    Payload,
    PoorReply,
    attach,
    evalsets_dir,
    load_dev_set,
    load_injection,
)
from simulator.evals.grader import (
    cross_validate,
    embed,
    fit_addressee,
    fit_and_save,
    run_grader_eval,
)
from simulator.evals.retrieval import load_retrieval_cases, run_retrieval_eval, score

__all__ = [
    "Payload",
    "PoorReply",
    "attach",
    "cross_validate",
    "embed",
    "evalsets_dir",
    "fit_addressee",
    "fit_and_save",
    "load_community_cases",
    "load_dev_set",
    "load_injection",
    "load_retrieval_cases",
    "request_for",
    "run_community_eval",
    "run_grader_eval",
    "run_retrieval_eval",
    "score",
]
