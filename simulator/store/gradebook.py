"""A cohort's gradebook and class dashboard, for its trainer only.

The gradebook is every grade of the class, one row per student, session, turn and
criterion, with the machine grade and the trainer's (when a trainer overrode it). The
dashboard sums it up: where each student stands on each assignment, their mean per criterion
and per skill, each assignment's average and spread, who is stuck and who has not started.
Wherever the trainer set a grade, it replaces the machine's.

Stuck, on purpose simple: an assignment overdue (its due date passed with no finished
attempt), or in progress (started, none finished) with every attempt used, with no graded
reply yet, or with its graded replies averaging under LOW_MARK.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from functools import cache
from statistics import fmean
from typing import Literal

from sqlalchemy import select

from simulator.content import Frozen, get_scenario, practice_ids
from simulator.knowledge import Card, load_content
from simulator.paths import knowledge_dir
from simulator.protocols import Store
from simulator.store.accounts import Employer, Participant
from simulator.store.cohorts import Cohort, assignment_statuses, students, trainer_cohort
from simulator.store.results import _cell, _num
from simulator.store.reviews import Override, cohort_trainer_grades, reviewed_score
from simulator.store.schema import SessionRow, utcnow
from simulator.store.sessions import StoredSession
from simulator.store.skill_progress import progress

LOW_MARK = 40.0
BINS = ("0-20", "20-40", "40-60", "60-80", "80-100")

StuckReason = Literal["overdue", "attempts_used", "no_reply", "low_score"]


class ResultRow(Frozen):
    """One grade of the gradebook. A student × assignment not started has one row with no
    session (and no turn, criterion nor grade)."""

    student: str
    participant_id: str
    scenario: str
    session_id: str | None = None
    attempt: int | None = None
    turn: int | None = None
    criterion: str | None = None
    machine: float | None = None
    trainer: float | None = None
    reason: str | None = None
    comment: str | None = None

    @property
    def grade(self) -> float | None:
        """The grade that counts: the trainer's when set, else the machine's."""
        return self.trainer if self.trainer is not None else self.machine


CSV_COLUMNS = (
    "student",
    "participant_id",
    "scenario",
    "session_id",
    "attempt",
    "turn",
    "criterion",
    "machine",
    "trainer",
    "grade",
    "reason",
    "comment",
)


class StudentRef(Frozen):
    participant_id: str
    name: str


class StudentAssignment(Frozen):
    scenario_id: str
    status: str  # todo | in_progress | done | overdue
    due_at: datetime | None
    attempts_used: int
    attempts_left: int
    # The best finished attempt's score, trainer grades applied; None before one is finished.
    best_score: float | None
    session_ids: list[str]


class StudentSummary(Frozen):
    participant_id: str
    name: str
    assignments: list[StudentAssignment]  # in the cohort's order
    # scenario -> criterion -> mean over every graded turn of every attempt.
    criteria: dict[str, dict[str, float]]
    # skill (card theme) -> mean, as the progress page computes it (skill_progress.progress).
    skills: dict[str, float]
    overrides: int  # grades of this student the trainer set


class AssignmentSummary(Frozen):
    scenario_id: str
    due_at: datetime | None
    # Mean of the students' best finished scores; None while nobody has finished.
    average: float | None
    scored: int  # students with a finished attempt
    distribution: list[int]  # students' best scores counted in BINS
    statuses: dict[str, int]  # students per status
    criteria: dict[str, float]  # class mean per criterion, every graded turn


class StuckStudent(Frozen):
    participant_id: str
    name: str
    scenario_id: str
    status: str
    reason: StuckReason
    score: float | None  # mean of the assignment's graded turns so far


class Dashboard(Frozen):
    cohort: Cohort
    generated_at: datetime
    bins: list[str]
    students: list[StudentSummary]
    assignments: list[AssignmentSummary]
    stuck: list[StuckStudent]
    not_started: list[StudentRef]


def _name(student: Participant) -> str:
    return student.display_name or student.id


def _cohort_sessions(store: Store, cohort_id: str) -> dict[str, list[StoredSession]]:
    """Each student's sessions of the cohort's assignments, oldest first."""
    with store.session() as orm:
        rows = orm.execute(
            select(SessionRow.id, SessionRow.participant_id)
            .where(SessionRow.cohort_id == cohort_id)
            .order_by(SessionRow.created_at, SessionRow.id)
        ).all()
    found: dict[str, list[StoredSession]] = defaultdict(list)
    for session_id, participant_id in rows:
        if participant_id is not None:
            found[participant_id].append(store.get(session_id))
    return found


def _attempts(sessions: Sequence[StoredSession]) -> dict[str, int]:
    """Each session's attempt number at its scenario (1 for the first)."""
    seen: dict[str, int] = defaultdict(int)
    numbers = {}
    for stored in sessions:
        seen[stored.summary.scenario_id] += 1
        numbers[stored.id] = seen[stored.summary.scenario_id]
    return numbers


