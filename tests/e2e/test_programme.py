"""A training programme in a real browser against the real server and a real LRS: a trainer
creates a cohort with two assignments, two students join with the code and play, the trainer
sees both on the dashboard and overrides one criterion with a reason, the student sees the
trainer's grade and comment, the gradebook CSV holds both grades, and the LRS holds every
statement of the run, including those written while it was stopped."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from simulator.content import get_scenario
from simulator.store import SqlStore, XapiOutboxRow, create_staff
from tests.e2e.conftest import AppServer, server_env, sign_in
from tests.e2e.test_full_sessions import TEXT, play_to_the_end
from tests.lrs_server import LrsServer

PASSWORD = "a long enough password"
SCENARIOS = ["angry-customer", "viral-crisis"]


@pytest.fixture
def programme(tmp_path: Path, lrs: LrsServer) -> Iterator[tuple[AppServer, SqlStore]]:
    database = tmp_path / "programme.db"
    store = SqlStore.at_path(database)
    create_staff(store, "trainer@school.example", PASSWORD, "trainer")
    env = server_env(database) | {
        "CM_SIM_LRS_URL": lrs.url,
        "CM_SIM_LRS_USER": lrs.user,
        "CM_SIM_LRS_PASSWORD": lrs.password,
    }
    server = AppServer(env, database)
    server.start()
    try:
        yield server, store
    finally:
        server.stop()
        lrs.start()  # the session's LRS stays up for the tests after this one
        store.dispose()


def settle(page: Page) -> None:
    expect(page.get_by_test_id("stStatusWidget")).to_be_hidden(timeout=120_000)


def create_cohort_in_the_browser(page: Page, server: AppServer) -> str:
    sign_in(page, f"{server.url}/trainer?lang=en", "trainer@school.example", PASSWORD)
    page.get_by_text("New cohort").click()
    page.get_by_label("Cohort name").fill("Promo e2e")
    page.locator(".st-key-new_cohort_lang").get_by_text("en", exact=True).click()
    for scenario_id in SCENARIOS:
        # Typed and picked as a user does: the list filters on what is typed.
        title = get_scenario(scenario_id).title.get("en")
        box = page.locator(".st-key-new_cohort_scenarios input")
        box.click()
        box.press_sequentially(title[:12])
        page.get_by_role("option", name=title).click()
        page.keyboard.press("Escape")
        settle(page)
    page.locator(".st-key-due-on-viral-crisis label").click()
    settle(page)
    page.locator(".st-key-create-cohort button").click()
    expect(page.get_by_text("Cohort created with 30 seats")).to_be_visible(timeout=60_000)
    return page.get_by_test_id("stCode").first.inner_text().strip()


def join_and_play(browser: Browser, server: AppServer, code: str, name: str) -> Page:
    page = browser.new_context().new_page()
    page.goto(f"{server.url}/?join={code}&lang=en")
    page.get_by_label("Your name (shown to your trainer)").fill(name)
    page.get_by_role("button", name="Join the class").click()
    expect(page.get_by_text("Welcome to Promo e2e!")).to_be_visible(timeout=60_000)
    page.get_by_role("button", name="See my assignments").click()
    expect(page.get_by_text("Your assignments · Promo e2e")).to_be_visible(timeout=60_000)
    page.locator(".st-key-assignment-start-angry-customer button").click()
    title = get_scenario("angry-customer").title.get("en")
    expect(page.get_by_role("heading", name=title)).to_be_visible(timeout=180_000)
    play_to_the_end(page, "en", "angry-customer")
    return page


def outbox(store: SqlStore) -> list[XapiOutboxRow]:
    with store.session() as orm:
        return list(orm.scalars(select(XapiOutboxRow).order_by(XapiOutboxRow.id)).all())


def test_a_whole_programme_in_the_browser_with_its_learning_records(
    browser: Browser, programme: tuple[AppServer, SqlStore], lrs: LrsServer, tmp_path: Path
) -> None:
    server, store = programme
    trainer = browser.new_context().new_page()
    code = create_cohort_in_the_browser(trainer, server)

    # The LRS goes down while the first student plays: nothing is lost, nothing waits.
    lrs.stop()
    stopped_at = time.time()
    ana = join_and_play(browser, server, code, "Ana")
    written_while_down = len(outbox(store))
    assert written_while_down > 0
    lrs.start()
    ben = join_and_play(browser, server, code, "Ben")

    # The trainer sees both students and overrides one criterion with a reason.
    trainer.get_by_role("link", name="Trainers").click()  # a rerun: still signed in
    expect(trainer.get_by_text("2 of 30 seats taken", exact=False)).to_be_visible(timeout=60_000)
    table = trainer.get_by_test_id("stDataFrame").first
    expect(table).to_contain_text("Ana", timeout=30_000)
    expect(table).to_contain_text("Ben")
    trainer.get_by_label("Your grade (0-100)").fill("95")
    trainer.get_by_label("Reason (kept in the audit trail)").fill("Warm and precise: a 5.")
    trainer.get_by_label("Comment to the student (shown in their debrief)").fill(
        "Great tone, keep the 6pm promise only if you can keep it."
    )
    trainer.get_by_role("button", name="Save the grade").click()
    expect(trainer.get_by_text("🧑‍🏫 95", exact=False).first).to_be_visible(timeout=60_000)

    # The gradebook holds the machine grade and the trainer's, with the reason.
    with trainer.expect_download() as download:
        trainer.get_by_role("button", name="Download the gradebook (CSV)").click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text("utf-8"))))
    assert {row["student"] for row in rows} >= {"Ana", "Ben"}
    overridden = [row for row in rows if row["trainer"]]
    assert len(overridden) == 1 and overridden[0]["student"] == "Ana"
    assert float(overridden[0]["trainer"]) == 95 and overridden[0]["machine"]
    assert overridden[0]["reason"] == "Warm and precise: a 5."

    # The student sees the trainer's grade and comment in Debrief, marked as the trainer's.
    ana.get_by_role("button", name=TEXT["en"]["debrief"]).click()
    expect(ana.get_by_text("Your trainer's review")).to_be_visible(timeout=60_000)
    expect(ana.get_by_text("Trainer's grade for", exact=False)).to_be_visible()
    expect(ana.get_by_text("keep the 6pm promise", exact=False)).to_be_visible()
    ben.get_by_role("button", name=TEXT["en"]["debrief"]).click()
    expect(ben.get_by_role("heading", name="Debrief", exact=True)).to_be_visible(timeout=60_000)
    expect(ben.get_by_text("Your trainer's review")).to_have_count(0)

    # Every statement of the run reaches the LRS (the background retry delivers those
    # written while it was down), once each, in the order they were written.
    deadline = time.monotonic() + 120
    while any(row.sent_at is None for row in outbox(store)) and time.monotonic() < deadline:
        time.sleep(1)
    written = outbox(store)
    assert written and all(row.sent_at is not None for row in written)
    held = {s["id"]: s for s in lrs.statements()}
    missing = [row.statement_id for row in written if row.statement_id not in held]
    assert missing == [], f"{len(missing)} of {len(written)} statements never reached the LRS"
    stored = [held[row.statement_id]["stored"] for row in written]
    assert stored == sorted(stored), "the LRS took the statements out of order"
    verbs = {held[row.statement_id]["verb"]["id"] for row in written}
    assert len(verbs) == 4, verbs  # started, replied, graded, overridden
    assert all(row.created_at.timestamp() >= stopped_at for row in written[:written_while_down])
    trainer.screenshot(path=str(tmp_path / "trainer-dashboard.png"), full_page=True)
