"""One server process of the cluster: started with its log, awaited on its health URL,
stopped gently (or killed, as a crash would)."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

from simulator.bench.launch import wait_until_up
from simulator.errors import ConfigError
from simulator.paths import REPO_ROOT


class Service:
    def __init__(
        self, name: str, command: list[str], env: dict[str, str], log: Path, health: str | None
    ) -> None:
        self.name = name
        self.command = command
        self.env = env
        self.log = log
        self.health = health
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self, timeout: float = 180) -> None:
        self.start_async()
        self.await_healthy(timeout)

    def start_async(self) -> None:
        """Start without waiting (several services then come up side by side)."""
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                self.command,
                cwd=REPO_ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C in the launcher's terminal is ours to handle
            )

    def await_healthy(self, timeout: float = 180) -> None:
        if self.health is not None and not self._healthy(timeout):
            tail = self.log_tail(15)
            self.stop()
            raise ConfigError(f"{self.name} did not become healthy ({self.health}):\n{tail}")

    def _healthy(self, timeout: float) -> bool:
        assert self.health is not None
        # Poll in short slices so that a process that died at start fails at once.
        waited = 0.0
        while waited < timeout:
            if wait_until_up(self.health, timeout=2):
                return True
            if not self.alive:
                return False
            waited += 2
        return False

    def kill(self) -> None:
        """SIGKILL, as a crashed machine would: no handler runs."""
        if self.proc is not None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)
            self.proc = None

    def stop(self, grace: float = 10) -> None:
        """SIGTERM to the process group, SIGKILL after `grace` seconds."""
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)
        except ProcessLookupError:
            pass
        self.proc = None

    def log_tail(self, lines: int = 40) -> str:
        if not self.log.exists():
            return ""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