def cohort_results(store: Store, cohort_id: str, trainer: Employer) -> list[ResultRow]:
    """Every grade of the cohort (its owning trainer only: UnknownCohort / NotYourCohort)."""
    cohort = trainer_cohort(store, cohort_id, trainer)
    grades = cohort_trainer_grades(store, cohort_id)
    by_student = _cohort_sessions(store, cohort_id)
    rows: list[ResultRow] = []
    for student in students(store, cohort_id):
        name = _name(student)
        mine = by_student.get(student.id, [])
        attempts = _attempts(mine)
        for scenario_id in cohort.scenarios:
            played = [s for s in mine if s.summary.scenario_id == scenario_id]
            if not played:
                rows.append(
                    ResultRow(student=name, participant_id=student.id, scenario=scenario_id)
                )
                continue
            for stored in played:
                for turn in stored.turns:
                    if turn.record is None:
                        continue
                    for scored in turn.record.assessment.criteria:
                        override = grades.get((stored.id, turn.turn, scored.id))
                        rows.append(
                            ResultRow(
                                student=name,
                                participant_id=student.id,
                                scenario=scenario_id,
                                session_id=stored.id,
                                attempt=attempts[stored.id],
                                turn=turn.turn,
                                criterion=scored.id,
                                machine=scored.score,
                                trainer=override.after if override else None,
                                reason=override.reason if override else None,
                                comment=override.comment if override else None,
                            )
                        )
    return rows


def gradebook_csv(rows: Sequence[ResultRow]) -> str:
    """The gradebook as CSV: a header, then CSV_COLUMNS in that order for every row."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for r in rows:
        writer.writerow(
            [
                _cell(r.student),
                r.participant_id,
                r.scenario,
                r.session_id or "",
                "" if r.attempt is None else r.attempt,
                "" if r.turn is None else r.turn,
                r.criterion or "",
                _num(r.machine),
                _num(r.trainer),
                _num(r.grade),
                _cell(r.reason or ""),
                _cell(r.comment or ""),
            ]
        )
    return out.getvalue()


# ---------------------------------------------------------------------- dashboard


@cache
def _shipped_cards() -> tuple[Card, ...]:
    return tuple(load_content(knowledge_dir(), practice_ids()).cards)


def reviewed(stored: StoredSession, grades: dict[tuple[int, str], float]) -> StoredSession:
    """The session as its trainer graded it: overridden criterion scores replaced, each
    turn's score moved accordingly (reviews.reviewed_score); nothing else changes."""
    if not grades:
        return stored
    summary = stored.summary
    rubric = get_scenario(summary.scenario_id, version=summary.scenario_version).rubric
    records = []
    for record in stored.state.turns:
        mine = {c: g for (turn, c), g in grades.items() if turn == record.turn}
        if not mine:
            records.append(record)
            continue
        machine = {c.id: c.score for c in record.assessment.criteria}
        criteria = [
            c.model_copy(update={"score": mine[c.id]}) if c.id in mine else c
            for c in record.assessment.criteria
        ]
        records.append(
            record.model_copy(
                update={
                    "assessment": record.assessment.model_copy(update={"criteria": criteria}),
                    "score": reviewed_score(record.score, rubric, machine, mine),
                }
            )
        )
    state = stored.state.model_copy(update={"turns": records})
    return stored.model_copy(update={"state": state})


