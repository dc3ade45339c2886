"""Quality figures: the dev sets (shipped as package data) and the grader, retrieval and community
evals. Names load on first use, so importing the room costs nothing until then.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simulator.evals.community import (
        load_community_cases,
        request_for,
        run_community_eval,
        scenario_cases,
        time_turns,
    )
    from simulator.evals.devset import (
        Payload,
        PoorReply,
        attach,
        evalsets_dir,
        load_dev_set,
        load_injection,
    )
    from simulator.evals.grader import fit_addressee, fit_and_save, run_grader_eval
    from simulator.evals.judge import run_judge_eval
    from simulator.evals.programme import calibrate_with, load_graded_lines, run_grader_eval_with
    from simulator.evals.retrieval import (
        fit_card_ranker,
        load_retrieval_cases,
        run_retrieval_eval,
        score,
    )

_WHERE = {
    "Payload": "simulator.evals.devset",
    "PoorReply": "simulator.evals.devset",
    "attach": "simulator.evals.devset",
    "calibrate_with": "simulator.evals.programme",
    "evalsets_dir": "simulator.evals.devset",
    "fit_addressee": "simulator.evals.grader",
    "fit_and_save": "simulator.evals.grader",
    "fit_card_ranker": "simulator.evals.retrieval",
    "load_community_cases": "simulator.evals.community",
    "load_dev_set": "simulator.evals.devset",
    "load_graded_lines": "simulator.evals.programme",
    "load_injection": "simulator.evals.devset",
    "load_retrieval_cases": "simulator.evals.retrieval",
    "request_for": "simulator.evals.community",
    "run_community_eval": "simulator.evals.community",
    "run_grader_eval": "simulator.evals.grader",
    "run_grader_eval_with": "simulator.evals.programme",
    "run_judge_eval": "simulator.evals.judge",
    "run_retrieval_eval": "simulator.evals.retrieval",
    "scenario_cases": "simulator.evals.community",
    "score": "simulator.evals.retrieval",
    "time_turns": "simulator.evals.community",
}
__all__ = [
    "Payload",
    "PoorReply",
    "attach",
    "calibrate_with",
    "evalsets_dir",
    "fit_addressee",
    "fit_and_save",
    "fit_card_ranker",
    "load_community_cases",
    "load_dev_set",
    "load_graded_lines",
    "load_injection",
    "load_retrieval_cases",
    "request_for",
    "run_community_eval",
    "run_grader_eval",
    "run_grader_eval_with",
    "run_judge_eval",
    "run_retrieval_eval",
    "scenario_cases",
    "score",
    "time_turns",
]


def __getattr__(name: str) -> object:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
