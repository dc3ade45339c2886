"""How the app is started and awaited: by `cm-sim run`, the benchmarks and the browser tests."""

from __future__ import annotations

import socket
import sys
import time
import urllib.request

from simulator.paths import REPO_ROOT


def streamlit_command(port: int, address: str = "127.0.0.1", headless: bool = True) -> list[str]:
    """How the app is started: by `cm-sim run`, the benchmarks and the browser tests alike."""
    return [
        sys.executable, "-m", "streamlit", "run", str(REPO_ROOT / "app.py"),
        "--server.port", str(port), "--server.address", address,
        "--server.headless", str(headless).lower(), "--browser.gatherUsageStats", "false",
    ]  # fmt: skip


def wait_until_up(url: str, timeout: float = 120, pause: float = 0.2) -> bool:
    """Poll `url` until it answers 200 or the timeout passes; True when it answered."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return True
        except OSError:
            time.sleep(pause)
    return False


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
