"""The stored tables. Alembic migrations (simulator/migrations) create them; a test checks
that the migrations and these models never drift apart.

Times are stored in UTC. Secrets (participant tokens, invite codes, passwords) are stored
only as hashes, so a copy of the database does not let anyone sign in as someone else.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    # none_as_null: a turn not yet graded has a SQL NULL record, not the JSON text "null".
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dict[str, Any]: JSON(none_as_null=True),
        list[str]: JSON,
    }


class EmployerRow(Base):
    """A staff account: an employer (campaigns) or a trainer (cohorts), told apart by role."""

    __tablename__ = "employers"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    # None: signs in through OIDC (st.login) only.
    password_hash: Mapped[str | None] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(16), default="employer", server_default="employer")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CampaignRow(Base):
    __tablename__ = "campaigns"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("employers.id"))
    scenarios: Mapped[list[str]]
    lang: Mapped[str] = mapped_column(String(2))
    seed: Mapped[int]
    reply_time_limit_s: Mapped[int | None]
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ParticipantRow(Base):
    """A self-learner or a candidate: whoever holds the token owns the sessions."""

    __tablename__ = "participants"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # "learner" | "candidate"
    display_name: Mapped[str | None] = mapped_column(String(100))
    campaign_id: Mapped[str | None] = mapped_column(ForeignKey("campaigns.id"))
    cohort_id: Mapped[str | None] = mapped_column(ForeignKey("cohorts.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class InviteRow(Base):
    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[str] = mapped_column(ForeignKey("campaigns.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The code's first characters, so an employer can tell candidates apart.
    hint: Mapped[str] = mapped_column(String(8))
    participant_id: Mapped[str | None] = mapped_column(ForeignKey("participants.id"))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class SessionRow(Base):
    """One played scenario. `state` is the engine's state after the last complete turn."""

    __tablename__ = "sessions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    participant_id: Mapped[str | None] = mapped_column(ForeignKey("participants.id"), index=True)
    campaign_id: Mapped[str | None] = mapped_column(ForeignKey("campaigns.id"), index=True)
    cohort_id: Mapped[str | None] = mapped_column(ForeignKey("cohorts.id"), index=True)
    # "participant:scenario" for a campaign session (one attempt), else NULL (no limit).
    attempt_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    scenario_id: Mapped[str] = mapped_column(String(64))
    # The stored scenario's version the session plays (None: a scenario file).
    scenario_version: Mapped[int | None]
    lang: Mapped[str] = mapped_column(String(2))
    seed: Mapped[int]
    provider: Mapped[str] = mapped_column(String(120))
    reply_time_limit_s: Mapped[int]
    state: Mapped[dict[str, Any]]
    turn: Mapped[int] = mapped_column(default=0)
    ended: Mapped[bool] = mapped_column(default=False)
    end_reason: Mapped[str | None] = mapped_column(String(32))
    score: Mapped[float | None]
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class TurnRow(Base):
    """A reply, stored the moment it arrives; its grade and the community's answer follow."""

    __tablename__ = "turns"
    __table_args__ = (UniqueConstraint("session_id", "turn", name="uq_turn_per_session"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("sessions.id"), index=True)
    turn: Mapped[int]
    reply: Mapped[str] = mapped_column(Text)
    choice: Mapped[str | None] = mapped_column(String(64))
    delay_s: Mapped[float | None]
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    record: Mapped[dict[str, Any] | None]
    score: Mapped[float | None]
    graded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class CohortRow(Base):
    """A trainer's class: one join code (stored hashed) with a seat limit and an expiry."""

    __tablename__ = "cohorts"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    trainer_id: Mapped[int] = mapped_column(ForeignKey("employers.id"), index=True)
    lang: Mapped[str] = mapped_column(String(2))
    attempts: Mapped[int]
    practice: Mapped[bool] = mapped_column(default=True)
    join_code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    join_hint: Mapped[str] = mapped_column(String(8))
    seats: Mapped[int]
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AssignmentRow(Base):
    __tablename__ = "assignments"
    __table_args__ = (UniqueConstraint("cohort_id", "scenario_id", name="uq_assignment"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[str] = mapped_column(ForeignKey("cohorts.id"), index=True)
    position: Mapped[int]
    scenario_id: Mapped[str] = mapped_column(String(64))
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class OverrideRow(Base):
    """One trainer change to a criterion's grade: the audit trail is these rows, never
    updated; the latest per (session, turn, criterion) is the trainer's grade."""

    __tablename__ = "overrides"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("sessions.id"), index=True)
    turn: Mapped[int]
    criterion: Mapped[str] = mapped_column(String(64))
    machine: Mapped[float | None]
    before: Mapped[float | None]
    after: Mapped[float]
    reason: Mapped[str] = mapped_column(Text)
    comment: Mapped[str | None] = mapped_column(Text)
    trainer_id: Mapped[int] = mapped_column(ForeignKey("employers.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class XapiOutboxRow(Base):
    """A learning record waiting for (or delivered to) the LRS. Written in the same
    transaction as what it records, so no statement is lost; `id` gives the send order."""

    __tablename__ = "xapi_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[str] = mapped_column(String(36), unique=True)
    statement: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)


class ScenarioVersionRow(Base):
    """One saved version of a trainer's scenario: never updated but for its status (a draft
    becomes published once; the text never changes). The first version's author owns the id."""

    __tablename__ = "scenario_versions"
    __table_args__ = (UniqueConstraint("scenario_id", "version", name="uq_scenario_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scenario_id: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int]
    author_id: Mapped[int] = mapped_column(ForeignKey("employers.id"))
    yaml: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))  # "draft" | "published"
    languages: Mapped[list[str]]
    # {fr, en}: what a list shows without parsing the text.
    title: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
