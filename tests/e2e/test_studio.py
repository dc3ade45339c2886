"""The studio in a real browser, with its Ace editor: a trainer copies angry-customer, makes a
typo in a field name and sees the problem at its line (the editor's cursor goes there),
fixes it, changes the brand and a persona, play-tests, saves and publishes to a cohort; a
student of that cohort plays it from Home to Debrief and gets graded checks."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, FrameLocator, Page, expect

from simulator.store import SqlStore, create_cohort, create_staff
from tests.e2e.conftest import AppServer, server_env, sign_in
from tests.e2e.test_full_sessions import TEXT, play_to_the_end

PASSWORD = "a long enough password"
NEW_ID = "nova-fibre-outage"


@pytest.fixture
def studio_server(tmp_path: Path) -> Iterator[tuple[AppServer, SqlStore, str]]:
    database = tmp_path / "studio.db"
    store = SqlStore.at_path(database)
    trainer = create_staff(store, "trainer@school.example", PASSWORD, "trainer")
    cohort = create_cohort(store, trainer, "Promo studio", ["viral-crisis"], "en")
    # Opening the store registers it as a scenario source: this process reads the
    # published scenario too (play_to_the_end looks it up by id).
    server = AppServer(server_env(database), database)
    server.start()
    try:
        yield server, store, cohort.join_code
    finally:
        server.stop()
        store.dispose()


def settle(page: Page) -> None:
    expect(page.get_by_test_id("stStatusWidget")).to_be_hidden(timeout=120_000)


def ace(page: Page) -> FrameLocator:
    """The editor's frame, once the page has only one (a jump to a line draws a new one)."""
    frames = page.locator("iframe[title='code_editor.code_editor']")
    expect(frames).to_have_count(1, timeout=60_000)
    frame = page.frame_locator("iframe[title='code_editor.code_editor']")
    expect(frame.locator(".ace_editor")).to_be_visible(timeout=60_000)
    return frame


def open_tab(page: Page, name: str) -> None:
    """Click a tab once the page has finished redrawing (a rerun briefly shows two sets)."""
    tab = page.get_by_role("tab", name=name)
    expect(tab).to_have_count(1, timeout=60_000)
    tab.click()


def edit(page: Page, old: str, new: str) -> None:
    """Replace the first `old` with `new` in the Ace editor, as a keyboard edit would."""
    ace(page).locator(".ace_editor").evaluate(
        """(el, [oldText, newText]) => {
            const editor = el.env.editor;
            const value = editor.getValue();
            if (!value.includes(oldText)) throw new Error("not in the editor: " + oldText);
            editor.session.setValue(value.replace(oldText, newText));
        }""",
        [old, new],
    )


def test_a_trainer_writes_a_scenario_that_a_student_plays(
    browser: Browser, studio_server: tuple[AppServer, SqlStore, str]
) -> None:
    server, _, code = studio_server
    page = browser.new_context().new_page()
    sign_in(page, f"{server.url}/studio?lang=en", "trainer@school.example", PASSWORD)

    page.locator(".st-key-studio_source").click()
    page.get_by_role("option", name="A copy of angry-customer").click()
    settle(page)
    new_id = page.get_by_label("Id of the new scenario")
    expect(new_id).to_have_value("angry-customer-copy", timeout=60_000)
    new_id.fill(NEW_ID)
    new_id.press("Enter")
    settle(page)
    page.get_by_role("button", name="Open in the editor").click()
    expect(page.get_by_text("Valid: the scenario can be previewed")).to_be_visible(timeout=60_000)

    # A typo in a field name: the problem is listed at its line, and the editor goes there.
    edit(page, "\nbrand:", "\nbrnd:")
    problem = page.get_by_text(re.compile(r"line \d+: brnd: unknown field"))
    expect(problem).to_be_visible(timeout=60_000)
    line = int(re.search(r"line (\d+)", problem.inner_text()).group(1))  # type: ignore[union-attr]
    page.get_by_role("button", name=f"Line {line}").click()
    settle(page)
    cursor = "el => el.env.editor.getCursorPosition().row"
    for _ in range(50):  # the jump runs in the browser once the page is drawn
        if ace(page).locator(".ace_editor").evaluate(cursor) == line - 1:
            break
        page.wait_for_timeout(200)
    assert ace(page).locator(".ace_editor").evaluate(cursor) == line - 1
    edit(page, "\nbrnd:", "\nbrand:")
    expect(page.get_by_text("Valid: the scenario can be previewed")).to_be_visible(timeout=60_000)

    # The form changes the brand and a persona and writes them into the YAML.
    open_tab(page, "Form")
    page.get_by_label("Brand name").fill("Nova Fibre")
    page.get_by_label("Persona 1: name").fill("Julie Marchand")
    page.get_by_role("button", name=re.compile("Write these fields")).click()
    expect(page.get_by_text("Written into the YAML")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("Valid: the scenario can be previewed")).to_be_visible(timeout=60_000)

    # Play-test inside the studio.
    open_tab(page, "Play-test")
    page.get_by_label("Your reply, as a trainee would write it").fill(
        "Hi Julie, we're truly sorry. We're checking your line now and will DM you with a "
        "precise update at 6pm. - Camille"
    )
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.get_by_text(re.compile(r"Last reply: \d+/100"))).to_be_visible(timeout=120_000)

    # Save a draft, then publish it to the cohort.
    open_tab(page, "Save and publish")
    page.get_by_role("button", name="Save as a new version (draft)").click()
    expect(page.get_by_text(f"Saved: {NEW_ID}, version 1")).to_be_visible(timeout=60_000)
    page.locator(".st-key-studio_publish_cohorts").click()
    page.get_by_role("option", name="Promo studio").click()
    page.keyboard.press("Escape")
    settle(page)
    page.get_by_role("button", name="Publish version 1").click()
    expect(page.get_by_text(f"Published: {NEW_ID}, assigned to 1 cohort(s).")).to_be_visible(
        timeout=60_000
    )

    # A student of the cohort plays it from Home to Debrief.
    student = browser.new_context().new_page()
    student.goto(f"{server.url}/?join={code}&lang=en")
    student.get_by_label("Your name (shown to your trainer)").fill("Ana")
    student.get_by_role("button", name="Join the class").click()
    student.get_by_role("button", name="See my assignments").click()
    student.locator(f".st-key-assignment-start-{NEW_ID} button").click()
    expect(student.get_by_text("Nova Fibre", exact=False).first).to_be_visible(timeout=180_000)
    play_to_the_end(student, "en", NEW_ID)
    student.get_by_role("button", name=TEXT["en"]["debrief"]).click()
    expect(student.get_by_role("heading", name="Debrief", exact=True)).to_be_visible(timeout=60_000)
    checks = student.get_by_text(re.compile(r"(Done|Missing|To avoid): "))
    expect(checks.first).to_be_visible(timeout=60_000)
