"""The load balancer in front of the replicas: HAProxy from Debian's package, its
configuration written here so that the launcher, the tests and deploy/ agree on it."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

from simulator.errors import ConfigError

COOKIE = "CMSIM"


def haproxy_binary() -> str:
    # Debian installs it in /usr/sbin, which a non-root PATH may not hold.
    found = shutil.which("haproxy") or shutil.which("haproxy", path="/usr/sbin")
    if found is None:
        raise ConfigError("haproxy is not installed (make cluster installs Debian's haproxy)")
    return found


def haproxy_config(
    port: int,
    servers: list[tuple[str, str]],
    admin_socket: Path | None = None,
    check_s: float = 1.0,
) -> str:
    """A configuration for `servers` (name, host:port) behind 127.0.0.1:`port`, with the
    runtime API on `admin_socket` (to take a replica out of the rotation).

    Sticky sessions by cookie keep a browser's websocket and its page requests on one
    replica; `redispatch` sends a request pinned to a dead replica to a live one, which
    resumes the session from the store; the health check is Streamlit's own endpoint.
    """
    inter = f"{int(check_s * 1000)}ms"
    lines = [
        "global",
        "    maxconn 4096",
        *([f"    stats socket {admin_socket} mode 600 level admin"] if admin_socket else []),
        "defaults",
        "    mode http",
        "    option httplog",
        "    timeout connect 5s",
        "    timeout client 1h",
        "    timeout server 1h",
        "    # websockets stay open for the whole session",
        "    timeout tunnel 1h",
        "    retries 3",
        "    option redispatch 1",
        "frontend app",
        f"    bind 127.0.0.1:{port}",
        "    default_backend replicas",
        "backend replicas",
        "    balance roundrobin",
        f"    cookie {COOKIE} insert indirect nocache httponly",
        "    option httpchk GET /_stcore/health",
        "    http-check expect status 200",
    ]
    for name, address in servers:
        lines.append(f"    server {name} {address} check inter {inter} fall 2 rise 1 cookie {name}")
    return "\n".join(lines) + "\n"


def haproxy_command(admin_socket: Path, command: str) -> str:
    """One command on HAProxy's runtime API (`disable server replicas/r2`); its answer."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        connection.settimeout(5)
        connection.connect(str(admin_socket))
        connection.sendall(command.encode() + b"\n")
        answer = b""
        while chunk := connection.recv(4096):
            answer += chunk
    said = answer.decode(errors="replace").strip()
    if said and not said.startswith(("#", "Done")) and "\n" not in said:
        raise ConfigError(f"haproxy refused {command!r}: {said}")
    return said
