"""A PostgreSQL shared by replicas restarts under them: work waits for it and goes through,
or is refused with a clear error past the wait; replicas starting together migrate once;
the advisory lock is shared by every process of the database."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text

from simulator.bench import PgServer
from simulator.errors import StoreError
from simulator.store import SqlStore, create_learner, database_lock
from tests.net import free_port
from tests.pg import throwaway_postgres

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server() -> Iterator[PgServer]:
    """A server of this module's own: these tests stop and start it."""
    with throwaway_postgres("cm-sim-pg-outage-") as pg:
        yield pg


def test_work_waits_for_a_restarting_server_and_goes_through(server: PgServer) -> None:
    store = SqlStore.open(server.url)
    try:
        create_learner(store)
        server.down("fast")
        back = threading.Timer(3, server.up)
        back.start()
        started = time.monotonic()
        made, _token = create_learner(store)  # waits for the server, then commits
        back.join()
        assert time.monotonic() - started >= 2
        assert made.id
    finally:
        store.dispose()


def test_past_the_wait_the_work_is_refused_and_the_store_recovers(server: PgServer) -> None:
    store = SqlStore.open(server.url, wait_s=2)
    try:
        create_learner(store)
        server.down("fast")
        try:
            with pytest.raises(StoreError, match="did not answer for 2 s"):
                create_learner(store)
        finally:
            server.up()
        assert create_learner(store)[0].id  # the same store works again
    finally:
        store.dispose()


def test_a_server_never_reached_is_refused_at_once() -> None:
    started = time.monotonic()
    with pytest.raises(StoreError, match="cannot open the database"):
        SqlStore.open(f"postgresql://postgres@127.0.0.1:{free_port()}/cmsim")
    assert time.monotonic() - started < 10


def _fresh_database(server: PgServer, name: str) -> str:
    admin = create_engine(server.url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return server.url.rsplit("/", 1)[0] + f"/{name}"


def test_replicas_starting_together_migrate_once(server: PgServer) -> None:
    url = _fresh_database(server, "together")
    code = f"from simulator.store import SqlStore; SqlStore.open({url!r}).dispose()"
    starts = [
        subprocess.Popen([sys.executable, "-c", code], stderr=subprocess.PIPE) for _ in range(3)
    ]
    for process in starts:
        _out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err.decode()
    store = SqlStore.open(url)
    assert create_learner(store)[0].id
    store.dispose()


def test_the_advisory_lock_excludes_other_holders(server: PgServer) -> None:
    held: list[tuple[str, float]] = []

    def hold(name: str) -> None:
        with database_lock(server.url, "cm-sim.test"):
            held.append((f"{name} in", time.monotonic()))
            time.sleep(1)
            held.append((f"{name} out", time.monotonic()))

    threads = [threading.Thread(target=hold, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
        time.sleep(0.2)
    for thread in threads:
        thread.join(timeout=30)
    order = [event for event, _ in held]
    assert order in (["a in", "a out", "b in", "b out"], ["b in", "b out", "a in", "a out"])
