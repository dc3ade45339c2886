"""Nothing typed is lost: two turns in Chromium, the server killed with SIGKILL, restarted,
and the same link resumes the session with both turns; a third reply acknowledged just
before a kill is there too, played once the server is back."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from simulator.store import SqlStore
from tests.e2e.conftest import AppServer, server_env
from tests.e2e.test_full_sessions import play, publish, start

REPLIES = [
    "Hi Julie, we're truly sorry. We're checking the outage now and will DM you. - Camille",
    "Julie, a fibre node is down in Villeurbanne; engineers are on it. Update at 6pm. - Camille",
    "Third reply: sent, acknowledged, and then the server was killed. - Camille",
]


def test_a_session_survives_sigkill_and_resumes_from_its_link(page: Page, tmp_path: Path) -> None:
    database = tmp_path / "cm-sim.db"
    server = AppServer(server_env(database))
    server.start()
    try:
        start(page, server, "en", "angry-customer")
        for n, reply in enumerate(REPLIES[:2], start=1):
            play(page, n, reply)
        link = page.url
        assert "me=" in link and "s=" in link

        server.stop()  # SIGKILL: no shutdown handler runs
        server.start()
        page.goto(link)
        expect(page.get_by_text(re.compile("Turn 2 of"))).to_be_visible(timeout=120_000)
        for reply in REPLIES[:2]:
            expect(page.get_by_text(reply, exact=False).first).to_be_visible()

        # A reply acknowledged ("saved") and the server killed at once.
        publish(page, "Publish", REPLIES[2], page.get_by_text(re.compile("Turn 3 of")))
        expect(page.get_by_text("Reply to turn 3 saved.")).to_be_visible(timeout=60_000)
        server.stop()
        server.start()
        page.goto(link)
        expect(page.get_by_text(re.compile("Turn 3 of"))).to_be_visible(timeout=120_000)
        expect(page.get_by_text(REPLIES[2], exact=False).first).to_be_visible()
    finally:
        server.stop()

    store = SqlStore.at_path(database)
    [summary] = store.list()
    stored = store.get(summary.id)
    assert [t.reply for t in stored.turns] == REPLIES
    assert all(t.record is not None for t in stored.turns) and stored.summary.turn == 3
    store.dispose()
