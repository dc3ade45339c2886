"""In a real browser: the home page lists the scenarios, one turn of angry-customer plays."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import AppServer


def test_home_then_one_turn_in_french(page: Page, app_server: AppServer) -> None:
    page.goto(app_server.url)
    expect(page.get_by_role("heading", name="Scénarios")).to_be_visible(timeout=60_000)
    buttons = page.get_by_role("button", name="Lancer ce scénario")
    expect(buttons.first).to_be_visible()
    assert buttons.count() >= 3
    buttons.first.click()
    # The first practice page of a server loads the grader (a few seconds, longer on a busy
    # CI machine).
    expect(page.get_by_text("@julie_m").first).to_be_visible(timeout=180_000)
    box = page.get_by_role("textbox")
    box.fill(
        "Bonjour Julie, vraiment désolée, je vérifie votre ligne et je vous écris en MP. — Camille"
    )
    page.get_by_role("button", name="Publier").click()
    expect(page.get_by_text(re.compile(r"Note de votre dernière réponse"))).to_be_visible(
        timeout=60_000
    )
    expect(page.get_by_text("je vérifie votre ligne", exact=False).first).to_be_visible()


def test_language_switch_in_browser(page: Page, app_server: AppServer) -> None:
    page.goto(app_server.url)
    expect(page.get_by_role("heading", name="Scénarios")).to_be_visible(timeout=60_000)
    page.get_by_text("English").click()
    expect(page.get_by_role("heading", name="Scenarios")).to_be_visible(timeout=60_000)
    expect(page.get_by_role("button", name="Start this scenario").first).to_be_visible()
