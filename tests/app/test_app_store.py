"""The pages on the store: a session resumes from its link, a half-played reply is played on
the next visit, a double submit stores one turn, candidates join with codes and see only
their own session, employers sign in and rank candidates, progress comes from the store."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from app_pages.textsafe import escape_markdown
from simulator.factory import make_store
from simulator.store import SqlStore, create_campaign, create_employer, create_learner
from tests.app_helpers import app, stored_state

REPLY = "Hi Julie, we're so sorry. We're checking now and will DM you at 6pm. - Camille"


@pytest.fixture
def store() -> SqlStore:
    return make_store()


def publish(at: AppTest, text: str) -> None:
    at.text_area[0].input(text)
    next(b for b in at.button if b.label in ("Publier", "Publish")).click().run()
    assert not at.exception


def first_turn(lang: str = "en") -> AppTest:
    at = app()
    at.session_state["lang"] = lang
    at.session_state["scenario_id"] = "angry-customer"
    at.switch_page("app_pages/practice.py").run()
    publish(at, REPLY)
    return at


def link(at: AppTest) -> dict[str, str]:
    """The page's URL parameters: what a bookmark or a reload carries."""
    found = {}
    for key in ("me", "s", "lang"):
        value = at.query_params[key]
        found[key] = str(value if isinstance(value, str) else value[0])
    return found


def test_a_session_resumes_from_its_link_in_a_new_browser_session() -> None:
    at = first_turn("en")
    params = link(at)
    assert stored_state(at)["turn"] == 1
    again = app(**params)
    again.run()
    again.switch_page("app_pages/practice.py").run()
    assert not again.exception
    assert again.session_state["session_id"] == params["s"]
    assert any(escape_markdown(REPLY) in m.value for m in again.markdown)
    assert any("Turn 1" in c.value for c in again.caption)


def test_a_reply_saved_before_a_crash_is_played_on_the_next_visit(store: SqlStore) -> None:
    at = first_turn("en")
    params = link(at)
    store.receive(params["s"], 2, "Saved, then the server died.")
    again = app(**params)
    again.run()
    again.switch_page("app_pages/practice.py").run()
    assert not again.exception
    stored = store.get(params["s"])
    assert [t.reply for t in stored.turns] == [REPLY, "Saved, then the server died."]
    assert stored.pending is None and stored.summary.turn == 2


def test_a_form_submitted_twice_stores_one_turn(store: SqlStore) -> None:
    at = first_turn("en")
    # A second click on the form drawn for turn 1 (it reached the server after the first).
    at.session_state["form_turn"] = 1
    publish(at, "the same click, delivered twice")
    stored = store.get(str(at.session_state["session_id"]))
    assert [t.turn for t in stored.turns] == [1]


def test_someone_elses_session_id_is_refused(store: SqlStore) -> None:
    alice = first_turn("en")
    alice_session = link(alice)["s"]
    _, bob_token = create_learner(store)
    bob = app(me=bob_token, s=alice_session, lang="en")
    bob.run()
    bob.switch_page("app_pages/practice.py").run()
    assert not bob.exception
    assert any("belongs to someone else" in e.value for e in bob.error)
    assert len(store.get(alice_session).turns) == 1
    # The debrief refuses too.
    bob.switch_page("app_pages/debrief.py").run()
    assert any("belongs to someone else" in e.value for e in bob.error)


def join(code: str, name: str = "Ada") -> AppTest:
    at = app(lang="en")
    at.run()
    at.switch_page("app_pages/assessment.py").run()
    at.text_input[0].input(code)
    at.text_input[1].input(name)
    next(b for b in at.button if b.label == "Join the assessment").click().run()
    assert not at.exception
    return at


def test_candidates_join_with_a_code_and_play_without_scores(store: SqlStore) -> None:
    new = create_campaign(store, "Hiring", ["angry-customer"], "en", 4, 2, 60)
    wrong = join("WRONG-CODE-0000")
    assert any("not valid" in e.value for e in wrong.error)

    at = join(new.codes[0])
    assert not at.error
    assert at.session_state["participant_token"]
    # A candidate's navigation holds the assessment and the practice page, nothing else.
    token = str(at.session_state["participant_token"])
    reloaded = app(me=token, lang="en").run()
    labels = [link.proto.label for link in reloaded.sidebar.get("page_link")]
    assert labels == ["Assessment", "Practice"]
    next(b for b in at.button if b.label == "Start / continue").click().run()
    assert not at.exception
    # AppTest keeps requesting the page it was last switched to: follow st.switch_page.
    at.switch_page("app_pages/practice.py").run()
    assert at.title[0].value == "Customer fury on X" or at.title[0].value
    assert any("Scores are not shown" in c.value for c in at.caption)
    publish(at, REPLY)
    assert not at.info or not any("Score" in i.value for i in at.info)
    assert not at.expander or all(e.label != "Criteria" for e in at.expander)
    state = stored_state(at)
    assert state["seed"] == 4 and state["turn"] == 1

    used = join(new.codes[0], "Mallory")
    assert any("already been used" in e.value for e in used.error)


def test_employers_sign_in_and_rank_their_candidates(store: SqlStore) -> None:
    boss = create_employer(store, "boss@example.com", "a long enough password")
    other = create_employer(store, "other@example.com", "another long password")
    mine = create_campaign(store, "Mine", ["angry-customer"], "en", 4, 2, employer_id=boss.id)
    create_campaign(store, "Theirs", ["viral-crisis"], "en", 4, 2, employer_id=other.id)
    candidate = join(mine.codes[0], "Grace")
    next(b for b in candidate.button if b.label == "Start / continue").click().run()
    candidate.switch_page("app_pages/practice.py").run()
    publish(candidate, REPLY)

    at = app()
    at.session_state["lang"] = "en"
    at.switch_page("app_pages/employer.py").run()
    at.text_input[0].input("boss@example.com")
    at.text_input[1].input("wrong password")
    next(b for b in at.button if b.label == "Sign in").click().run()
    assert any("Wrong e-mail or password" in e.value for e in at.error)

    at.text_input[1].input("a long enough password")
    next(b for b in at.button if b.label == "Sign in").click().run()
    assert not at.exception
    assert [o for o in at.selectbox[0].options] == [f"Mine ({mine.campaign.id})"]
    ranking = at.dataframe[0].value
    assert list(ranking["Candidate"]) == ["Grace", "—"]
    assert list(ranking["Status"]) == ["in progress", "not started"]
    assert len(at.get("download_button")) == 2
    assert any(e.label.startswith("1. Grace") for e in at.expander)


def test_progress_shows_history_trend_and_skills_radar() -> None:
    at = first_turn("en")
    at.switch_page("app_pages/progress.py").run()
    assert not at.exception
    assert len(at.dataframe) == 1
    assert any("Skills profile" in s.value for s in at.subheader)
    assert at.get("image")
