"""A PostgreSQL server of our own on loopback: Debian's binaries, a fresh cluster in a
folder, started, restarted and stopped on demand. The cluster launcher and the store tests
use it; nothing here is needed where PostgreSQL already runs as a service."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import time
from pathlib import Path

from sqlalchemy import create_engine, text

from simulator.errors import ConfigError


def pg_bin(name: str) -> str | None:
    """Debian keeps the server binaries out of PATH, under /usr/lib/postgresql/N/bin."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    return candidates[-1] if candidates else None


class PgServer:
    """One cluster in `root` (data, sockets, log), serving database `cmsim` on `port`."""

    def __init__(self, root: Path, port: int) -> None:
        self.root = root
        self.port = port
        self.data = root / "data"
        self.sockets = root / "sockets"
        self.log = root / "server.log"
        self.user: str | None = None
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/cmsim"

    def why_not(self) -> str | None:
        """Why no server can run here, or None when it can."""
        if pg_bin("initdb") is None or pg_bin("pg_ctl") is None:
            return "PostgreSQL server binaries not found (make test installs Debian's postgresql)"
        if os.geteuid() == 0:
            # initdb refuses to run as root: run the cluster as Debian's `postgres` user.
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                return "running as root and there is no 'postgres' user to own the cluster"
            self.user = "postgres"
        return None

    def _run(self, *args: str) -> None:
        command = list(args)
        if self.user is not None:
            command = ["runuser", "-u", self.user, "--", *command]
        done = subprocess.run(command, capture_output=True, timeout=120, check=False)
        if done.returncode != 0:
            said = (done.stderr or done.stdout).decode(errors="replace").strip()
            raise ConfigError(f"{Path(args[0]).name} failed: {said[-400:]}")

    def _reachable(self) -> bool:
        assert self.user is not None
        probe = ["runuser", "-u", self.user, "--", "test", "-w", str(self.root)]
        return subprocess.run(probe, capture_output=True, check=False).returncode == 0

    def _pg_ctl(self, *args: str) -> None:
        pg_ctl = pg_bin("pg_ctl")
        if pg_ctl is None:
            raise ConfigError("pg_ctl not found")
        self._run(pg_ctl, "-D", str(self.data), *args)

    def start(self) -> None:
        """A new cluster (or the one already in `root`), started, with database `cmsim`."""
        reason = self.why_not()
        if reason is not None:
            raise ConfigError(reason)
        fresh = not (self.data / "PG_VERSION").exists()
        self.sockets.mkdir(parents=True, exist_ok=True)
        if self.user is not None:
            shutil.chown(self.root, self.user)
            shutil.chown(self.sockets, self.user)
            if not self._reachable():
                raise ConfigError(
                    f"the {self.user} user cannot reach {self.root} (a parent folder is "
                    "private): choose a folder under a public one, such as /tmp or the repo"
                )
        if fresh:
            initdb = pg_bin("initdb")
            assert initdb is not None
            self._run(initdb, "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        self.up()
        if fresh:
            self._create_database()

    def up(self) -> None:
        """Start the server on an existing cluster and wait until it accepts connections."""
        options = f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1"
        self._pg_ctl("-l", str(self.log), "-o", options, "-w", "start")

    def down(self, mode: str = "fast") -> None:
        """Stop the server (`immediate`: as if killed; `fast`: sessions cut, data flushed)."""
        self._pg_ctl("-m", mode, "-w", "stop")

    def _create_database(self) -> None:
        admin = create_engine(
            f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres",
            isolation_level="AUTOCOMMIT",
        )
        deadline = time.monotonic() + 30
        try:
            while True:
                try:
                    with admin.connect() as connection:
                        connection.execute(text("CREATE DATABASE cmsim"))
                    return
                except Exception:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.5)
        finally:
            admin.dispose()

    def stop(self) -> None:
        if pg_bin("pg_ctl") and (self.data / "postmaster.pid").exists():
            self.down("immediate")
