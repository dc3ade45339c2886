"""A throwaway PostgreSQL server on loopback for the store tests: Debian's binaries (that
`make test` installs), a fresh cluster in a temporary directory, stopped at the end."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import time
from pathlib import Path

from sqlalchemy import create_engine, text


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
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        self.sockets.mkdir(parents=True)
        if self.user is not None:
            shutil.chown(self.root, self.user)
            shutil.chown(self.sockets, self.user)
        initdb, pg_ctl = pg_bin("initdb"), pg_bin("pg_ctl")
        assert initdb and pg_ctl
        self._run(initdb, "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        options = f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1"
        self._run(pg_ctl, "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start")
        admin = create_engine(
            f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres",
            isolation_level="AUTOCOMMIT",
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                with admin.connect() as connection:
                    connection.execute(text("CREATE DATABASE cmsim"))
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        admin.dispose()

    def stop(self) -> None:
        pg_ctl = pg_bin("pg_ctl")
        if pg_ctl and self.data.exists():
            self._run(pg_ctl, "-D", str(self.data), "-m", "immediate", "stop")
