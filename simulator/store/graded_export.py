"""The trainers' reviews as graded replies, in the shape of the grader's dev set, so that a
programme's own grades can measure the grader (`cm-sim eval grader --with FILE`) and refit
its calibration (`cm-sim calibrate --with FILE`).

A line is one reviewed turn (a turn with at least one override) with the keys of a dev-set
item: id, scenario, lang, turn, reply, expert (1-5 overall), criteria (1-5 for every rubric
criterion), rationale, kind, source. Grades are on the dev set's 1-5 scale, read off the
0-100 scores the way the grader reads them (0 is 1, 25 is 2 ... 100 is 5): the trainer's
grade for the criteria they overrode, the machine's for the others (a trainer who reviewed
a turn and left a criterion alone accepted its grade). The overall grade is the grader's
score moved by the trainer's changes (reviews.reviewed_score).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from typing import Any

from sqlalchemy import select

from simulator.content import get_scenario
from simulator.engine import TurnRecord
from simulator.protocols import Store
from simulator.store.reviews import Override, audit_trail, reviewed_score
from simulator.store.schema import OverrideRow, SessionRow, TurnRow

log = logging.getLogger(__name__)

SOURCE = "programme"
KIND = "trainer-review"


def score_to_grade(score: float) -> int:
    """0-100 to the dev set's 1-5 grade (the inverse of grading.grade_to_score, rounded)."""
    return max(1, min(5, int(1 + score / 25 + 0.5)))  # halves up, not to even


def _overrides(store: Store, cohort_id: str | None) -> list[Override]:
    if cohort_id is not None:
        return audit_trail(store, cohort_id=cohort_id)
    with store.session() as orm:
        sessions = orm.scalars(select(OverrideRow.session_id).distinct()).all()
    found: list[Override] = []
    for session_id in sorted(sessions):
        found.extend(audit_trail(store, session_id=session_id))
    return found


def export_graded(store: Store, cohort_id: str | None = None) -> list[dict[str, Any]]:
    """Every reviewed turn (of one cohort, or of all) as a dev-set graded reply; ordered by
    session and turn."""
    latest: dict[tuple[str, int], dict[str, Override]] = defaultdict(dict)
    for override in _overrides(store, cohort_id):  # oldest first: the latest wins
        latest[(override.session_id, override.turn)][override.criterion] = override
    lines: list[dict[str, Any]] = []
    for (session_id, turn), overrides in sorted(latest.items()):
        with store.session() as orm:
            session = orm.get(SessionRow, session_id)
            raw = orm.scalar(
                select(TurnRow.record).where(TurnRow.session_id == session_id, TurnRow.turn == turn)
            )
        if session is None or raw is None:  # pragma: no cover - overrides need a graded turn
            continue
        record = TurnRecord.model_validate(raw)
        rubric = get_scenario(session.scenario_id, version=session.scenario_version).rubric
        machine = {c.id: c.score for c in record.assessment.criteria}
        missing = [c.id for c in rubric if c.id not in machine]
        if missing:
            log.warning("%s turn %s: no grade for %s; left out", session_id, turn, missing)
            continue
        trainer = {c: o.after for c, o in overrides.items()}
        final = {c.id: trainer.get(c.id, machine[c.id]) for c in rubric}
        overall = reviewed_score(record.assessment.score, rubric, machine, trainer)
        lines.append(
            {
                "id": f"{session_id}-t{turn}",
                "scenario": session.scenario_id,
                "lang": session.lang,
                "turn": turn,
                "reply": record.reply,
                "expert": score_to_grade(overall),
                "criteria": {c: score_to_grade(s) for c, s in final.items()},
                "rationale": "; ".join(f"{c}: {o.reason}" for c, o in sorted(overrides.items())),
                "kind": KIND,
                "source": SOURCE,
            }
        )
    return lines
