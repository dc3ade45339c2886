"""The knowledge index on a Chroma server, built once: two builders started together on
different machines (here: different data folders, so no shared file lock) are serialised
by the PostgreSQL database they share, and the second finds nothing left to embed."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from simulator.bench import Service, chroma_command, free_port


def test_two_builders_on_one_chroma_server_embed_once(postgres_url: str, tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    chroma = Service(
        "chroma", chroma_command(tmp_path / "chroma", port), dict(os.environ),
        tmp_path / "chroma.log", f"{url}/api/v2/heartbeat",
    )  # fmt: skip
    chroma.start(timeout=120)
    try:
        builders = []
        for name in ("a", "b"):
            env = {
                **os.environ,
                "CM_SIM_CHROMA_URL": url,
                "CM_SIM_DATABASE_URL": postgres_url,
                "CM_SIM_DATA_DIR": tempfile.mkdtemp(prefix=f"cm-sim-machine-{name}-"),
            }
            command = [str(Path(sys.executable).parent / "cm-sim"), "index"]
            builders.append(
                subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            )
        said = []
        for builder in builders:
            out, _ = builder.communicate(timeout=600)
            assert builder.returncode == 0, out.decode()[-2000:]
            said.append(out.decode().splitlines()[-1])
    finally:
        chroma.stop()
    added = sorted(int(line.split("index: ")[1].split(" added")[0]) for line in said)
    assert added[0] == 0 and added[1] > 2000, said
