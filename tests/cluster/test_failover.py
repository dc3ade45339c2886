"""The bar of the scale-out: a replica dies under a browser and the session goes on.

Chromium plays two turns through HAProxy, the replica serving it is killed with SIGKILL,
the same page reconnects through the balancer to the other replica, which resumes the
session from the link, and the third turn is played there. Then a reply in flight that its
replica never stored (frozen, then killed) and one it stored ("saved") before it was
killed: both are still in the box on the other replica, and published again they are
played once. The shared PostgreSQL holds the five replies, each graded once.
"""

from __future__ import annotations

import os
import re
import signal
import time

from playwright.sync_api import Page, expect

from simulator.bench import Cluster
from simulator.store import SqlStore
from tests.e2e.test_full_sessions import play, publish, start

REPLIES = [
    "Hi Julie, we're truly sorry. We're checking the outage now and will DM you. - Camille",
    "Julie, a fibre node is down in Villeurbanne; engineers are on it. Update at 6pm. - Camille",
    "Julie, the node is fixed and your line is back; a credit is on your bill. - Camille",
    "Julie, thanks for your patience today; we're here if anything else comes up. - Camille",
    "Everyone in Villeurbanne: service is back; DM us if your box is still red. - Camille",
]


def serving(page: Page) -> str | None:
    """The replica the balancer pins this browser to (its sticky cookie: r1, r2)."""
    found = [c["value"] for c in page.context.cookies() if c["name"] == "CMSIM"]
    return found[0] if found else None


def wait_for_other_replica(page: Page, dead: str, timeout: float = 90) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        now = serving(page)
        if now is not None and now != dead:
            return now
        page.wait_for_timeout(500)
    raise AssertionError(f"the page was still pinned to {dead} after {timeout} s")


def publish_as_replica_dies(page: Page, cluster: Cluster, reply: str, freeze: bool) -> None:
    expect(page.get_by_test_id("stStatusWidget")).to_be_hidden(timeout=120_000)
    turn = int(re.findall(r"Turn (\d+) of", page.inner_text("body"))[0]) + 1
    name = serving(page)
    assert name is not None
    replica = cluster.replica(name)
    assert replica.proc is not None
    if freeze:
        os.kill(replica.proc.pid, signal.SIGSTOP)
    page.get_by_role("textbox").fill(reply)
    page.get_by_role("button", name="Publish").click()
    if not freeze:
        expect(page.get_by_text(f"Reply to turn {turn} saved.")).to_be_visible(timeout=60_000)
    replica.kill()
    try:
        wait_for_other_replica(page, name)
        # Streamlit's page does not rerun by itself after reconnecting mid-run: the words
        # are still in the box, and the trainee publishes again.
        expect(page.get_by_role("textbox")).to_have_value(reply)
        shown = page.get_by_text(re.compile(f"Turn {turn} of"))
        publish(page, "Publish", reply, shown)
        expect(shown).to_be_visible(timeout=120_000)
        if turn < len(REPLIES):  # after the last turn the form is gone
            # Played: the box is empty, so no second copy can be sent by mistake.
            expect(page.get_by_role("textbox")).to_have_value("", timeout=60_000)
    finally:
        replica.start()


def test_a_replica_killed_mid_session_hands_the_page_to_the_other(
    page: Page, cluster: Cluster
) -> None:
    start(page, cluster, "en", "angry-customer")
    for n, reply in enumerate(REPLIES[:2], start=1):
        play(page, n, reply)
    link = page.url
    first = serving(page)
    assert first in ("r1", "r2"), page.context.cookies()

    cluster.replica(first).kill()  # SIGKILL: no shutdown handler runs
    try:
        # Streamlit's page reconnects by itself; the balancer sends it to the live replica,
        # which runs the page from its link (and says what happened) at the next click.
        second = wait_for_other_replica(page, first)
        expect(page.get_by_text(re.compile("Turn 2 of"))).to_be_visible()
        shown = page.get_by_text(re.compile("Turn 3 of"))
        publish(page, "Publish", REPLIES[2], shown)
        expect(page.get_by_text("another one took over")).to_be_visible(timeout=30_000)
        expect(shown).to_be_visible(timeout=120_000)
        assert serving(page) == second
        assert page.url == link  # the same page, the same session
    finally:
        cluster.replica(first).start()

    # In flight, never stored: the replica is frozen (SIGSTOP) as Publish is pressed, then
    # killed. The reply is still in the box on the other replica; published again, once.
    publish_as_replica_dies(page, cluster, REPLIES[3], freeze=True)
    # In flight, stored ("saved"), its replica killed while grading: publishing again on
    # the other replica plays the stored reply, once, and stores no second copy.
    publish_as_replica_dies(page, cluster, REPLIES[4], freeze=False)

    store = SqlStore.open(cluster.database_url)
    try:
        session_id = re.search(r"[?&]s=([^&]+)", link)
        assert session_id is not None
        stored = store.get(session_id.group(1))
        assert [t.reply for t in stored.turns] == REPLIES
        assert [t.turn for t in stored.turns] == [1, 2, 3, 4, 5]
        assert all(t.record is not None for t in stored.turns)
        assert stored.summary.turn == 5 and len(stored.state.turns) == 5
    finally:
        store.dispose()
