"""Benchmarks: timings with their spread, load runs, index scale, and how the app and Chromium are
started. Names load on first use, so importing the room costs nothing until then.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simulator.bench.browser import CHROMIUM_ARGS, chromium_path
    from simulator.bench.cluster import (
        MODEL_ALIAS,
        Cluster,
        ClusterSpec,
        chroma_command,
        model_server_command,
    )
    from simulator.bench.cluster_load import measure_cluster, run_cluster_bench
    from simulator.bench.haproxy import haproxy_binary, haproxy_config
    from simulator.bench.headless import HeadlessPage
    from simulator.bench.health import check_parts
    from simulator.bench.launch import free_port, streamlit_command, wait_until_up
    from simulator.bench.load import run_concurrent
    from simulator.bench.postgres import PgServer
    from simulator.bench.runner import run_all
    from simulator.bench.scale import scaled_content
    from simulator.bench.services import Service
    from simulator.bench.streamlit_wire import PROTOCOL_NUMBERS, HeadlessError
    from simulator.bench.web_load import make_links, run_web_load

_WHERE = {
    "CHROMIUM_ARGS": "simulator.bench.browser",
    "Cluster": "simulator.bench.cluster",
    "ClusterSpec": "simulator.bench.cluster",
    "HeadlessError": "simulator.bench.streamlit_wire",
    "HeadlessPage": "simulator.bench.headless",
    "MODEL_ALIAS": "simulator.bench.cluster",
    "PROTOCOL_NUMBERS": "simulator.bench.streamlit_wire",
    "PgServer": "simulator.bench.postgres",
    "Service": "simulator.bench.services",
    "check_parts": "simulator.bench.health",
    "chroma_command": "simulator.bench.cluster",
    "chromium_path": "simulator.bench.browser",
    "free_port": "simulator.bench.launch",
    "haproxy_binary": "simulator.bench.haproxy",
    "haproxy_config": "simulator.bench.haproxy",
    "make_links": "simulator.bench.web_load",
    "measure_cluster": "simulator.bench.cluster_load",
    "model_server_command": "simulator.bench.cluster",
    "run_all": "simulator.bench.runner",
    "run_cluster_bench": "simulator.bench.cluster_load",
    "run_concurrent": "simulator.bench.load",
    "run_web_load": "simulator.bench.web_load",
    "scaled_content": "simulator.bench.scale",
    "streamlit_command": "simulator.bench.launch",
    "wait_until_up": "simulator.bench.launch",
}
__all__ = [
    "CHROMIUM_ARGS",
    "MODEL_ALIAS",
    "PROTOCOL_NUMBERS",
    "Cluster",
    "ClusterSpec",
    "HeadlessError",
    "HeadlessPage",
    "PgServer",
    "Service",
    "check_parts",
    "chroma_command",
    "chromium_path",
    "free_port",
    "haproxy_binary",
    "haproxy_config",
    "make_links",
    "measure_cluster",
    "model_server_command",
    "run_all",
    "run_cluster_bench",
    "run_concurrent",
    "run_web_load",
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
