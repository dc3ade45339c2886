"""A whole deployment on this machine, all on loopback and no containers: PostgreSQL, the
Chroma server, the model server, N app replicas and HAProxy in front of them.

`cm-sim cluster up` (and `make cluster`) runs it for people; the cluster tests and
`cm-sim bench --cluster` run it to kill, restart and load its parts.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from pydantic import Field

from simulator.bench.haproxy import haproxy_binary, haproxy_command, haproxy_config
from simulator.bench.launch import free_port, streamlit_command
from simulator.bench.postgres import PgServer
from simulator.bench.services import Service
from simulator.config import load_settings
from simulator.content import Frozen
from simulator.errors import ConfigError
from simulator.paths import REPO_ROOT

ModelChoice = Literal["llama", "fake", "openai"]
MODEL_ALIAS = "qwen2.5-0.5b"
Say = Callable[[str], None]


class ClusterSpec(Frozen):
    root: Path
    replicas: int = Field(default=2, ge=1, le=16)
    # The load balancer's port (0: any free port).
    port: int = Field(default=8600, ge=0, le=65535)
    # llama: llama.cpp's OpenAI-compatible server on the packaged model; fake: no model
    # server, the deterministic fake voice; openai: a model server that already runs.
    model: ModelChoice = "llama"
    base_url: str | None = None
    model_threads: int = Field(default=1, ge=1, le=64)
    # Passed to every replica as is (CM_SIM_LRS_URL, CM_SIM_GRADER, ...).
    extra_env: dict[str, str] = Field(default_factory=dict)


def model_server_command(gguf: Path, port: int, threads: int) -> list[str]:
    """llama.cpp's OpenAI-compatible server (llama-cpp-python[server]) on loopback."""
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf)]
    command += ["--model_alias", MODEL_ALIAS, "--host", "127.0.0.1", "--port", str(port)]
    command += ["--n_threads", str(threads), "--n_ctx", "2048"]
    # By default the server cuts a streamed answer short when another request waits:
    # under a class, most posts would end mid-sentence.
    return [*command, "--interrupt_requests", "false"]


def chroma_command(path: Path, port: int) -> list[str]:
    """The Chroma server (`chroma run`, from the chromadb package) on loopback."""
    return [_tool("chroma"), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)]


def _tool(name: str) -> str:
    """A console script installed beside this Python (chroma, cm-sim)."""
    path = Path(sys.executable).parent / name
    if not path.exists():
        raise ConfigError(f"{name} is not installed in {path.parent} (run make install)")
    return str(path)


