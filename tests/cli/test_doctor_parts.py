"""`cm-sim doctor`'s parts against real services: a SQLite store, a PostgreSQL server, a
persistent Chroma index, the OpenAI-compatible stub, a real LRS (ralph), and closed loopback
ports for what does not answer."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from simulator.bench import check_parts
from simulator.cli import app
from simulator.config import load_settings
from simulator.content import LANGS, Lang
from simulator.knowledge import ChromaKnowledgeBase, Embedder, KnowledgeContent
from simulator.store import SqlStore, head_revision
from tests.lrs_server import LrsServer
from tests.net import free_port
from tests.openai_stub import OpenAIStub

runner = CliRunner()


def closed_url(scheme: str = "http", path: str = "") -> str:
    """A loopback URL nothing listens on: connecting is refused at once."""
    return f"{scheme}://127.0.0.1:{free_port()}{path}"


def parts() -> dict[str, dict[str, Any]]:
    return check_parts(load_settings())


@pytest.fixture(autouse=True)
def _own_data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The index and the default SQLite file under the test's folder, never the repo's."""
    data = tmp_path / "data"
    monkeypatch.setenv("CM_SIM_DATA_DIR", str(data))
    for name in ("CM_SIM_CHROMA_URL", "CM_SIM_LRS_URL", "CM_SIM_LRS_USER", "CM_SIM_LRS_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    return data


@pytest.fixture
def sqlite_db(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "store.db"
    store = SqlStore.at_path(path)
    monkeypatch.setenv("CM_SIM_DATABASE_URL", f"sqlite:///{path}")
    yield path
    store.dispose()


def fill_index(data: Path, langs: tuple[Lang, ...] = LANGS) -> None:
    """A persistent Chroma index with one vector in each collection the app reads (as
    `cm-sim index` names them), without building the real one (minutes of embedding)."""
    kb = ChromaKnowledgeBase(
        content=KnowledgeContent(cards=[], articles=[]),
        path=data / "chroma",
        embedder=Embedder(load_settings().embedding_model),
    )
    for lang in langs:
        for name in kb.embedder.names:
            collection = kb.client.get_or_create_collection(kb.collection_name(lang, name))
            collection.add(ids=["doc"], embeddings=[[0.0, 1.0]], documents=["text"])


@pytest.fixture
def index(_own_data_dir: Path) -> Path:
    fill_index(_own_data_dir)
    return _own_data_dir / "chroma"


@pytest.fixture
def served_stub(stub: OpenAIStub, monkeypatch: pytest.MonkeyPatch) -> OpenAIStub:
    """The stub as the `openai` provider, also answering `GET /v1/models` (llama.cpp's
    server does; the stub itself only answers chat completions)."""

    def do_GET(handler: BaseHTTPRequestHandler) -> None:
        found = handler.path.rstrip("/").endswith("/models")
        body = json.dumps({"object": "list", "data": [{"id": "stub-model", "object": "model"}]})
        handler.send_response(200 if found else 404)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body.encode())

    # The handler class is made for this stub alone: nothing outlives the test.
    monkeypatch.setattr(stub.server.RequestHandlerClass, "do_GET", do_GET, raising=False)
    monkeypatch.setenv("CM_SIM_PROVIDER", "openai")
    return stub


def assert_down(part: dict[str, Any], *words: str) -> None:
    assert part["ok"] is False, part
    assert part["error"] and "\n" not in part["error"], part
    for word in words:
        assert word in part["error"], part


# ---------------------------------------------------------------------------- database


def test_a_sqlite_store_is_reachable_at_the_schema_head(sqlite_db: Path) -> None:
    database = parts()["database"]
    assert database["ok"] is True, database
    assert database["target"] == f"sqlite:///{sqlite_db}"
    assert database["revision"] == database["head"] == head_revision()
    assert "schema at head" in database["detail"]
    assert database["latency_s"] >= 0


def test_a_missing_sqlite_file_is_down_and_is_not_created(_own_data_dir: Path) -> None:
    missing = _own_data_dir / "nothing-here.db"
    database = check_parts(load_settings(database_url=f"sqlite:///{missing}"))["database"]
    assert_down(database, "does not exist")
    assert not missing.exists() and not _own_data_dir.exists()


def test_a_postgresql_server_is_reachable_at_the_schema_head(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    SqlStore.open(postgres_url).dispose()  # migrated, as the app leaves it
    monkeypatch.setenv("CM_SIM_DATABASE_URL", postgres_url)
    database = parts()["database"]
    assert database["ok"] is True, database
    assert database["revision"] == head_revision()


def test_an_unreachable_postgresql_is_down_and_its_password_hidden(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = f"postgresql://cm:s3cret-pw@127.0.0.1:{free_port()}/cmsim"
    monkeypatch.setenv("CM_SIM_DATABASE_URL", url)
    found = parts()
    assert_down(found["database"], "refused")
    assert found["database"]["target"].startswith("postgresql://cm:***@127.0.0.1:")
    assert "s3cret-pw" not in json.dumps(found)


# ---------------------------------------------------------------------------- index


def test_an_index_not_built_says_so_and_is_not_created(_own_data_dir: Path) -> None:
    assert_down(parts()["index"], "run cm-sim index")
    assert not (_own_data_dir / "chroma").exists()


def test_a_built_index_reports_its_collections(index: Path) -> None:
    part = parts()["index"]
    assert part["ok"] is True, part
    assert part["target"] == str(index)
    assert len(part["collections"]) == len(LANGS) and set(part["collections"].values()) == {1}


def test_an_index_missing_a_language_is_down(_own_data_dir: Path) -> None:
    fill_index(_own_data_dir, langs=("fr",))
    assert_down(parts()["index"], "_en_", "run cm-sim index")


def test_an_unreachable_chroma_server_is_down(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CM_SIM_CHROMA_URL", closed_url())
    assert_down(parts()["index"])


# ---------------------------------------------------------------------------- model server


def test_the_openai_stub_lists_its_models_without_generating(served_stub: OpenAIStub) -> None:
    server = parts()["model_server"]
    assert server["ok"] is True, server
    assert server["target"] == f"{served_stub.base_url}/models"
    assert server["models"] == ["stub-model"]
    assert served_stub.state.requests == []  # no chat completion was asked for


@pytest.mark.parametrize("provider", ["openai", "ollama"])
def test_an_unreachable_model_server_is_down(
    provider: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CM_SIM_PROVIDER", provider)
    monkeypatch.setenv("CM_SIM_BASE_URL", closed_url(path="/v1"))
    monkeypatch.setenv("CM_SIM_OLLAMA_URL", closed_url())
    assert_down(parts()["model_server"])


def test_the_fake_provider_runs_in_process() -> None:
    server = parts()["model_server"]
    assert (server["ok"], server["target"], server["detail"]) == (True, "in-process", "in-process")


# ---------------------------------------------------------------------------- lrs


def _use_lrs(monkeypatch: pytest.MonkeyPatch, url: str, user: str, password: str) -> None:
    monkeypatch.setenv("CM_SIM_LRS_URL", url)
    monkeypatch.setenv("CM_SIM_LRS_USER", user)
    monkeypatch.setenv("CM_SIM_LRS_PASSWORD", password)


def test_no_lrs_is_not_configured() -> None:
    assert parts()["lrs"] == {
        "ok": None,
        "target": None,
        "latency_s": 0.0,
        "detail": "not configured",
    }


def test_a_real_lrs_is_reachable_with_its_credentials(
    lrs: LrsServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    _use_lrs(monkeypatch, lrs.url, lrs.user, lrs.password)
    part = parts()["lrs"]
    assert part["ok"] is True, part
    assert part["target"] == lrs.url
    assert "credentials accepted" in part["detail"]


def test_a_real_lrs_refusing_the_password_is_down(
    lrs: LrsServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    _use_lrs(monkeypatch, lrs.url, lrs.user, "not-the-password")
    found = parts()
    assert_down(found["lrs"], "401")
    assert "not-the-password" not in json.dumps(found)


def test_an_unreachable_lrs_is_down(monkeypatch: pytest.MonkeyPatch) -> None:
    _use_lrs(monkeypatch, closed_url(path="/xAPI/"), "cm-sim", "pw")
    assert_down(parts()["lrs"])


def test_a_part_that_never_answers_is_down_at_the_deadline(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A socket that listens but never answers: the connection opens, no reply comes.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        _use_lrs(monkeypatch, f"http://127.0.0.1:{port}/xAPI/", "cm-sim", "pw")
        found = check_parts(load_settings(), deadline_s=0.5)
    assert_down(found["lrs"], "no answer within 0.5 s")


# ---------------------------------------------------------------------------- the command


def test_doctor_json_keeps_its_keys_and_adds_the_parts(sqlite_db: Path, index: Path) -> None:
    result = runner.invoke(app, ["doctor", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert {"provider", "model", "answers", "local_models", "parts"} <= set(report)
    assert report["answers"] is True
    assert [report["parts"][name]["ok"] for name in ("database", "index", "model_server")] == [
        True,
        True,
        True,
    ]
    assert report["parts"]["lrs"]["ok"] is None


def test_doctor_no_answer_asks_no_model(
    served_stub: OpenAIStub, sqlite_db: Path, index: Path
) -> None:
    result = runner.invoke(app, ["doctor", "--json", "--no-answer"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["answers"] is None
    assert report["parts"]["model_server"]["ok"] is True
    assert served_stub.state.requests == []


def test_doctor_exits_1_when_a_configured_part_is_down(
    index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CM_SIM_DATABASE_URL", f"postgresql://cm@127.0.0.1:{free_port()}/cmsim")
    result = runner.invoke(app, ["doctor", "--json", "--no-answer"])
    assert result.exit_code == 1, result.output
    assert json.loads(result.stdout)["parts"]["database"]["ok"] is False
    text = runner.invoke(app, ["doctor", "--no-answer"])
    assert text.exit_code == 1
    lines = {line.split(":")[0].strip(): line for line in text.stdout.splitlines()}
    assert "DOWN" in lines["database"] and " ok " in lines["index"]
    assert lines["lrs"].split()[1] == "-"


def test_doctor_exits_1_when_the_model_does_not_answer(
    served_stub: OpenAIStub, sqlite_db: Path, index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.openai_stub import Behaviour

    monkeypatch.setenv("CM_SIM_TIMEOUT_S", "5")
    served_stub.state.default = Behaviour(status=500)
    result = runner.invoke(app, ["doctor", "--json"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert report["answers"] is False
    assert report["parts"]["model_server"]["ok"] is True  # reachable, but it does not answer
