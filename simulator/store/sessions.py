"""Stored sessions: every reply is committed the moment it arrives, before anyone grades it
or the community answers; the graded turn and the new state follow in one transaction.

The turn number is the idempotency key: a turn is stored once (a unique constraint), and a
second attempt at the same turn (a Streamlit rerun, a double click, a second replica)
finds the first one instead of grading again.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session as OrmSession

from simulator.content import Frozen
from simulator.engine import SessionState, TurnRecord
from simulator.errors import Forbidden, NotFound, StoreError
from simulator.store.engine import DB_WAIT_S, make_engine, migrate, sqlite_url
from simulator.store.schema import SessionRow, TurnRow, utcnow


def aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything stored is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class StoredTurn(Frozen):
    turn: int
    reply: str
    choice: str | None
    delay_s: float | None
    received_at: datetime
    graded_at: datetime | None
    score: float | None
    # None while the reply waits for its grade (the server stopped in between).
    record: TurnRecord | None


class SessionSummary(Frozen):
    id: str
    scenario_id: str
    # The stored scenario's version this session plays; None for a scenario file.
    scenario_version: int | None = None
    lang: str
    seed: int
    provider: str
    participant_id: str | None
    campaign_id: str | None
    cohort_id: str | None = None
    turn: int
    ended: bool
    end_reason: str | None
    score: float | None
    created_at: datetime
    updated_at: datetime


class StoredSession(Frozen):
    summary: SessionSummary
    reply_time_limit_s: int
    state: SessionState
    turns: list[StoredTurn]

    @property
    def id(self) -> str:
        return self.summary.id

    @property
    def pending(self) -> StoredTurn | None:
        """A reply stored but not yet played (the server stopped while it was graded)."""
        return next((t for t in self.turns if t.record is None), None)


class UnknownSession(NotFound):
    pass


class NotYourSession(Forbidden):
    pass


def _summary(row: SessionRow) -> SessionSummary:
    return SessionSummary(
        id=row.id,
        scenario_id=row.scenario_id,
        scenario_version=row.scenario_version,
        lang=row.lang,
        seed=row.seed,
        provider=row.provider,
        participant_id=row.participant_id,
        campaign_id=row.campaign_id,
        cohort_id=row.cohort_id,
        turn=row.turn,
        ended=row.ended,
        end_reason=row.end_reason,
        score=row.score,
        created_at=aware(row.created_at),
        updated_at=aware(row.updated_at),
    )


def _turn(row: TurnRow) -> StoredTurn:
    return StoredTurn(
        turn=row.turn,
        reply=row.reply,
        choice=row.choice,
        delay_s=row.delay_s,
        received_at=aware(row.received_at),
        graded_at=aware(row.graded_at) if row.graded_at else None,
        score=row.score,
        record=TurnRecord.model_validate(row.record) if row.record is not None else None,
    )


def _mean_score(state: SessionState) -> float | None:
    scores = [record.score for record in state.turns]
    return round(sum(scores) / len(scores), 1) if scores else None


class SqlStore:
    """The `Store` of DESIGN.md on SQLAlchemy: SQLite file by default, PostgreSQL by URL."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, url: str, lock_dir: Path | None = None, wait_s: float = DB_WAIT_S) -> SqlStore:
        """Open (and migrate) the database. The store opened last becomes the source of
        stored scenarios that `get_scenario` asks after the scenario files."""
        from simulator.content import register_scenario_source
        from simulator.store.scenario_library import StoredScenarios

        try:
            engine = make_engine(url, wait_s)
            migrate(engine, lock_dir)
        except OperationalError as exc:
            raise StoreError(f"cannot open the database: {exc.orig}") from None
        store = cls(engine)
        register_scenario_source(StoredScenarios(store))
        return store

    @classmethod
    def at_path(cls, path: Path) -> SqlStore:
        return cls.open(sqlite_url(path), path.parent)

    def session(self) -> OrmSession:
        """A database session (a context manager); what is read stays usable after commit."""
        return OrmSession(self.engine, expire_on_commit=False)

    # ------------------------------------------------------------------ sessions

    def create_session(
        self,
        state: SessionState,
        provider: str,
        reply_time_limit_s: int,
        participant_id: str | None = None,
        campaign_id: str | None = None,
        cohort_id: str | None = None,
        scenario_version: int | None = None,
    ) -> str:
        """Store a new session; a campaign allows one per candidate and scenario. Its
        learning record (xAPI) is queued in the same transaction. `scenario_version`: the
        stored scenario's version it plays (None for a scenario file)."""
        from simulator.store.xapi_outbox import enqueue, wake_flusher
        from simulator.store.xapi_statements import XapiSession, session_started

        session_id = secrets.token_hex(16)
        attempt = f"{participant_id}:{state.scenario_id}" if campaign_id else None
        row = SessionRow(
            id=session_id,
            participant_id=participant_id,
            campaign_id=campaign_id,
            cohort_id=cohort_id,
            attempt_key=attempt,
            scenario_id=state.scenario_id,
            scenario_version=scenario_version,
            lang=state.lang,
            seed=state.seed,
            provider=provider,
            reply_time_limit_s=reply_time_limit_s,
            state=state.model_dump(mode="json"),
            turn=state.turn,
            ended=state.ended,
        )
        record = XapiSession(
            session_id=session_id,
            scenario_id=state.scenario_id,
            lang=state.lang,
            participant_id=participant_id,
            cohort_id=cohort_id,
        )
        with self.session() as orm:
            orm.add(row)
            enqueue(orm, session_started(record))
            orm.commit()
        wake_flusher(self)
        return session_id

    def attempt(self, participant_id: str, scenario_id: str) -> str | None:
        """The campaign session this candidate already has for a scenario, if any."""
        key = f"{participant_id}:{scenario_id}"
        with self.session() as orm:
            return orm.scalar(select(SessionRow.id).where(SessionRow.attempt_key == key))

    def get(self, session_id: str, participant_id: str | None = None) -> StoredSession:
        """A session with its turns. With `participant_id`, only that participant's own."""
        with self.session() as orm:
            row = orm.get(SessionRow, session_id)
            if row is None:
                raise UnknownSession(f"no session {session_id!r}")
            if participant_id is not None and row.participant_id != participant_id:
                raise NotYourSession(f"session {session_id!r} belongs to someone else")
            turns = orm.scalars(
                select(TurnRow).where(TurnRow.session_id == session_id).order_by(TurnRow.turn)
            ).all()
            return StoredSession(
                summary=_summary(row),
                reply_time_limit_s=row.reply_time_limit_s,
                state=SessionState.model_validate(row.state),
                turns=[_turn(t) for t in turns],
            )

    def list(
        self,
        participant_id: str | None = None,
        campaign_id: str | None = None,
        limit: int = 1000,
    ) -> list[SessionSummary]:
        query = select(SessionRow).order_by(SessionRow.created_at, SessionRow.id).limit(limit)
        if participant_id is not None:
            query = query.where(SessionRow.participant_id == participant_id)
        if campaign_id is not None:
            query = query.where(SessionRow.campaign_id == campaign_id)
        with self.session() as orm:
            return [_summary(row) for row in orm.scalars(query).all()]

    # ------------------------------------------------------------------ turns

    def receive(
        self,
        session_id: str,
        turn: int,
        reply: str,
        choice: str | None = None,
        delay_s: float | None = None,
    ) -> StoredTurn:
        """Commit a reply for `turn` before anything else happens to it. If that turn is
        already stored (a rerun, a double click), the first reply stands and is returned.
        Its learning record (xAPI) is queued with it, so only a new reply gets one."""
        from simulator.store.xapi_outbox import enqueue, wake_flusher, xapi_session
        from simulator.store.xapi_statements import reply_sent

        with self.session() as orm:
            # Read before the turn is added: a query flushes pending rows, and a duplicate
            # turn must fail inside the `try` below.
            session_row = orm.get(SessionRow, session_id)
            row = TurnRow(
                session_id=session_id, turn=turn, reply=reply, choice=choice, delay_s=delay_s
            )
            try:
                orm.add(row)
                if session_row is not None:
                    statement = reply_sent(
                        xapi_session(session_row), turn, reply, delay_s=delay_s, choice=choice
                    )
                    enqueue(orm, statement)
                orm.commit()
                wake_flusher(self)
                return _turn(row)
            except IntegrityError:
                orm.rollback()
        return self._stored_turn(session_id, turn)

    def _stored_turn(self, session_id: str, turn: int) -> StoredTurn:
        with self.session() as orm:
            row = orm.scalar(
                select(TurnRow).where(TurnRow.session_id == session_id, TurnRow.turn == turn)
            )
            if row is None:
                raise UnknownSession(f"no turn {turn} in session {session_id!r}")
            return _turn(row)

    def complete(self, session_id: str, record: TurnRecord, state: SessionState) -> bool:
        """Store a graded turn and the state after it, in one transaction. False when
        another process completed that turn first (its version stands). The grade's
        learning record (xAPI) is queued in the same transaction, only by the one that moved."""
        from simulator.store.xapi_outbox import enqueue, wake_flusher, xapi_session
        from simulator.store.xapi_statements import turn_graded

        now = utcnow()
        with self.session() as orm:
            moved = orm.execute(
                update(SessionRow)
                .where(SessionRow.id == session_id, SessionRow.turn == record.turn - 1)
                .values(
                    state=state.model_dump(mode="json"),
                    turn=state.turn,
                    ended=state.ended,
                    end_reason=state.end_reason,
                    score=_mean_score(state),
                    updated_at=now,
                )
            )
            if getattr(moved, "rowcount", 0) != 1:
                orm.rollback()
                return False
            orm.execute(
                update(TurnRow)
                .where(
                    TurnRow.session_id == session_id,
                    TurnRow.turn == record.turn,
                    TurnRow.record.is_(None),
                )
                .values(record=record.model_dump(mode="json"), score=record.score, graded_at=now)
            )
            session_row = orm.get(SessionRow, session_id)
            if session_row is not None:
                ended = (state.end_reason or "ended") if state.ended else None
                statement = turn_graded(xapi_session(session_row), record, end_reason=ended)
                enqueue(orm, statement)
            orm.commit()
        wake_flusher(self)
        return True

    def dispose(self) -> None:
        self.engine.dispose()
