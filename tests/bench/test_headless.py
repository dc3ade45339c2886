"""Headless tabs speak Streamlit's websocket protocol: the field numbers match the installed
streamlit.proto, a silent server times out with what was awaited, and four sessions play two
turns each through one real server, every reply stored in its own session, graded once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.sync.server import Server, ServerConnection, serve

from simulator.bench import (
    PROTOCOL_NUMBERS,
    HeadlessError,
    HeadlessPage,
    make_links,
    run_web_load,
)
from simulator.store import SqlStore
from tests.e2e.conftest import AppServer, server_env


def test_every_protocol_number_matches_the_installed_streamlit() -> None:
    # BackMsg_pb2 and ForwardMsg_pb2 load every message they carry into one pool.
    pool = ForwardMsg.DESCRIPTOR.file.pool
    assert BackMsg.DESCRIPTOR.file.pool is pool
    for name, number in PROTOCOL_NUMBERS.items():
        message, member = name.split(".")
        found = pool.FindMessageTypeByName(message)
        if member in found.fields_by_name:
            assert found.fields_by_name[member].number == number, name
        else:
            assert found.enum_values_by_name[member].number == number, name


class SilentApp:
    """A websocket server that keeps what it is sent and never answers."""

    def __init__(self) -> None:
        self.received: list[bytes] = []
        self.subprotocols: list[str | None] = []
        self.server: Server = serve(self._handle, "127.0.0.1", 0, subprotocols=["streamlit"])
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.socket.getsockname()[1]}"

    def _handle(self, connection: ServerConnection) -> None:
        assert connection.request is not None and connection.request.path == "/_stcore/stream"
        self.subprotocols.append(connection.subprotocol)
        for message in connection:
            self.received.append(message if isinstance(message, bytes) else message.encode())


def test_opening_sends_the_browsers_first_rerun_and_a_silent_server_times_out() -> None:
    app = SilentApp()
    try:
        with HeadlessPage(timeout_s=0.5) as tab, pytest.raises(HeadlessError) as raised:
            tab.open(app.url, "practice?me=tok&s=abc&lang=en")
    finally:
        app.server.shutdown()
    assert "no end of the first run of /practice?me=tok&s=abc&lang=en within 0.5 s" in str(
        raised.value
    )
    assert app.subprotocols == ["streamlit"]
    [sent] = app.received
    message = BackMsg.FromString(sent)
    assert message.WhichOneof("type") == "rerun_script"
    assert message.rerun_script.query_string == "me=tok&s=abc&lang=en"
    assert message.rerun_script.page_name == "practice"
    assert not message.rerun_script.widget_states.widgets


def _store(server: AppServer) -> SqlStore:
    assert server.database is not None
    return SqlStore.at_path(Path(server.database))


@pytest.fixture(scope="module")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    """One server for the module, warmed up by one turn: a fresh server builds its knowledge
    index (Chroma client, BM25 stems) lazily at its first grading, and first gradings at once
    race there (IndexError in the shared stemmer, KeyError in chromadb's client cache)."""
    database = tmp_path_factory.mktemp("web") / "cm-sim.db"
    server = AppServer(server_env(database), database)
    server.start()
    try:
        store = _store(server)
        warm = run_web_load(server.url, make_links(store, server.url, 1), turns=1, timeout_s=60)
        store.dispose()
        assert warm.errors == 0, warm.first_errors
        yield server
    finally:
        server.stop()


@pytest.mark.slow
def test_four_headless_sessions_play_two_turns_each_through_the_server(
    app_server: AppServer,
) -> None:
    store = _store(app_server)
    links = make_links(store, app_server.url, 4)
    report = run_web_load(app_server.url, links, turns=2, timeout_s=75)

    assert report.errors == 0, report.first_errors
    assert report.sessions == 4 and report.turns == 8
    assert report.turn_p95_s >= report.turn_p50_s > 0
    assert report.turns_per_s == pytest.approx(8 / report.wall_s, abs=0.01)
    assert [run.session_id for run in report.runs] == [
        parse_qs(urlsplit(link).query)["s"][0] for link in links
    ]
    for run in report.runs:
        stored = store.get(run.session_id)
        assert [turn.reply for turn in stored.turns] == run.sent
        assert [f"[{run.session_id} t1]", f"[{run.session_id} t2]"] == [
            reply[reply.index("[") :] for reply in run.sent
        ]
        assert all(turn.record is not None for turn in stored.turns)
        assert stored.summary.turn == 2 and len(stored.state.turns) == 2
        assert stored.pending is None
    store.dispose()


@pytest.mark.slow
def test_a_wrong_label_or_page_says_what_is_there(app_server: AppServer) -> None:
    store = _store(app_server)
    [link] = make_links(store, app_server.url, 1, lang_mix=False)
    store.dispose()
    with HeadlessPage(timeout_s=60) as tab:
        tab.open(app_server.url, link.removeprefix(f"{app_server.url}/"))
        assert any(text.startswith("Turn 0 of") for text in tab.texts())
        field = next(w.label for w in tab.widgets().values() if w.kind == "text_area")
        with pytest.raises(HeadlessError, match=r"no button labelled 'Send'.*\['Publish'\]"):
            tab.submit_form(field, "A reply", "Send")
        with pytest.raises(HeadlessError, match="no page 'no-such-page'"):
            tab.open(app_server.url, "no-such-page")
