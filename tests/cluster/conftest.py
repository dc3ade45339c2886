"""One deployment on loopback for the cluster tests: PostgreSQL, the Chroma server, two
replicas behind HAProxy, and an OpenAI-compatible model server (the stub, so that it can
be stopped and brought back at will). Started once per test session."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from simulator.bench import Cluster, ClusterSpec, PgServer, chromium_path
from tests.openai_stub import Behaviour, OpenAIStub, StubState

# What the model server answers: an in-character English post, which the community's
# validators accept, so a post from the model (source "voice") is told from a scripted one.
VOICE_POST = "Still no internet here since this morning. I need a real date for the fix."


def _why_not() -> str | None:
    if shutil.which("haproxy") is None and shutil.which("haproxy", path="/usr/sbin") is None:
        return "haproxy is not installed (make test installs Debian's haproxy)"
    return PgServer(Path("/nonexistent"), 0).why_not()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    reason = _why_not()
    for item in items:
        if "cluster" not in item.path.parts:
            continue
        item.add_marker(pytest.mark.cluster)
        item.add_marker(pytest.mark.slow)
        if reason is not None:
            item.add_marker(pytest.mark.skip(reason=reason))
        elif "page" in getattr(item, "fixturenames", ()) and not Path(chromium_path()).exists():
            item.add_marker(pytest.mark.skip(reason="Debian chromium is not installed"))


class ModelServer:
    """The stub on a fixed address: stop() takes it down (connections refused), start()
    brings it back with the same answers."""

    def __init__(self) -> None:
        self.state = StubState(default=Behaviour(text=VOICE_POST))
        self.stub: OpenAIStub | None = OpenAIStub(state=self.state).__enter__()
        self.port = self.stub.server.server_address[1]
        self.base_url = self.stub.base_url

    def stop(self) -> None:
        if self.stub is not None:
            self.stub.__exit__()
            self.stub = None

    def start(self) -> None:
        if self.stub is None:
            self.stub = OpenAIStub(self.port, self.state).__enter__()


@pytest.fixture(scope="session")
def model_server() -> Iterator[ModelServer]:
    server = ModelServer()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def cluster(model_server: ModelServer) -> Iterator[Cluster]:
    # Not under pytest's own temporary folder: PostgreSQL runs as its own user when the
    # tests run as root, and that user must reach the cluster's folder.
    root = Path(tempfile.mkdtemp(prefix="cm-sim-cluster-"))
    spec = ClusterSpec(
        root=root,
        replicas=2,
        port=0,
        model="openai",
        base_url=model_server.base_url,
        # A model server that is down is given up on at once: the post falls back.
        extra_env={"CM_SIM_MODEL": "stub-model", "CM_SIM_MAX_RETRIES": "0"},
    )
    try:
        with Cluster(spec) as running:
            yield running
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """A failed cluster test shows what each server printed last."""
    report = yield
    if report.when == "call" and report.failed:
        running = getattr(item, "funcargs", {}).get("cluster")
        if isinstance(running, Cluster):
            for service in running.services.values():
                report.sections.append((f"{service.name} log", service.log_tail(30)))
    return report
