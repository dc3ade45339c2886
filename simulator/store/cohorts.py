"""Cohorts: a trainer's class. The trainer picks the scenarios to assign (each with an
optional due date), the language and the attempts allowed; students join with one code,
within a seat limit and before an expiry, and keep their own participant link.

The join code is shown once, at creation, and stored hashed, like campaign invites. Taking a
seat locks the cohort row, so two students racing for the last seat cannot both get it.
"""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, time, timedelta

from pydantic import Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session as OrmSession

from simulator.content import Frozen, Lang
from simulator.errors import Forbidden, InputError, NotFound
from simulator.protocols import Store
from simulator.store.accounts import Employer, Participant, add_participant, token_hash
from simulator.store.campaigns import _new_code, normalise_code, scenarios_problem
from simulator.store.schema import AssignmentRow, CohortRow, ParticipantRow, SessionRow, utcnow
from simulator.store.sessions import aware

MAX_SEATS = 500
MAX_ATTEMPTS = 20
STATUSES = ("todo", "in_progress", "done", "overdue")


class CohortError(InputError):
    """A cohort that cannot be created as asked; the message names the field."""


class JoinError(InputError):
    """A join code that lets nobody in: "unknown", "full" or "expired"."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"join code {reason}")
        self.reason = reason


class UnknownCohort(NotFound):
    pass


class NotYourCohort(Forbidden):
    """A trainer reaching another trainer's cohort, or a student another cohort."""


class AttemptsUsed(InputError):
    """Every attempt allowed on an assignment has been used."""


class Assignment(Frozen):
    scenario_id: str
    due_at: datetime | None


class Cohort(Frozen):
    id: str
    name: str
    trainer_id: int
    lang: str
    attempts: int
    practice: bool
    seats: int
    join_hint: str
    expires_at: datetime | None
    created_at: datetime
    assignments: list[Assignment]

    @property
    def scenarios(self) -> list[str]:
        return [a.scenario_id for a in self.assignments]

    @property
    def session_lang(self) -> Lang:
        """Assignments play in the cohort's language, whatever the page's."""
        return "en" if self.lang == "en" else "fr"


class NewCohort(Frozen):
    cohort: Cohort
    join_code: str = Field(description="shown once; only its hash is stored")


class AssignmentStatus(Frozen):
    scenario_id: str
    due_at: datetime | None
    status: str  # one of STATUSES
    attempts_used: int
    attempts_left: int
    best_score: float | None
    session_ids: list[str]


