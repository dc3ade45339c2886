"""A throwaway PostgreSQL server for tests: the launcher's (simulator.bench), in a fresh
folder, skipped with the reason where the server binaries are missing."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from simulator.bench import PgServer
from tests.net import free_port


@contextmanager
def throwaway_postgres(prefix: str) -> Iterator[PgServer]:
    root = Path(tempfile.mkdtemp(prefix=prefix))
    server = PgServer(root, free_port())
    reason = server.why_not()
    if reason is not None:
        shutil.rmtree(root, ignore_errors=True)
        pytest.skip(reason)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
