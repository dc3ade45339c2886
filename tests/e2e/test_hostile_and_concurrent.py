"""In Chromium: hostile text from a trainee is shown as text and never runs; markup from the
community model is refused before it reaches the page; five people play at once against
one server, each keeping their own turn."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from simulator.store import SqlStore
from tests.e2e.conftest import AppServer, server_env
from tests.e2e.test_full_sessions import publish, start
from tests.openai_stub import Behaviour, OpenAIStub

PAYLOADS = [
    '<img src=x onerror="window.__xss=1;alert(1)">',
    "<script>window.__xss=2;alert(2)</script>",
    "[click me](javascript:window.__xss=3)",
    '<svg onload="window.__xss=4">',
    '"><iframe srcdoc="<script>parent.__xss=5</script>"></iframe>',
]
ATTACK = "Hi Julie, sorry. " + " ".join(PAYLOADS)


def watch_dialogs(page: Page) -> list[str]:
    seen: list[str] = []

    def dismiss(dialog: object) -> None:
        seen.append(str(getattr(dialog, "message", "")))
        dialog.dismiss()  # type: ignore[attr-defined]

    page.on("dialog", dismiss)
    return seen


def assert_nothing_ran(page: Page, dialogs: list[str]) -> None:
    assert page.evaluate("() => window.__xss === undefined")
    assert not dialogs


def test_a_hostile_reply_is_shown_as_text_and_never_runs(page: Page, app_server: AppServer) -> None:
    dialogs = watch_dialogs(page)
    start(page, app_server, "en", "angry-customer")
    turn = page.get_by_text(re.compile("Turn 1 of"))
    publish(page, "Publish", ATTACK, turn)
    expect(turn).to_be_visible(timeout=120_000)
    expect(page.get_by_test_id("stStatusWidget")).to_be_hidden(timeout=120_000)
    expect(
        page.get_by_text("<script>window.__xss=2;alert(2)</script>", exact=False).first
    ).to_be_visible()
    assert page.locator("main img[src='x']").count() == 0
    assert page.locator("main a[href^='javascript']").count() == 0
    assert_nothing_ran(page, dialogs)
    # The server's XSRF protection is on: it hands the page its token cookie.
    assert any(c["name"] == "_streamlit_xsrf" for c in page.context.cookies())


@pytest.fixture
def hostile_model_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    """The app whose community model (an OpenAI-compatible server) answers with markup."""
    with OpenAIStub() as stub:
        stub.state.default = Behaviour(
            text="Franchement toujours rien chez moi <img src=x onerror=window.__xss=9> "
            "et <script>window.__xss=8</script> on attend quoi exactement ?"
        )
        database = tmp_path_factory.mktemp("hostile") / "cm-sim.db"
        env = {
            **server_env(database),
            "CM_SIM_PROVIDER": "openai",
            "CM_SIM_BASE_URL": stub.base_url,
            "CM_SIM_API_KEY": "test-key",
            "CM_SIM_MODEL": "stub-model",
        }
        server = AppServer(env, database)
        server.start()
        try:
            yield server
        finally:
            server.stop()


def test_hostile_model_output_is_shown_as_text_and_never_runs(
    page: Page, hostile_model_server: AppServer
) -> None:
    dialogs = watch_dialogs(page)
    start(page, hostile_model_server, "fr", "angry-customer")
    turn = page.get_by_text(re.compile("Tour 1 sur"))
    publish(page, "Publier", "Bonjour Julie, désolés, on regarde et on vous écrit en MP.", turn)
    expect(turn).to_be_visible(timeout=120_000)
    expect(page.get_by_test_id("stStatusWidget")).to_be_hidden(timeout=120_000)
    # The validators refuse markup in a post ("formatted like a document"): the scripted
    # line stands in, so the markup never reaches the page, as text or otherwise.
    assert page.get_by_text("window.__xss", exact=False).count() == 0
    assert page.locator("main img[src='x'], main script").count() == 0
    assert_nothing_ran(page, dialogs)
    assert hostile_model_server.database is not None
    store = SqlStore.at_path(hostile_model_server.database)
    [summary] = store.list()
    state = store.get(summary.id).state
    answers = [e for e in state.events if e.turn == 1 and e.source in ("voice", "script")]
    assert answers and all(e.source == "script" for e in answers)
    store.dispose()


def test_five_people_play_at_once_on_one_server(browser: Browser, app_server: AppServer) -> None:
    pages = [browser.new_context().new_page() for _ in range(5)]
    for page in pages:
        start(page, app_server, "en", "viral-crisis")
    texts = [
        f"We're investigating with the Part-Dieu team, update at 8pm. (person {n})"
        for n in range(5)
    ]
    for page, text in zip(pages, texts, strict=True):
        expect(page.get_by_test_id("stStatusWidget")).to_be_hidden(timeout=120_000)
        box = page.get_by_role("textbox")
        expect(box).to_be_visible(timeout=60_000)  # as in publish(): a busy machine draws late
        box.fill(text)
        expect(box).to_have_value(text)
    # All five publish before any page is checked: the server plays them together.
    for page in pages:
        page.get_by_role("button", name="Publish").click(timeout=60_000)
    for page, text in zip(pages, texts, strict=True):
        expect(page.get_by_text(re.compile("Turn 1 of"))).to_be_visible(timeout=180_000)
        expect(page.get_by_text(text).first).to_be_visible()
        for other in texts:
            if other != text:
                assert page.get_by_text(other).count() == 0
    assert app_server.database is not None
    store = SqlStore.at_path(app_server.database)
    mine = {s.id: store.get(s.id) for s in store.list() if s.scenario_id == "viral-crisis"}
    replies = sorted(
        t.reply for stored in mine.values() for t in stored.turns if "(person" in t.reply
    )
    assert replies == sorted(texts)
    store.dispose()
    for page in pages:
        page.context.close()