def end_of_day(day: date) -> datetime:
    """A due date means "by the end of that day" (UTC)."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=UTC)


def _cohort(row: CohortRow, assignments: list[AssignmentRow]) -> Cohort:
    return Cohort(
        id=row.id,
        name=row.name,
        trainer_id=row.trainer_id,
        lang=row.lang,
        attempts=row.attempts,
        practice=row.practice,
        seats=row.seats,
        join_hint=row.join_hint,
        expires_at=aware(row.expires_at) if row.expires_at else None,
        created_at=aware(row.created_at),
        assignments=[
            Assignment(scenario_id=a.scenario_id, due_at=aware(a.due_at) if a.due_at else None)
            for a in sorted(assignments, key=lambda a: a.position)
        ],
    )


def _check(scenarios: list[str], lang: str, seats: int, attempts: int) -> None:
    problem = scenarios_problem(scenarios, lang)
    if problem is not None:
        raise CohortError(problem)
    if not 1 <= seats <= MAX_SEATS:
        raise CohortError(f"seats: between 1 and {MAX_SEATS}, got {seats}")
    if not 1 <= attempts <= MAX_ATTEMPTS:
        raise CohortError(f"attempts: between 1 and {MAX_ATTEMPTS}, got {attempts}")


def create_cohort(
    store: Store,
    trainer: Employer,
    name: str,
    scenarios: list[str],
    lang: str,
    due: dict[str, date] | None = None,
    seats: int = 30,
    attempts: int = 3,
    expires_in_days: float = 90,
    practice: bool = True,
) -> NewCohort:
    """A cohort owned by `trainer`, with one assignment per scenario, and its join code."""
    if trainer.role != "trainer":
        raise CohortError(f"trainer: {trainer.email} is not a trainer account")
    _check(scenarios, lang, seats, attempts)
    due = due or {}
    stray = sorted(set(due) - set(scenarios))
    if stray:
        raise CohortError(f"due: {', '.join(stray)} is not one of the cohort's scenarios")
    now = utcnow()
    code = _new_code()
    plain = normalise_code(code)
    row = CohortRow(
        id=f"k-{secrets.token_hex(5)}",
        name=name.strip()[:200] or ", ".join(scenarios),
        trainer_id=trainer.id,
        lang=lang,
        attempts=attempts,
        practice=practice,
        join_code_hash=token_hash(plain),
        join_hint=plain[:4],
        seats=seats,
        expires_at=now + timedelta(days=expires_in_days),
        created_at=now,
    )
    with store.session() as orm:
        orm.add(row)
        orm.flush()
        assignments = [
            AssignmentRow(
                cohort_id=row.id,
                position=position,
                scenario_id=scenario_id,
                due_at=end_of_day(due[scenario_id]) if scenario_id in due else None,
            )
            for position, scenario_id in enumerate(scenarios)
        ]
        orm.add_all(assignments)
        orm.commit()
        return NewCohort(cohort=_cohort(row, assignments), join_code=code)


def _load(orm: OrmSession, cohort_id: str) -> Cohort | None:
    row = orm.get(CohortRow, cohort_id)
    if row is None:
        return None
    assignments = orm.scalars(
        select(AssignmentRow).where(AssignmentRow.cohort_id == cohort_id)
    ).all()
    return _cohort(row, list(assignments))


def get_cohort(store: Store, cohort_id: str) -> Cohort | None:
    with store.session() as orm:
        return _load(orm, cohort_id)


def trainer_cohort(store: Store, cohort_id: str, trainer: Employer) -> Cohort:
    """The cohort when `trainer` owns it; UnknownCohort or NotYourCohort otherwise."""
    cohort = get_cohort(store, cohort_id)
    if cohort is None:
        raise UnknownCohort(f"no cohort {cohort_id!r}")
    if cohort.trainer_id != trainer.id:
        raise NotYourCohort(f"cohort {cohort_id!r} belongs to another trainer")
    return cohort


def list_cohorts(store: Store, trainer: Employer) -> list[Cohort]:
    with store.session() as orm:
        ids = orm.scalars(
            select(CohortRow.id)
            .where(CohortRow.trainer_id == trainer.id)
            .order_by(CohortRow.created_at.desc())
        ).all()
        return [c for cohort_id in ids if (c := _load(orm, cohort_id)) is not None]


def join_cohort(
    store: Store, code: str, display_name: str, now: datetime | None = None
) -> tuple[Participant, str]:
    """A new student in the cohort the code opens, and the token of their link.

    Raises JoinError("unknown" | "expired" | "full"); nothing changes in those cases.
    """
    name = display_name.strip()
    if not name:
        raise CohortError("name: a student joins with a name their trainer will recognise")
    now = now or utcnow()
    digest = token_hash(normalise_code(code))
    with store.session() as orm:
        cohort = orm.scalar(
            select(CohortRow).where(CohortRow.join_code_hash == digest).with_for_update()
        )
        if cohort is None:
            raise JoinError("unknown")
        if cohort.expires_at is not None and aware(cohort.expires_at) <= now:
            raise JoinError("expired")
        taken = orm.scalar(
            select(func.count())
            .select_from(ParticipantRow)
            .where(ParticipantRow.cohort_id == cohort.id)
        )
        if (taken or 0) >= cohort.seats:
            raise JoinError("full")
        row, token = add_participant(orm, "student", display_name=name, cohort_id=cohort.id)
        orm.commit()
        participant = Participant(
            id=row.id,
            kind=row.kind,
            display_name=row.display_name,
            campaign_id=None,
            cohort_id=cohort.id,
        )
        return participant, token


def students(store: Store, cohort_id: str) -> list[Participant]:
    with store.session() as orm:
        rows = orm.scalars(
            select(ParticipantRow)
            .where(ParticipantRow.cohort_id == cohort_id)
            .order_by(ParticipantRow.created_at, ParticipantRow.id)
        ).all()
        return [
            Participant(
                id=r.id,
                kind=r.kind,
                display_name=r.display_name,
                campaign_id=None,
                cohort_id=r.cohort_id,
            )
            for r in rows
        ]


def _status(
    assignment: Assignment, sessions: list[SessionRow], attempts: int, now: datetime
) -> AssignmentStatus:
    ended = [s for s in sessions if s.ended]
    scores = [s.score for s in ended if s.score is not None]
    if ended:
        status = "done"
    elif assignment.due_at is not None and assignment.due_at < now:
        status = "overdue"
    elif sessions:
        status = "in_progress"
    else:
        status = "todo"
    return AssignmentStatus(
        scenario_id=assignment.scenario_id,
        due_at=assignment.due_at,
        status=status,
        attempts_used=len(sessions),
        attempts_left=max(0, attempts - len(sessions)),
        best_score=max(scores) if scores else None,
        session_ids=[s.id for s in sessions],
    )


def assignment_statuses(
    store: Store, participant: Participant, now: datetime | None = None
) -> list[AssignmentStatus]:
    """Each of the student's assignments with where they stand: to do, in progress, done
    or overdue, attempts used and left, best score. Empty outside a cohort."""
    if participant.cohort_id is None:
        return []
    now = now or utcnow()
    with store.session() as orm:
        cohort = _load(orm, participant.cohort_id)
        if cohort is None:  # pragma: no cover - a foreign key keeps the cohort
            return []
        rows = orm.scalars(
            select(SessionRow)
            .where(
                SessionRow.participant_id == participant.id,
                SessionRow.cohort_id == cohort.id,
            )
            .order_by(SessionRow.created_at, SessionRow.id)
        ).all()
    return [
        _status(a, [r for r in rows if r.scenario_id == a.scenario_id], cohort.attempts, now)
        for a in cohort.assignments
    ]


def assignment_for(store: Store, participant: Participant, scenario_id: str) -> str | None:
    """The cohort a new session of this scenario counts for: the student's cohort when the
    scenario is one of its assignments (AttemptsUsed once they are all spent), else None
    (free practice)."""
    for status in assignment_statuses(store, participant):
        if status.scenario_id == scenario_id:
            if status.attempts_left == 0:
                raise AttemptsUsed(
                    f"{scenario_id}: the {status.attempts_used} attempts allowed are used"
                )
            return participant.cohort_id
    return None
