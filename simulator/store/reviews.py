"""A trainer's review of a graded reply: a criterion's grade overridden, with the reason.

The machine grade is never changed: each override is a row of its own in `overrides`, never
updated nor deleted, so the audit trail says who changed what, when, from what to what and
why. The latest row per (session, turn, criterion) is the trainer's grade; it replaces the
machine grade in the gradebook, the class dashboard and the graded-replies export.

Only the trainer who owns the session's cohort may override it; every refusal is raised
before anything is written.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select

from simulator.content import Criterion, Frozen
from simulator.engine import TurnRecord
from simulator.errors import Forbidden, InputError
from simulator.protocols import Store
from simulator.store.accounts import Employer
from simulator.store.cohorts import NotYourCohort, UnknownCohort
from simulator.store.schema import CohortRow, EmployerRow, OverrideRow, SessionRow, TurnRow
from simulator.store.sessions import NotYourSession, UnknownSession, aware
from simulator.store.xapi_outbox import enqueue_override, wake_flusher

MAX_REASON = 2000
MAX_COMMENT = 4000


class ReviewError(InputError):
    """An override refused for its input (turn, criterion, score, reason); nothing written."""


class UngradedTurn(ReviewError):
    """The turn was not played, or its reply still waits for its grade."""


class UnknownCriterion(ReviewError):
    """Not one of the criteria that turn was graded on; the message lists them."""


class NotInCohort(Forbidden):
    """A session played outside any cohort (free practice, a campaign): no trainer reviews it."""


class Override(Frozen):
    """One trainer change to one criterion's grade, as the audit trail shows it."""

    id: int
    session_id: str
    turn: int
    criterion: str
    machine: float | None
    before: float | None
    after: float
    reason: str
    comment: str | None
    trainer_id: int
    trainer: str  # the trainer's e-mail: who
    created_at: datetime  # when (UTC)


def _override(row: OverrideRow, email: str) -> Override:
    return Override(
        id=row.id,
        session_id=row.session_id,
        turn=row.turn,
        criterion=row.criterion,
        machine=row.machine,
        before=row.before,
        after=row.after,
        reason=row.reason,
        comment=row.comment,
        trainer_id=row.trainer_id,
        trainer=email,
        created_at=aware(row.created_at),
    )


def _owned_session(orm: Any, session_id: str, trainer: Employer) -> SessionRow:
    """The session when it belongs to a cohort of `trainer`; else the refusal that says why."""
    row: SessionRow | None = orm.get(SessionRow, session_id)
    if row is None:
        raise UnknownSession(f"no session {session_id!r}")
    if row.cohort_id is None:
        raise NotInCohort(
            f"session {session_id!r} was not played in a cohort: only a cohort's sessions are "
            "reviewed by its trainer"
        )
    cohort = orm.get(CohortRow, row.cohort_id)
    if cohort is None or trainer.role != "trainer" or cohort.trainer_id != trainer.id:
        raise NotYourCohort(f"session {session_id!r} belongs to another trainer's cohort")
    return row


def _graded_record(orm: Any, session_id: str, turn: int) -> TurnRecord:
    row = orm.scalar(select(TurnRow).where(TurnRow.session_id == session_id, TurnRow.turn == turn))
    if row is None:
        raise UngradedTurn(f"turn: session {session_id!r} has no turn {turn}")
    if row.record is None:
        raise UngradedTurn(f"turn: turn {turn} of session {session_id!r} is not graded yet")
    return TurnRecord.model_validate(row.record)


