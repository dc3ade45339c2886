"""training programmes: staff roles, cohorts and assignments, trainer overrides, xAPI outbox

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 18:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("employers") as batch:
        batch.add_column(
            sa.Column("role", sa.String(length=16), server_default="employer", nullable=False)
        )
    op.create_table(
        "cohorts",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("trainer_id", sa.Integer(), nullable=False),
        sa.Column("lang", sa.String(length=2), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("practice", sa.Boolean(), nullable=False),
        sa.Column("join_code_hash", sa.String(length=64), nullable=False),
        sa.Column("join_hint", sa.String(length=8), nullable=False),
        sa.Column("seats", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["trainer_id"], ["employers.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("join_code_hash"),
    )
    op.create_index("ix_cohorts_trainer_id", "cohorts", ["trainer_id"])
    op.create_table(
        "assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.String(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("scenario_id", sa.String(length=64), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["cohort_id"], ["cohorts.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("cohort_id", "scenario_id", name="uq_assignment"),
    )
    op.create_index("ix_assignments_cohort_id", "assignments", ["cohort_id"])
    with op.batch_alter_table("participants") as batch:
        batch.add_column(sa.Column("cohort_id", sa.String(length=32), nullable=True))
        batch.create_foreign_key("fk_participants_cohort", "cohorts", ["cohort_id"], ["id"])
        batch.create_index("ix_participants_cohort_id", ["cohort_id"])
    with op.batch_alter_table("sessions") as batch:
        batch.add_column(sa.Column("cohort_id", sa.String(length=32), nullable=True))
        batch.create_foreign_key("fk_sessions_cohort", "cohorts", ["cohort_id"], ["id"])
        batch.create_index("ix_sessions_cohort_id", ["cohort_id"])
    op.create_table(
        "overrides",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.String(length=32), nullable=False),
        sa.Column("turn", sa.Integer(), nullable=False),
        sa.Column("criterion", sa.String(length=64), nullable=False),
        sa.Column("machine", sa.Double(), nullable=True),
        sa.Column("before", sa.Double(), nullable=True),
        sa.Column("after", sa.Double(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("trainer_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["session_id"], ["sessions.id"]),
        sa.ForeignKeyConstraint(["trainer_id"], ["employers.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_overrides_session_id", "overrides", ["session_id"])
    op.create_table(
        "xapi_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("statement_id", sa.String(length=36), nullable=False),
        sa.Column("statement", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("statement_id"),
    )
    op.create_index("ix_xapi_outbox_sent_at", "xapi_outbox", ["sent_at"])


def downgrade() -> None:
    op.drop_table("xapi_outbox")
    op.drop_table("overrides")
    with op.batch_alter_table("sessions") as batch:
        batch.drop_index("ix_sessions_cohort_id")
        batch.drop_constraint("fk_sessions_cohort", type_="foreignkey")
        batch.drop_column("cohort_id")
    with op.batch_alter_table("participants") as batch:
        batch.drop_index("ix_participants_cohort_id")
        batch.drop_constraint("fk_participants_cohort", type_="foreignkey")
        batch.drop_column("cohort_id")
    op.drop_table("assignments")
    op.drop_table("cohorts")
    with op.batch_alter_table("employers") as batch:
        batch.drop_column("role")
