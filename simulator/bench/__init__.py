"""Benchmarks: timings with their spread, load runs, index scale, and how the app and Chromium are
started. Names load on first use, so importing the room costs nothing until then.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simulator.bench.browser import CHROMIUM_ARGS, chromium_path
    from simulator.bench.launch import free_port, streamlit_command, wait_until_up
    from simulator.bench.load import run_concurrent
    from simulator.bench.runner import run_all
    from simulator.bench.scale import scaled_content

_WHERE = {
    "CHROMIUM_ARGS": "simulator.bench.browser",
    "chromium_path": "simulator.bench.browser",
    "free_port": "simulator.bench.launch",
    "run_all": "simulator.bench.runner",
    "run_concurrent": "simulator.bench.load",
    "scaled_content": "simulator.bench.scale",
    "streamlit_command": "simulator.bench.launch",
    "wait_until_up": "simulator.bench.launch",
}
__all__ = [
    "CHROMIUM_ARGS",
    "chromium_path",
    "free_port",
    "run_all",
    "run_concurrent",
    "scaled_content",
    "streamlit_command",
    "wait_until_up",
]


def __getattr__(name: str) -> object:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
