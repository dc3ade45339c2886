"""Alembic environment: the connection comes from `simulator.store` (never a URL in a file)."""

from __future__ import annotations

from alembic import context

from simulator.store.schema import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - only through simulator.store.migrate
    raise RuntimeError("run migrations through simulator.store.migrate(engine)")
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    # SQLite alters tables by copying them; batch mode does that for later revisions.
    render_as_batch=True,
)
with context.begin_transaction():
    context.run_migrations()
