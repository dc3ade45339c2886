"""Benchmarks: timings with their spread, load runs, index scale, and how the app and Chromium are
started.
"""

from simulator.bench.browser import CHROMIUM_ARGS, chromium_path
from simulator.bench.launch import free_port, streamlit_command, wait_until_up
from simulator.bench.load import run_concurrent
from simulator.bench.runner import run_all
from simulator.bench.scale import scaled_content

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
