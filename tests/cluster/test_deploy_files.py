"""deploy/ is what people run with containers: its HAProxy configuration passes HAProxy's
own check and behaves like the launcher's (sticky cookie, health check, redispatch,
websockets), and compose.yaml names only settings the app knows."""

from __future__ import annotations

import subprocess
from pathlib import Path

import yaml

from simulator.bench import haproxy_binary, haproxy_config
from simulator.config import Settings, env_name

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
# What the failover relies on, in the launcher's configuration and in deploy/'s alike.
BEHAVIOUR = (
    "cookie CMSIM insert indirect nocache httponly",
    "option redispatch 1",
    "retries 3",
    "timeout tunnel 1h",
    "option httpchk GET /_stcore/health",
    "http-check expect status 200",
)


def _check(config: Path) -> None:
    done = subprocess.run(
        [haproxy_binary(), "-c", "-f", str(config)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_launchers_configuration_passes_haproxys_check(tmp_path: Path) -> None:
    config = tmp_path / "haproxy.cfg"
    servers = [("r1", "127.0.0.1:9001"), ("r2", "127.0.0.1:9002")]
    config.write_text(haproxy_config(8600, servers, tmp_path / "admin.sock"))
    _check(config)
    text = config.read_text()
    for line in BEHAVIOUR:
        assert line in text
    assert "server r2 127.0.0.1:9002 check" in text and "cookie r2" in text


def test_deploys_configuration_passes_haproxys_check_and_behaves_alike() -> None:
    _check(DEPLOY / "haproxy.cfg")
    text = (DEPLOY / "haproxy.cfg").read_text()
    for line in BEHAVIOUR:
        assert line in text


def test_compose_runs_every_part_with_settings_the_app_knows() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert {"postgres", "chroma", "model", "index", "app", "lb"} <= set(services)
    assert services["app"]["deploy"]["replicas"] >= 2
    known = {env_name(field) for field in Settings.model_fields}
    for name in ("app", "index"):
        for key in services[name]["environment"]:
            assert key in known or key.startswith("STREAMLIT_"), key
    assert any("haproxy.cfg" in volume for volume in services["lb"]["volumes"])
    assert "/_stcore/health" in " ".join(services["app"]["healthcheck"]["test"])
    assert "--interrupt_requests" in services["model"]["command"]
