"""A real xAPI Learning Record Store for the learning-record tests: ralph (France Université
Numérique's LRS), from its own virtual environment (`make lrs` builds .venv-lrs: its pins
clash with the app's), on a free loopback port with its file-system backend.

The server can be stopped and started again on the same port and directory, so a test can
take the LRS down in the middle of a run and bring it back with its statements.

ralph 5.1.0's file-system backend writes its statement file once and then refuses every
later write ("already exists and overwrite is not allowed"); with an empty file name it
writes one new file per request instead and reads them all back, which is what is run here.
The files are read in no particular order, so `statements()` orders them by `stored`, the
LRS's own record of when it took each one.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / ".venv-lrs"


class LrsServer:
    def __init__(
        self, root: Path, port: int, user: str = "cm-sim", password: str = "lrs-test-password"
    ) -> None:
        self.root = root
        self.port = port
        self.user = user
        self.password = password
        self.data = root / "statements"
        self.app_dir = root / "app"
        self.auth_file = root / "auth.json"
        self.log = root / "server.log"
        self.base = f"http://127.0.0.1:{port}"
        self.url = f"{self.base}/xAPI/"
        self.process: subprocess.Popen[bytes] | None = None

    @staticmethod
    def why_not() -> str | None:
        """Why no LRS can run here, or None when it can."""
        if not (VENV / "bin" / "ralph").exists():
            return f"ralph is not installed in {VENV} (run `make lrs`)"
        return None

    def _env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("RALPH_", "CM_SIM_"))}
        env.update(
            RALPH_APP_DIR=str(self.app_dir),
            RALPH_AUTH_FILE=str(self.auth_file),
            RALPH_RUNSERVER_BACKEND="fs",
            RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH=str(self.data),
            # Empty: one new file per write (see the module's docstring).
            RALPH_BACKENDS__LRS__FS__DEFAULT_LRS_FILE="",
        )
        return env

    def _credentials(self) -> None:
        if self.auth_file.exists():
            return
        subprocess.run(
            [
                str(VENV / "bin" / "ralph"),
                "auth",
                "-u",
                self.user,
                "-p",
                self.password,
                "-s",
                "all",
                "-M",
                "mailto:lrs-tests@example.com",
                "-w",
            ],
            env=self._env(),
            cwd=self.root,
            check=True,
            capture_output=True,
            timeout=120,
        )

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self, timeout: float = 60.0) -> None:
        """Start ralph (the same app `ralph runserver` serves, without its code reloader)
        and wait until it answers."""
        if self.running:
            return
        for folder in (self.root, self.data, self.app_dir):
            folder.mkdir(parents=True, exist_ok=True)
        self._credentials()
        command = [
            str(VENV / "bin" / "python"),
            "-m",
            "uvicorn",
            "ralph.api:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--log-level",
            "warning",
        ]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command,
                env=self._env(),
                cwd=self.root,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"ralph exited ({self.process.returncode}):\n{self.tail()}")
            try:
                if httpx.get(f"{self.base}/__heartbeat__", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"ralph did not answer within {timeout}s:\n{self.tail()}")
            time.sleep(0.2)

    def stop(self) -> None:
        """Stop the server (it and nothing else: its own process group)."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=15)

    def tail(self, chars: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""

    def client(self) -> httpx.Client:
        return httpx.Client(
            auth=(self.user, self.password),
            headers={"X-Experience-API-Version": "1.0.3"},
            timeout=30,
        )

    def post(self, statements: list[dict[str, Any]]) -> httpx.Response:
        with self.client() as http:
            return http.post(urljoin(self.url, "statements"), json=statements)

    def statements(self, registration: str | None = None, page: int = 10) -> list[dict[str, Any]]:
        """Every statement the LRS holds (of one registration), read page by page through
        the `more` links, in the order the LRS stored them."""
        params: dict[str, Any] = {"limit": page}
        if registration is not None:
            params["registration"] = registration
        found: list[dict[str, Any]] = []
        with self.client() as http:
            answer = http.get(urljoin(self.url, "statements"), params=params)
            while True:
                answer.raise_for_status()
                body = answer.json()
                found.extend(body["statements"])
                more = body.get("more")
                if not more:
                    break
                answer = http.get(urljoin(self.base, more))
        ids = [s["id"] for s in found]
        assert len(ids) == len(set(ids)), "the LRS returned a statement twice"
        return sorted(found, key=lambda s: s["stored"])

    def files(self) -> list[Path]:
        return sorted(self.data.iterdir()) if self.data.exists() else []

    def dump(self) -> str:
        return json.dumps(self.statements(), indent=1)[:5000]
