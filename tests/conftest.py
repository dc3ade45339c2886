"""Tests run on the deterministic fake provider and on a database of their own."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from simulator.bench import CHROMIUM_ARGS, chromium_path
from tests.lrs_server import LrsServer
from tests.net import free_port
from tests.openai_stub import OpenAIStub
from tests.pg import throwaway_postgres


@pytest.fixture(autouse=True)
def _fake_provider_by_default(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("CM_SIM_PROVIDER", "fake")
    monkeypatch.delenv("CM_SIM_CONFIG", raising=False)
    yield


@pytest.fixture(autouse=True)
def _own_database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Each test stores its sessions in its own SQLite file, never in the repo's data/."""
    monkeypatch.setenv("CM_SIM_DATABASE_URL", f"sqlite:///{tmp_path / 'cm-sim.db'}")


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A real PostgreSQL: `CM_SIM_TEST_POSTGRES_URL` if given, else a server started here."""
    given = os.environ.get("CM_SIM_TEST_POSTGRES_URL")
    if given:
        yield given
        return
    with throwaway_postgres("cm-sim-pg-") as server:
        yield server.url


@pytest.fixture
def stub(monkeypatch: pytest.MonkeyPatch) -> Iterator[OpenAIStub]:
    """An OpenAI-compatible server on loopback, configured as the `openai` provider."""
    with OpenAIStub() as server:
        monkeypatch.setenv("CM_SIM_BASE_URL", server.base_url)
        monkeypatch.setenv("CM_SIM_API_KEY", "test-key")
        monkeypatch.setenv("CM_SIM_MODEL", "stub-model")
        yield server


@pytest.fixture(scope="session")
def lrs() -> Iterator[LrsServer]:
    """A real xAPI LRS (ralph) on loopback, shared by the session's tests. Skipped only
    where `make lrs` has not built .venv-lrs, and never in CI (there it fails)."""
    reason = LrsServer.why_not()
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the LRS tests: {reason}")
        pytest.skip(reason)
    root = Path(tempfile.mkdtemp(prefix="cm-sim-lrs-"))
    server = LrsServer(root, free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Debian's Chromium for every browser test (`playwright install` cannot download)."""
    return {**browser_type_launch_args, "executable_path": chromium_path(), "args": CHROMIUM_ARGS}
