"""Opening the database: SQLite by default (WAL, a durable commit per transaction),
PostgreSQL when `CM_SIM_DATABASE_URL` names one; the schema brought to the latest
Alembic revision on open.

A PostgreSQL server shared by replicas may restart under them: a connection that died is
noticed before use (pre-ping) and a new one is waited for, up to `DB_WAIT_S`, so a reply
sent meanwhile waits and goes through; past that it is refused with a `StoreError`.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from filelock import FileLock
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.engine.interfaces import ExceptionContext

from simulator.errors import StoreError

MIGRATIONS = Path(__file__).with_name("migrations")
# How long a database operation waits for an unreachable PostgreSQL before it is refused
# (the default of the `db_wait_s` setting).
DB_WAIT_S = 45.0
log = logging.getLogger(__name__)


def normalise_url(url: str) -> str:
    """`postgresql://` means psycopg 3 here (the driver we install), not psycopg2."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers go on while a turn is written; synchronous=FULL makes each commit
    # durable (fsync) before it returns, so an acknowledged reply survives a kill.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def make_engine(url: str, wait_s: float = DB_WAIT_S) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    engine = create_engine(url, pool_pre_ping=True)
    event.listen(engine, "do_connect", patient_connect(wait_s))
    event.listen(engine, "handle_error", _refuse_when_gone)
    return engine


def patient_connect(wait_s: float) -> Callable[..., Any]:
    """A connect that retries while the server is down or starting, for up to `wait_s`.
    Only once it has been reached: a wrong address is refused at once, not waited for."""
    reached = False

    def connect(dialect: Any, _record: Any, cargs: Any, cparams: dict[str, Any]) -> Any:
        nonlocal reached
        cparams.setdefault("connect_timeout", 5)
        deadline = time.monotonic() + wait_s
        pause = 0.25
        while True:
            try:
                connection = dialect.loaded_dbapi.connect(*cargs, **cparams)
                reached = True
                return connection
            except dialect.loaded_dbapi.OperationalError as exc:
                if not reached:
                    raise
                if time.monotonic() + pause > deadline:
                    raise StoreError(
                        f"the database did not answer for {wait_s:.0f} s: {_first_line(exc)}"
                    ) from None
                if pause == 0.25:  # once per wait, not once per attempt
                    log.warning("database unreachable, retrying: %s", _first_line(exc))
                time.sleep(pause)
                pause = min(2.0, pause * 2)

    return connect


def _refuse_when_gone(context: ExceptionContext) -> None:
    """A connection lost in the middle of a statement: a refusal the user is shown (the
    transaction was rolled back, nothing half-written), not a driver traceback. A lost
    connection found by the pre-ping is left to SQLAlchemy, which reconnects."""
    if context.is_disconnect and not context.is_pre_ping:
        raise StoreError(
            f"the database connection was lost: {_first_line(context.original_exception)}"
        ) from context.original_exception


@contextmanager
def database_lock(url: str, name: str) -> Iterator[None]:
    """`advisory_lock` on the PostgreSQL database at `url`, for a caller without a store."""
    engine = make_engine(url)
    try:
        with advisory_lock(engine, name):
            yield
    finally:
        engine.dispose()


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


@contextmanager
def advisory_lock(engine: Engine, name: str) -> Iterator[None]:
    """A lock every process using this PostgreSQL database shares, on any machine (for
    SQLite, the caller's file lock is enough: one machine). Held until the block ends."""
    key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
    with engine.connect() as connection:
        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
            connection.commit()


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def migrate(engine: Engine, lock_dir: Path | None = None) -> None:
    """Bring the schema to the latest revision. Several app processes may start at once
    (replicas): a file lock (SQLite) or an advisory lock (PostgreSQL) serialises them, and
    the one that waited finds the work done."""
    if current_revision(engine) == head_revision():
        return
    if engine.dialect.name == "postgresql":
        with advisory_lock(engine, "cm-sim.migrate"):
            _upgrade(engine)
        return
    lock = FileLock(str(lock_dir / "store.migrate.lock")) if lock_dir else None
    try:
        if lock:
            lock.acquire(timeout=120)
        _upgrade(engine)
    finally:
        if lock:
            lock.release()


def _upgrade(engine: Engine) -> None:
    if current_revision(engine) == head_revision():
        return
    config = _config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