class Cluster:
    """Start with `start()`, stop with `stop()` (or use it as a context manager)."""

    def __init__(self, spec: ClusterSpec, say: Say | None = None) -> None:
        self.spec = spec
        self.say = say or (lambda _message: None)
        root = spec.root.resolve()
        self.root = root
        self.port = spec.port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.postgres = PgServer(root / "postgres", free_port())
        self.chroma_url = f"http://127.0.0.1:{free_port()}"
        self.model_url = spec.base_url
        self.cookie_secret = secrets.token_hex(16)
        self.services: dict[str, Service] = {}
        self.replicas: list[Service] = []
        self.replica_ports: list[int] = []
        self._postgres_started = False

    # ------------------------------------------------------------------ what replicas see

    @property
    def database_url(self) -> str:
        return self.postgres.url

    def replica_env(self) -> dict[str, str]:
        """One environment for every replica and for `cm-sim` run against the cluster."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("CM_SIM_")}
        env.update(
            # Every replica signs the same XSRF cookie, so a page moved to another replica
            # keeps working (Streamlit takes this secret from the environment only).
            STREAMLIT_SERVER_COOKIE_SECRET=self.cookie_secret,
            CM_SIM_DATABASE_URL=self.database_url,
            CM_SIM_CHROMA_URL=self.chroma_url,
            # One data folder for the replicas of this machine: the grader's exemplar cache
            # and the file locks that serialise the index build live there.
            CM_SIM_DATA_DIR=str(self.root / "app"),
        )
        if self.spec.model == "fake":
            env["CM_SIM_PROVIDER"] = "fake"
        else:
            if self.model_url is None:
                raise ConfigError("the model server's URL is not known yet")
            env.update(CM_SIM_PROVIDER="openai", CM_SIM_BASE_URL=self.model_url)
            env.setdefault("CM_SIM_API_KEY", "not-needed")
            if self.spec.model == "llama":
                env["CM_SIM_MODEL"] = MODEL_ALIAS
        env.update(self.spec.extra_env)
        return env

    # ------------------------------------------------------------------ the parts

    def _service(
        self, name: str, command: list[str], health: str | None, env: dict[str, str] | None = None
    ) -> Service:
        env = env if env is not None else dict(os.environ)
        service = Service(name, command, env, self.root / "logs" / f"{name}.log", health)
        self.services[name] = service
        return service

    def _start_postgres(self) -> None:
        self.say(f"PostgreSQL on 127.0.0.1:{self.postgres.port}")
        self.postgres.start()
        self._postgres_started = True

    def _start_chroma(self) -> None:
        port = int(self.chroma_url.rsplit(":", 1)[1])
        self.say(f"Chroma server on {self.chroma_url}")
        command = chroma_command(self.root / "chroma", port)
        self._service("chroma", command, f"{self.chroma_url}/api/v2/heartbeat").start()

    def _start_model(self) -> None:
        if self.spec.model != "llama":
            return
        from simulator.llm import resolve_model_path

        # Joined once from the package chunks into the usual data folder (as `make run` does).
        gguf = resolve_model_path(None, load_settings().data_dir)
        port = free_port()
        self.model_url = f"http://127.0.0.1:{port}/v1"
        command = model_server_command(gguf, port, self.spec.model_threads)
        self.say(f"model server (llama.cpp, {MODEL_ALIAS}) on {self.model_url}")
        self._service("model", command, f"{self.model_url}/models").start()

    def _build_index(self) -> None:
        """Once, before any replica: the replicas then find it up to date (under a lock)."""
        self.say("knowledge index: building on the Chroma server")
        log = self.root / "logs" / "index.log"
        with log.open("ab") as out:
            done = subprocess.run(
                [_tool("cm-sim"), "index"],
                cwd=REPO_ROOT,
                env=self.replica_env(),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                check=False,
            )
        if done.returncode != 0:
            tail = "\n".join(log.read_text(errors="replace").splitlines()[-15:])
            raise ConfigError(f"cm-sim index failed against the Chroma server:\n{tail}")

    def replica_command(self, port: int) -> list[str]:
        # No file watcher in production.
        return [*streamlit_command(port), "--server.fileWatcherType", "none"]

    def _start_replicas(self) -> None:
        for index in range(1, self.spec.replicas + 1):
            port = free_port()
            self.replica_ports.append(port)
            self.say(f"replica r{index} on http://127.0.0.1:{port}")
            health = f"http://127.0.0.1:{port}/_stcore/health"
            command = self.replica_command(port)
            self.replicas.append(
                self._service(f"replica{index}", command, health, self.replica_env())
            )
        # Started together: they share the start-up work (migrations, index check) under locks.
        for replica in self.replicas:
            replica.start_async()
        for replica in self.replicas:
            replica.await_healthy()

    def _start_balancer(self) -> None:
        servers = [(f"r{i}", f"127.0.0.1:{port}") for i, port in enumerate(self.replica_ports, 1)]
        config = self.root / "haproxy.cfg"
        socket = self.root / "haproxy.sock"
        config.write_text(haproxy_config(self.port, servers, socket), encoding="utf-8")
        command = [haproxy_binary(), "-f", str(config), "-db"]
        self.say(f"HAProxy on {self.url}")
        self._service("haproxy", command, f"{self.url}/_stcore/health").start(timeout=30)

    # ------------------------------------------------------------------ operations

    def replica(self, name: str) -> Service:
        """A replica by its name on the balancer (`r1`, `r2`: the value of its cookie)."""
        return self.replicas[int(name.removeprefix("r")) - 1]

    def balance_over(self, count: int) -> None:
        """Send new sessions to the first `count` replicas only (the others are put in
        maintenance through HAProxy's runtime API; nothing is stopped)."""
        for index in range(1, len(self.replicas) + 1):
            verb = "enable" if index <= count else "disable"
            self.balancer_command(f"{verb} server replicas/r{index}")

    def balancer_command(self, command: str) -> str:
        return haproxy_command(self.root / "haproxy.sock", command)

    # ------------------------------------------------------------------ life cycle

    def start(self) -> Cluster:
        self.root.mkdir(parents=True, exist_ok=True)
        # Run as root, PostgreSQL runs as its own user, who must be able to pass through.
        self.root.chmod(self.root.stat().st_mode | 0o111)
        try:
            self._start_postgres()
            self._start_chroma()
            self._start_model()
            self._build_index()
            self._start_replicas()
            self._start_balancer()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Everything down, the balancer first, PostgreSQL last (its data flushed)."""
        for name in ("haproxy", *(r.name for r in self.replicas), "model", "chroma"):
            service = self.services.get(name)
            if service is not None:
                service.stop()
        if self._postgres_started:
            self.postgres.down("fast")
            self._postgres_started = False

    def __enter__(self) -> Cluster:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()
