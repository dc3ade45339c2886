"""Real-browser harness: the real `streamlit run` server on a free port, Debian's Chromium."""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from simulator.bench import chromium_path, streamlit_command, wait_until_up
from tests.net import free_port

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = chromium_path()


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
        # The server's own output, kept beside its database: a failed test prints its tail.
        folder = database.parent if database is not None else Path(tempfile.mkdtemp())
        self.log = folder / f"streamlit-{self.port}.log"

    def start(self, timeout: float = 120) -> None:
        command = streamlit_command(self.port)
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        if not wait_until_up(f"{self.url}/_stcore/health", timeout):
            self.stop()
            raise RuntimeError("streamlit did not become healthy")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(timeout=10)
            self.proc = None

    def log_tail(self, lines: int = 60) -> str:
        if not self.log.exists():
            return ""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def server_env(database: Path) -> dict[str, str]:
    """The fake community voice, and a database of the server's own (not the repo's data/)."""
    return {**os.environ, "CM_SIM_PROVIDER": "fake", "CM_SIM_DATABASE_URL": f"sqlite:///{database}"}


def sign_in(page: Any, url: str, email: str, password: str) -> None:
    """Open a staff page (`url` ends with its path) and sign in with a password."""
    from playwright.sync_api import expect

    page.goto(url)
    page.get_by_label("E-mail").fill(email)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(f"Signed in as {email}")).to_be_visible(timeout=60_000)


@pytest.fixture(scope="session")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    database = tmp_path_factory.mktemp("app") / "cm-sim.db"
    server = AppServer(server_env(database), database)
    server.start()
    yield server
    server.stop()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """A failed browser test reports what the page showed and what the server printed: a
    rare failure on a loaded CI machine is then readable from the CI log alone."""
    report = yield
    if report.when == "call" and report.failed:
        funcargs = getattr(item, "funcargs", {})
        page, server = funcargs.get("page"), funcargs.get("app_server")
        if page is not None:
            try:
                report.sections.append(("page text", page.inner_text("body", timeout=5_000)))
            except Exception as exc:  # the page may be gone: say so, keep the failure
                report.sections.append(("page text", f"unreadable: {exc}"))
        if isinstance(server, AppServer):
            report.sections.append(("server log", server.log_tail()))
    return report