def _reason(value: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ReviewError("reason: say why the grade changes (it is kept in the audit trail)")
    if len(text) > MAX_REASON:
        raise ReviewError(f"reason: {len(text)} characters; the limit is {MAX_REASON}")
    return text


def _comment(value: str | None) -> str | None:
    text = (value or "").strip()
    if len(text) > MAX_COMMENT:
        raise ReviewError(f"comment: {len(text)} characters; the limit is {MAX_COMMENT}")
    return text or None


def _latest(orm: Any, session_id: str, turn: int, criterion: str) -> OverrideRow | None:
    row: OverrideRow | None = orm.scalar(
        select(OverrideRow)
        .where(
            OverrideRow.session_id == session_id,
            OverrideRow.turn == turn,
            OverrideRow.criterion == criterion,
        )
        .order_by(OverrideRow.id.desc())
        .limit(1)
    )
    return row


def override_grade(
    store: Store,
    session_id: str,
    turn: int,
    criterion: str,
    score: float,
    reason: str,
    trainer: Employer,
    comment: str | None = None,
) -> Override:
    """Set the trainer's grade (0-100) of one criterion of one graded turn, with the reason.

    Refusals, each before anything is written: UnknownSession; NotInCohort (a session of no
    cohort); NotYourCohort (another trainer's cohort); UngradedTurn; UnknownCriterion (the
    message lists the turn's criteria); ReviewError for a score outside 0-100 or a blank
    reason. `before` is the trainer grade this one replaces, or the machine grade.
    """
    with store.session() as orm:
        _owned_session(orm, session_id, trainer)
        record = _graded_record(orm, session_id, turn)
    machine = {c.id: c.score for c in record.assessment.criteria}
    if criterion not in machine:
        raise UnknownCriterion(
            f"criterion: {criterion!r} is not one of turn {turn}'s criteria: {', '.join(machine)}"
        )
    if isinstance(score, bool) or not math.isfinite(score) or not 0 <= score <= 100:
        raise ReviewError(f"score: between 0 and 100, got {score}")
    why, note = _reason(reason), _comment(comment)
    # One transaction, one commit: the override and its learning record (xAPI outbox) are
    # written together, so that neither exists without the other.
    with store.session() as orm:
        previous = _latest(orm, session_id, turn, criterion)
        row = OverrideRow(
            session_id=session_id,
            turn=turn,
            criterion=criterion,
            machine=machine[criterion],
            before=previous.after if previous is not None else machine[criterion],
            after=float(score),
            reason=why,
            comment=note,
            trainer_id=trainer.id,
        )
        orm.add(row)
        orm.flush()  # the row has its id, which the learning record's id derives from
        enqueue_override(orm, row)
        orm.commit()
    wake_flusher(store)
    return _override(row, trainer.email)


def _rows(orm: Any, query: Any) -> list[Override]:
    found = orm.execute(
        query.join(EmployerRow, EmployerRow.id == OverrideRow.trainer_id).order_by(OverrideRow.id)
    ).all()
    return [_override(row, email) for row, email in found]


def trainer_grades(
    store: Store, session_id: str, participant_id: str | None = None
) -> dict[tuple[int, str], Override]:
    """The trainer's grade per (turn, criterion) of a session: the latest override of each.
    With `participant_id`, only that participant's own session (NotYourSession otherwise)."""
    with store.session() as orm:
        row = orm.get(SessionRow, session_id)
        if row is None:
            raise UnknownSession(f"no session {session_id!r}")
        if participant_id is not None and row.participant_id != participant_id:
            raise NotYourSession(f"session {session_id!r} belongs to someone else")
        overrides = _rows(
            orm,
            select(OverrideRow, EmployerRow.email).where(OverrideRow.session_id == session_id),
        )
    return {(o.turn, o.criterion): o for o in overrides}  # later rows replace earlier ones


def cohort_trainer_grades(store: Store, cohort_id: str) -> dict[tuple[str, int, str], Override]:
    """The trainer's grade per (session, turn, criterion) over a cohort's sessions."""
    with store.session() as orm:
        overrides = _rows(
            orm,
            select(OverrideRow, EmployerRow.email)
            .join(SessionRow, SessionRow.id == OverrideRow.session_id)
            .where(SessionRow.cohort_id == cohort_id),
        )
    return {(o.session_id, o.turn, o.criterion): o for o in overrides}


def audit_trail(
    store: Store,
    session_id: str | None = None,
    cohort_id: str | None = None,
    trainer: Employer | None = None,
) -> list[Override]:
    """Every override of a session or of a cohort's sessions, oldest first: who (e-mail),
    when, the machine grade, before, after, why and the comment. With `trainer`, only when
    the session's cohort (or the cohort) is theirs."""
    if (session_id is None) == (cohort_id is None):
        raise ReviewError("audit: give a session or a cohort, not both")
    with store.session() as orm:
        if session_id is not None:
            if trainer is not None:
                _owned_session(orm, session_id, trainer)
            elif orm.get(SessionRow, session_id) is None:
                raise UnknownSession(f"no session {session_id!r}")
            where = OverrideRow.session_id == session_id
            query = select(OverrideRow, EmployerRow.email).where(where)
        else:
            cohort = orm.get(CohortRow, cohort_id)
            if cohort is None:
                raise UnknownCohort(f"no cohort {cohort_id!r}")
            if trainer is not None and cohort.trainer_id != trainer.id:
                raise NotYourCohort(f"cohort {cohort_id!r} belongs to another trainer")
            query = (
                select(OverrideRow, EmployerRow.email)
                .join(SessionRow, SessionRow.id == OverrideRow.session_id)
                .where(SessionRow.cohort_id == cohort_id)
            )
        return _rows(orm, query)


def reviewed_score(
    machine_score: float,
    rubric: Sequence[Criterion],
    machine: Mapping[str, float],
    trainer: Mapping[str, float],
) -> float:
    """A turn's overall score once the trainer's grades replace the machine's: the machine
    score moved by the change the overrides make to the rubric's weighted criterion mean
    (criteria not overridden change nothing), kept within 0-100."""
    total = sum(c.weight for c in rubric) or 1.0
    shift = sum(
        c.weight * (trainer[c.id] - machine[c.id])
        for c in rubric
        if c.id in trainer and c.id in machine
    )
    return round(min(100.0, max(0.0, machine_score + shift / total)), 1)
