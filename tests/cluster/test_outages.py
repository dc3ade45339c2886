"""The shared servers go away under a live session: PostgreSQL restarted between two turns
and stopped while a reply is sent (it waits, then goes through), the model server down
(the community falls back to its scripted lines). All through HAProxy, in Chromium."""

from __future__ import annotations

import re
import threading

from playwright.sync_api import Page

from simulator.bench import Cluster
from simulator.store import SqlStore, StoredSession
from tests.cluster.conftest import ModelServer
from tests.e2e.test_full_sessions import play, start

REPLIES = [
    "Hi Julie, we're truly sorry. We're checking the outage now and will DM you. - Camille",
    "Julie, a fibre node is down in Villeurbanne; engineers are on it. Update at 6pm. - Camille",
    "Julie, the node is fixed and your line is back; a credit is on your bill. - Camille",
]


def stored(cluster: Cluster, link: str) -> StoredSession:
    found = re.search(r"[?&]s=([^&]+)", link)
    assert found is not None
    store = SqlStore.open(cluster.database_url)
    try:
        return store.get(found.group(1))
    finally:
        store.dispose()


def test_postgresql_restarts_under_a_session_and_it_goes_on(page: Page, cluster: Cluster) -> None:
    start(page, cluster, "en", "angry-customer")
    play(page, 1, REPLIES[0])

    cluster.postgres.down("fast")  # every replica's connections are cut
    cluster.postgres.up()
    play(page, 2, REPLIES[1])

    # Down while the reply is sent: the replica waits for the database, then stores it.
    cluster.postgres.down("fast")
    restart = threading.Timer(6, cluster.postgres.up)
    restart.start()
    try:
        play(page, 3, REPLIES[2])
    finally:
        restart.join()

    session = stored(cluster, page.url)
    assert [t.reply for t in session.turns] == REPLIES
    assert all(t.record is not None for t in session.turns) and session.summary.turn == 3


def _sources(session: StoredSession, turn: int) -> set[str]:
    """Where the community's posts after a turn came from: the model or the script."""
    events = session.state.events
    return {e.source for e in events if e.turn == turn and e.source in ("script", "voice")}


def test_a_model_server_that_is_down_leaves_the_scripted_lines(
    page: Page, cluster: Cluster, model_server: ModelServer
) -> None:
    start(page, cluster, "en", "angry-customer")
    play(page, 1, REPLIES[0])
    model_server.stop()
    try:
        play(page, 2, REPLIES[1])
    finally:
        model_server.start()

    session = stored(cluster, page.url)
    assert "voice" in _sources(session, 1)
    assert _sources(session, 2) == {"script"}
    # The replica logged each fallback, and its lines name the session.
    logs = "".join(replica.log.read_text(errors="replace") for replica in cluster.replicas)
    assert f"[session {session.id}]" in logs
