"""Real-browser harness: the real `streamlit run` server on a free port, Debian's Chromium."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from simulator.catalog import streamlit_command, wait_until_up
from tests.net import free_port

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "e2e" in item.path.parts:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)
            if not Path(CHROMIUM).exists():
                item.add_marker(pytest.mark.skip(reason="Debian chromium is not installed"))


class AppServer:
    """One `streamlit run app.py` process; stop() kills it, start() brings it back."""

    def __init__(self, env: dict[str, str], database: Path | None = None) -> None:
        self.port = free_port()
        self.env = env
        self.database = database
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 120) -> None:
        command = streamlit_command(self.port)
        self.proc = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        if not wait_until_up(f"{self.url}/_stcore/health", timeout):
            self.stop()
            raise RuntimeError("streamlit did not become healthy")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(timeout=10)
            self.proc = None


def server_env(database: Path) -> dict[str, str]:
    """The fake community voice, and a database of the server's own (not the repo's data/)."""
    return {**os.environ, "CM_SIM_PROVIDER": "fake", "CM_SIM_DATABASE_URL": f"sqlite:///{database}"}


@pytest.fixture(scope="session")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    database = tmp_path_factory.mktemp("app") / "cm-sim.db"
    server = AppServer(server_env(database), database)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}
