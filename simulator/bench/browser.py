"""Debian's Chromium as `cm-sim bench` and the browser tests drive it: headless, without a
sandbox (CI runs as root), and without any of its own network traffic (no internet here)."""

from __future__ import annotations

import shutil

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


def chromium_path() -> str:
    return shutil.which("chromium") or "/usr/bin/chromium"
