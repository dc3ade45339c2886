"""`cm-sim grade --batch`: the JSONL requests, checked all at once, and the verdict shape.

Every bad line is reported as `FILE:LINE: field: message` before anything is graded, so a
long batch never stops halfway on line 87.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, ValidationError

from simulator.content import MAX_REPLY_CHARS, Lang, Strict, UnknownScenario, get_scenario
from simulator.errors import InputError
from simulator.protocols import Assessment, GradingContext

MAX_LINES = 100_000


class BatchError(InputError):
    pass


class GradeRequest(Strict):
    scenario: str
    lang: Lang
    reply: Annotated[str, Field(max_length=MAX_REPLY_CHARS)]
    turn: Annotated[int, Field(ge=1, le=30)] = 1
    # Injects that fired before the reply; by default those the scenario sets by turn.
    injects: list[str] | None = None

    def context(self) -> GradingContext:
        scenario = get_scenario(self.scenario)
        fired = (
            self.injects if self.injects is not None else scenario.timed_injects_before(self.turn)
        )
        return GradingContext(scenario=scenario, lang=self.lang, turn=self.turn, fired=fired)


def _line_problems(shown: str, number: int, raw: str) -> tuple[GradeRequest | None, list[str]]:
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        return None, [f"{shown}:{number}: not JSON ({exc.msg})"]
    if not isinstance(data, dict):
        return None, [f"{shown}:{number}: expected an object"]
    try:
        request = GradeRequest.model_validate(data)
    except ValidationError as exc:
        return None, [
            f"{shown}:{number}: {'.'.join(map(str, e['loc'])) or '(line)'}: {e['msg']}"
            for e in exc.errors()
        ]
    try:
        scenario = get_scenario(request.scenario)
    except UnknownScenario as exc:
        return None, [f"{shown}:{number}: scenario: {exc}"]
    unknown = sorted(set(request.injects or ()) - {inj.id for inj in scenario.injects})
    if unknown:
        return None, [f"{shown}:{number}: injects: unknown inject(s) {', '.join(unknown)}"]
    return request, []


def load_batch(path: Path) -> list[GradeRequest]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BatchError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise BatchError(f"{path}: not UTF-8 text") from None
    requests: list[GradeRequest] = []
    problems: list[str] = []
    lines = text.splitlines()
    if len(lines) > MAX_LINES:
        raise BatchError(f"{path}: {len(lines)} lines, at most {MAX_LINES}")
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        request, found = _line_problems(str(path), number, raw)
        problems.extend(found)
        if request is not None:
            requests.append(request)
    if problems:
        raise BatchError("\n".join(problems))
    if not requests:
        raise BatchError(f"{path}: no requests")
    return requests


def verdict(assessment: Assessment, explain: bool = False) -> dict[str, Any]:
    """The contract's fields, exactly: score, criteria, practices, better_reply; with
    `explain`, also what the turn called for and each check with its evidence."""
    out: dict[str, Any] = {
        "score": assessment.score,
        "criteria": [
            {"id": c.id, "score": c.score, "feedback": c.feedback, "practices": c.practices}
            for c in assessment.criteria
        ],
        "practices": assessment.practices,
        "better_reply": assessment.better_reply,
    }
    if explain:
        out["calls_for"] = assessment.calls_for
        out["checks"] = [c.model_dump() for c in assessment.checks]
        out["flags"] = assessment.flags
    return out