def _bin(score: float) -> int:
    return min(len(BINS) - 1, max(0, int(score // 20)))


def _stuck(
    student: Participant, status: StudentAssignment, sessions: Sequence[StoredSession]
) -> StuckStudent | None:
    turn_scores = [r.score for s in sessions for r in s.state.turns]
    score = round(fmean(turn_scores), 1) if turn_scores else None
    reason: StuckReason | None = None
    if status.status == "overdue":
        reason = "overdue"
    elif status.status == "in_progress":
        if status.attempts_left == 0:
            reason = "attempts_used"
        elif score is None:
            reason = "no_reply"
        elif score < LOW_MARK:
            reason = "low_score"
    if reason is None:
        return None
    return StuckStudent(
        participant_id=student.id,
        name=_name(student),
        scenario_id=status.scenario_id,
        status=status.status,
        reason=reason,
        score=score,
    )


def class_dashboard(
    store: Store,
    cohort_id: str,
    trainer: Employer,
    cards: Sequence[Card] | None = None,
    now: datetime | None = None,
) -> Dashboard:
    """The class at a glance, trainer grades applied (its owning trainer only). `cards`
    name the skills (the shipped cards by default)."""
    cohort = trainer_cohort(store, cohort_id, trainer)
    now = now or utcnow()
    all_cards = list(cards) if cards is not None else list(_shipped_cards())
    overrides: dict[tuple[str, int, str], Override] = cohort_trainer_grades(store, cohort_id)
    by_student = _cohort_sessions(store, cohort_id)
    summaries: list[StudentSummary] = []
    stuck: list[StuckStudent] = []
    not_started: list[StudentRef] = []
    class_criteria: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for student in students(store, cohort_id):
        sessions = [
            reviewed(
                stored,
                {(t, c): o.after for (sid, t, c), o in overrides.items() if sid == stored.id},
            )
            for stored in by_student.get(student.id, [])
        ]
        summary = progress(sessions, all_cards)
        played = {s.id for s in sessions}
        score_of = {p.session_id: p.score for p in summary.points}
        criteria: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
        for stored in sessions:
            for record in stored.state.turns:
                for scored in record.assessment.criteria:
                    criteria[stored.summary.scenario_id][scored.id].append(scored.score)
                    class_criteria[stored.summary.scenario_id][scored.id].append(scored.score)
        assignments = []
        for status in assignment_statuses(store, student, now):
            mine = [s for s in sessions if s.summary.scenario_id == status.scenario_id]
            finished = [score_of[s.id] for s in mine if s.summary.ended and s.id in score_of]
            assignment = StudentAssignment(
                scenario_id=status.scenario_id,
                status=status.status,
                due_at=status.due_at,
                attempts_used=status.attempts_used,
                attempts_left=status.attempts_left,
                best_score=max(finished) if finished else None,
                session_ids=status.session_ids,
            )
            assignments.append(assignment)
            found = _stuck(student, assignment, mine)
            if found is not None:
                stuck.append(found)
        if not any(a.attempts_used for a in assignments):
            not_started.append(StudentRef(participant_id=student.id, name=_name(student)))
        summaries.append(
            StudentSummary(
                participant_id=student.id,
                name=_name(student),
                assignments=assignments,
                criteria={
                    scenario: {c: round(fmean(v), 1) for c, v in by_criterion.items()}
                    for scenario, by_criterion in criteria.items()
                },
                skills=summary.skills,
                overrides=sum(1 for (sid, _, _) in overrides if sid in played),
            )
        )
    return Dashboard(
        cohort=cohort,
        generated_at=now,
        bins=list(BINS),
        students=summaries,
        assignments=[
            _assignment_summary(n, cohort, summaries, class_criteria)
            for n in range(len(cohort.assignments))
        ],
        stuck=stuck,
        not_started=not_started,
    )


def _assignment_summary(
    index: int,
    cohort: Cohort,
    summaries: Sequence[StudentSummary],
    class_criteria: dict[str, dict[str, list[float]]],
) -> AssignmentSummary:
    assignment = cohort.assignments[index]
    mine = [s.assignments[index] for s in summaries]
    best = [a.best_score for a in mine if a.best_score is not None]
    distribution = [0] * len(BINS)
    for score in best:
        distribution[_bin(score)] += 1
    statuses: dict[str, int] = defaultdict(int)
    for a in mine:
        statuses[a.status] += 1
    rubric = get_scenario(assignment.scenario_id).rubric
    graded = class_criteria.get(assignment.scenario_id, {})
    return AssignmentSummary(
        scenario_id=assignment.scenario_id,
        due_at=assignment.due_at,
        average=round(fmean(best), 1) if best else None,
        scored=len(best),
        distribution=distribution,
        statuses=dict(statuses),
        criteria={c.id: round(fmean(graded[c.id]), 1) for c in rubric if graded.get(c.id)},
    )
