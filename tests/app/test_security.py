"""Security defaults: XSRF protection on, secrets only from the environment or a git-ignored
secrets file, a Streamlit release without the known vulnerabilities (1.54 or newer)."""

from __future__ import annotations

import subprocess
import tomllib
from importlib.metadata import version

from packaging.version import Version

from simulator.paths import REPO_ROOT


def test_xsrf_protection_is_on_and_nothing_loosens_it() -> None:
    config = tomllib.loads((REPO_ROOT / ".streamlit" / "config.toml").read_text())
    server = config["server"]
    assert server["enableXsrfProtection"] is True
    assert server.get("enableCORS", True) is True
    assert config.get("global", {}).get("developmentMode", False) is False


def test_users_get_no_developer_toolbar() -> None:
    # "viewer" hides the Deploy button and the developer menu from everyone.
    config = tomllib.loads((REPO_ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["toolbarMode"] == "viewer"


def test_secrets_stay_out_of_the_repository() -> None:
    ignored = (REPO_ROOT / ".gitignore").read_text().splitlines()
    assert ".streamlit/secrets.toml" in ignored
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert not [p for p in tracked if p.endswith("secrets.toml") or p.endswith(".env")]


def test_streamlit_is_a_release_without_known_vulnerabilities() -> None:
    assert Version(version("streamlit")) >= Version("1.54")
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())
    pins = [d for d in project["project"]["dependencies"] if d.startswith("streamlit>")]
    assert pins == ["streamlit>=1.54,<2"]
