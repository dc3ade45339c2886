"""In a real browser: whole sessions from Home to Debrief in both languages, the report download."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from simulator.bench import Cluster
from simulator.content import get_scenario
from tests.e2e.conftest import AppServer

TEXT = {
    "fr": {
        "home": "Scénarios",
        "publish": "Publier",
        "turn": "Tour {n} sur {max}",
        "debrief": "Voir le débrief",
        "title": "Débrief",
        "md": "Télécharger le rapport (Markdown)",
        "pdf": "Télécharger le rapport (PDF)",
        "reply": "Bonjour {name}, vraiment désolés pour tout ça. On vérifie tout de suite et on "
        "vous écrit en MP, avec un point précis ce soir à 18 h. — Camille",
    },
    "en": {
        "home": "Scenarios",
        "publish": "Publish",
        "turn": "Turn {n} of {max}",
        "debrief": "See the debrief",
        "title": "Debrief",
        "md": "Download the report (Markdown)",
        "pdf": "Download the report (PDF)",
        "reply": "Hi {name}, we're truly sorry about this. We're checking right now and will DM "
        "you with a precise update at 6pm tonight. - Camille",
    },
}


def start(page: Page, server: AppServer | Cluster, lang: str, scenario_id: str) -> None:
    page.goto(server.url)
    expect(page.get_by_role("heading", name="Scénarios")).to_be_visible(timeout=60_000)
    if lang == "en":
        page.get_by_text("English").first.click()
        expect(page.get_by_role("heading", name="Scenarios")).to_be_visible(timeout=60_000)
    title = get_scenario(scenario_id).title.get(lang)
    # Each scenario card's start button carries its key as a CSS class.
    page.locator(f".st-key-start-{scenario_id} button").click()
    expect(page.get_by_role("heading", name=title)).to_be_visible(timeout=180_000)


def play(page: Page, turn: int, reply: str) -> None:
    """Publish `reply` as `turn` (English page) and wait until the page is idle again."""
    shown = page.get_by_text(re.compile(f"Turn {turn} of"))
    publish(page, "Publish", reply, shown)
    expect(shown).to_be_visible(timeout=120_000)
    expect(page.get_by_test_id("stStatusWidget")).to_be_hidden(timeout=120_000)


def publish(page: Page, button: str, reply: str, played: Locator) -> None:
    """Type and publish a reply. Type only once the page has finished its run and check the
    text is in the box: a click during a rerun lands on a form about to be replaced. If the
    form is replaced under the click anyway, try again unless the turn went through (the
    server stores a turn once, so a repeated click cannot count twice)."""
    for attempt in range(3):
        expect(page.get_by_test_id("stStatusWidget")).to_be_hidden(timeout=120_000)
        if played.count():
            return
        box = page.get_by_role("textbox")
        # A busy 2-core machine can take a while to draw the new form after the last run.
        expect(box).to_be_visible(timeout=60_000)
        try:
            box.fill(reply)
            # The run after a turn is too short for the status widget to show: a box filled
            # just as that run replaced it is a new, empty box. Fill it again.
            expect(box).to_have_value(reply)
            page.get_by_role("button", name=button).click(timeout=20_000)
            return
        except (AssertionError, PlaywrightTimeoutError):
            if attempt == 2:
                raise


def play_to_the_end(page: Page, lang: str, scenario_id: str) -> None:
    words = TEXT[lang]
    scenario = get_scenario(scenario_id)
    lead = scenario.persona(scenario.lead_persona).name.split()[0]
    for n in range(scenario.end.max_turns):
        if page.get_by_role("button", name=words["debrief"]).count():
            break
        done = page.get_by_role("button", name=words["debrief"])
        next_turn = page.get_by_text(words["turn"].format(n=n + 1, max=scenario.end.max_turns))
        publish(page, words["publish"], words["reply"].format(name=lead), done.or_(next_turn))
        expect(done.or_(next_turn).first).to_be_visible(timeout=120_000)
        # The turn is counted before the page below it is drawn: wait until the run is over
        # (the old reply box stays on screen while the page reruns).
        expect(page.get_by_test_id("stStatusWidget")).to_be_hidden(timeout=120_000)
        expect(done.or_(page.get_by_role("textbox")).first).to_be_visible(timeout=60_000)
    expect(page.get_by_role("button", name=words["debrief"])).to_be_visible(timeout=60_000)


def play_to_the_debrief(page: Page, server: AppServer, lang: str, scenario_id: str) -> None:
    """From Home to the debrief, whose score is explained: one bar per criterion."""
    start(page, server, lang, scenario_id)
    play_to_the_end(page, lang, scenario_id)
    page.get_by_role("button", name=TEXT[lang]["debrief"]).click()
    expect(page.get_by_role("heading", name=TEXT[lang]["title"], exact=True)).to_be_visible(
        timeout=60_000
    )
    for criterion in get_scenario(scenario_id).rubric:
        expect(
            page.get_by_text(re.compile(re.escape(criterion.title.get(lang)))).first
        ).to_be_visible()


# Every core scenario to the end in both languages, as a new user would.
@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("scenario_id", ["angry-customer", "viral-crisis", "identity-choice"])
def test_whole_session_to_debrief_and_report(
    page: Page, app_server: AppServer, lang: str, scenario_id: str, tmp_path: Path
) -> None:
    words = TEXT[lang]
    play_to_the_debrief(page, app_server, lang, scenario_id)
    with page.expect_download() as md:
        page.get_by_role("button", name=words["md"]).click()
    text = Path(md.value.path()).read_text(encoding="utf-8")
    assert get_scenario(scenario_id).title.get(lang) in text
    with page.expect_download() as pdf:
        page.get_by_role("button", name=words["pdf"]).click()
    assert pdf.value.suggested_filename.endswith(".pdf")
    assert Path(pdf.value.path()).read_bytes().startswith(b"%PDF")
    page.screenshot(path=str(tmp_path / f"debrief-{lang}.png"), full_page=True)


def test_the_reply_box_stays_while_the_page_redraws_after_a_turn(
    page: Page, app_server: AppServer
) -> None:
    """The page is redrawn after each turn with more posts above the form: the browser must
    keep the very same reply box, or what someone types during the redraw is lost (the box
    would be replaced by a new, empty one). The first turn of this scenario also carries a
    decision above the box, gone on the next turn."""
    start(page, app_server, "en", "identity-choice")
    box = page.get_by_role("textbox")
    expect(box).to_be_visible(timeout=60_000)
    expect(page.get_by_test_id("stStatusWidget")).to_be_hidden(timeout=120_000)
    drawn = box.element_handle()
    turn_one = page.get_by_text("Turn 1 of 4")
    publish(page, "Publish", TEXT["en"]["reply"].format(name="Thomas"), turn_one)
    expect(turn_one).to_be_visible(timeout=120_000)
    # Typed as soon as the turn shows, while the rest of the page is still being redrawn.
    drawn.fill("A draft typed during the redraw")
    expect(page.get_by_test_id("stStatusWidget")).to_be_hidden(timeout=120_000)
    page.wait_for_timeout(1_500)
    assert drawn.evaluate("box => box.isConnected")
    expect(page.get_by_role("textbox")).to_have_value("A draft typed during the redraw")


# One new scenario per channel family, from Home to the debrief, the languages alternating.
NEW_BY_FAMILY = [
    ("data-deletion", "fr"),  # X
    ("owner-bad-review", "en"),  # Facebook
    ("influencer-reaction", "fr"),  # TikTok
    ("employee-leak", "en"),  # LinkedIn
    ("troll-raid", "fr"),  # Discord
    ("saas-outage", "en"),  # forum
    ("review-bombing", "fr"),  # public reviews
]


@pytest.mark.parametrize(("scenario_id", "lang"), NEW_BY_FAMILY)
def test_a_new_scenario_per_channel_family_from_home_to_debrief(
    page: Page, app_server: AppServer, scenario_id: str, lang: str
) -> None:
    play_to_the_debrief(page, app_server, lang, scenario_id)
