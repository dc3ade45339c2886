"""Assessment campaigns: invite codes, identical conditions, one attempt, own sessions only,
ranked results with CSV and PDF, employer accounts, and the commands that drive them."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from typer.testing import CliRunner

from simulator.cli import app
from simulator.engine import markdown_pdf
from simulator.factory import make_voice
from simulator.grading import RuleBasedAssessor
from simulator.store import (
    AccountError,
    CampaignError,
    InviteError,
    NotYourSession,
    ParticipantRow,
    SqlStore,
    assessment_session,
    campaign_results,
    create_campaign,
    create_employer,
    invites,
    participant_by_token,
    play_turn,
    redeem,
    results_csv,
    results_markdown,
    utcnow,
    verify_employer,
)

GOOD = (
    "Bonjour {name}, nous sommes sincèrement désolés pour cette coupure. On vérifie tout de "
    "suite et on vous écrit en message privé avec un point précis ce soir à 18 h. — Camille"
)
POOR = "ok"


@pytest.fixture
def store(tmp_path: Path) -> SqlStore:
    return SqlStore.at_path(tmp_path / "campaigns.db")


def _participants(store: SqlStore) -> int:
    with store.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(ParticipantRow)).scalar())


def _play_all(store: SqlStore, token: str, reply: str) -> list[str]:
    """A candidate plays every scenario of the campaign with the same reply each turn."""
    grader, voice = RuleBasedAssessor(), make_voice("fake")
    who = participant_by_token(store, token)
    assert who is not None
    played = []
    while (session_id := assessment_session(store, who, grader, voice)) is not None:
        stored = store.get(session_id, who.id)
        lead = stored.state.in_scene[0]
        play_turn(
            store,
            session_id,
            stored.state.turn + 1,
            reply.format(name=lead.title()),
            grader,
            voice,
            delay_s=30,
            participant_id=who.id,
        )
        if session_id not in played:
            played.append(session_id)
    return played


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"scenarios": ["no-such-scenario"]}, "scenarios"),
        ({"scenarios": []}, "scenarios"),
        ({"lang": "de"}, "lang"),
        ({"candidates": 0}, "candidates"),
        ({"reply_time_limit_s": 5}, "reply_time_limit_s"),
    ],
)
def test_a_bad_campaign_is_refused_with_the_field_named(
    store: SqlStore, kwargs: dict[str, object], field: str
) -> None:
    args: dict[str, object] = {
        "name": "x",
        "scenarios": ["angry-customer"],
        "lang": "fr",
        "seed": 1,
        "candidates": 2,
    } | kwargs
    with pytest.raises(CampaignError, match=f"^{field}:"):
        create_campaign(store, **args)  # type: ignore[arg-type]
    with store.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM campaigns")).scalar() == 0


def test_invite_codes_are_shown_once_and_stored_hashed(store: SqlStore) -> None:
    new = create_campaign(store, "Hiring", ["angry-customer"], "fr", 3, 5)
    assert len(new.codes) == len(set(new.codes)) == 5
    assert all(len(code) == 14 and code.count("-") == 2 for code in new.codes)
    dump = "\n".join(
        str(row) for row in store.engine.connect().execute(text("SELECT * FROM invites")).all()
    )
    for code in new.codes:
        assert code not in dump and code.replace("-", "") not in dump
    assert [i.used_at for i in invites(store, new.campaign.id)] == [None] * 5


def test_a_code_lets_one_candidate_in_once(store: SqlStore) -> None:
    new = create_campaign(store, "Hiring", ["angry-customer"], "fr", 3, 2)
    who, token = redeem(store, new.codes[0].lower().replace("-", " "), "Ada")
    assert who.kind == "candidate" and who.campaign_id == new.campaign.id
    assert participant_by_token(store, token) == who
    before = _participants(store)
    for code, reason in [(new.codes[0], "used"), ("AAAA-BBBB-CCCC", "unknown"), ("", "unknown")]:
        with pytest.raises(InviteError) as caught:
            redeem(store, code, "Mallory")
        assert caught.value.reason == reason
    assert _participants(store) == before
    assert sum(1 for i in invites(store, new.campaign.id) if i.used_at) == 1


def test_an_expired_campaign_lets_nobody_in(store: SqlStore) -> None:
    new = create_campaign(store, "Old", ["angry-customer"], "en", 3, 1, expires_in_days=1)
    with pytest.raises(InviteError) as caught:
        redeem(store, new.codes[0], now=utcnow() + timedelta(days=2))
    assert caught.value.reason == "expired"
    assert _participants(store) == 0
    redeem(store, new.codes[0], now=utcnow())  # still open today


def test_two_candidates_play_under_identical_conditions(store: SqlStore) -> None:
    new = create_campaign(
        store, "Same", ["angry-customer", "viral-crisis"], "en", 42, 2, reply_time_limit_s=90
    )
    _, first = redeem(store, new.codes[0], "A")
    _, second = redeem(store, new.codes[1], "B")
    a_sessions = _play_all(store, first, GOOD)
    b_sessions = _play_all(store, second, GOOD)
    assert len(a_sessions) == len(b_sessions) == 2
    for a_id, b_id in zip(a_sessions, b_sessions, strict=True):
        a, b = store.get(a_id), store.get(b_id)
        assert (a.summary.seed, a.summary.lang, a.reply_time_limit_s) == (42, "en", 90)
        assert (b.summary.seed, b.summary.lang, b.reply_time_limit_s) == (42, "en", 90)
        # Same scenario, personas, opening, injects and community words for the same replies.
        strip = [(e.author, e.kind, e.text, e.inject) for e in a.state.events]
        assert strip == [(e.author, e.kind, e.text, e.inject) for e in b.state.events]
        assert a.state.fired == b.state.fired


def test_one_attempt_and_own_sessions_only(store: SqlStore) -> None:
    new = create_campaign(store, "One", ["angry-customer"], "fr", 5, 2)
    alice, alice_token = redeem(store, new.codes[0], "Alice")
    bob, _ = redeem(store, new.codes[1], "Bob")
    grader, voice = RuleBasedAssessor(), make_voice("fake")
    [session_id] = _play_all(store, alice_token, GOOD)
    assert store.get(session_id).summary.ended
    assert assessment_session(store, alice, grader, voice) is None  # no second attempt
    with pytest.raises(NotYourSession):
        store.get(session_id, bob.id)
    with pytest.raises(NotYourSession):
        play_turn(store, session_id, 99, "hijack", grader, voice, participant_id=bob.id)


def test_results_rank_candidates_with_criteria_csv_and_pdf(store: SqlStore) -> None:
    new = create_campaign(store, "Rank", ["angry-customer"], "fr", 8, 3)
    _, strong = redeem(store, new.codes[0], '=HYPERLINK("http://evil")')
    _, weak = redeem(store, new.codes[1], "Weak")
    _play_all(store, weak, POOR)
    _play_all(store, strong, GOOD)
    results = campaign_results(store, new.campaign.id)
    ranked = results.candidates
    assert [r.status for r in ranked] == ["complete", "complete", "not_started"]
    assert ranked[0].name.startswith("=HYPERLINK") and ranked[1].name == "Weak"
    assert ranked[0].score is not None and ranked[1].score is not None
    assert ranked[0].score > ranked[1].score
    assert {c.criterion for c in ranked[0].criteria} >= {"acknowledge-impact", "tone"}
    rows = list(csv.reader(io.StringIO(results_csv(results))))
    assert rows[0][:5] == ["rank", "name", "code", "status", "score"]
    assert "angry-customer:tone" in rows[0]
    assert rows[1][1].startswith("'=")  # a typed formula stays text in a spreadsheet
    assert len(rows) == 4
    markdown = results_markdown(store, results, "fr")
    assert "Weak" in markdown and "> ok" in markdown
    assert markdown_pdf(markdown).startswith(b"%PDF")


def test_employer_passwords_are_hashed_and_checked(store: SqlStore) -> None:
    with pytest.raises(AccountError, match="at least"):
        create_employer(store, "hr@example.com", "short")
    employer = create_employer(store, "HR@Example.com", "correct horse battery")
    assert employer.email == "hr@example.com"
    with pytest.raises(AccountError, match="already exists"):
        create_employer(store, "hr@example.com", "another long password")
    with pytest.raises(AccountError, match="e-mail"):
        create_employer(store, "not-an-address", "correct horse battery")
    stored = store.engine.connect().execute(text("SELECT password_hash FROM employers")).scalar()
    assert stored and "correct horse" not in stored and stored.startswith("scrypt$")
    assert verify_employer(store, "hr@example.com", "correct horse battery") == employer
    assert verify_employer(store, "hr@example.com", "wrong password!!") is None
    assert verify_employer(store, "nobody@example.com", "correct horse battery") is None


runner = CliRunner()


def test_campaign_and_sessions_commands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CM_SIM_GRADER", "rules")
    monkeypatch.setenv("CM_SIM_EMPLOYER_PASSWORD", "a long enough password")
    made = runner.invoke(app, ["admin", "create-employer", "--email", "boss@example.com"])
    assert made.exit_code == 0, made.output
    created = runner.invoke(
        app,
        [
            "campaign", "create", "--scenarios", "angry-customer,viral-crisis", "--lang", "en",
            "--seed", "9", "--candidates", "3", "--employer", "boss@example.com", "--json",
        ],
    )  # fmt: skip
    assert created.exit_code == 0, created.output
    campaign = json.loads(created.output)
    assert len(campaign["codes"]) == 3 and campaign["seed"] == 9
    assert campaign["scenarios"] == ["angry-customer", "viral-crisis"]

    replies = tmp_path / "replies.txt"
    replies.write_text("Hi Julie, so sorry: we're on it and will DM you.\n---\nDM sent.\n")
    played = runner.invoke(
        app, ["play", "angry-customer", "--replies", str(replies), "--save", "--json"]
    )
    assert played.exit_code == 0, played.output
    session_id = json.loads(played.output)["session_id"]
    listed = json.loads(runner.invoke(app, ["sessions", "list", "--json"]).output)
    assert [s["id"] for s in listed] == [session_id]
    shown = runner.invoke(app, ["sessions", "show", session_id, "--json"])
    view = json.loads(shown.output)
    assert [turn["reply"] for turn in view["turns"]] == [
        "Hi Julie, so sorry: we're on it and will DM you.",
        "DM sent.",
    ]
    first = view["turns"][0]
    assert first["community"] and first["criteria"] and first["received_at"]
    assert first["graded_at"] >= first["received_at"]

    results = runner.invoke(app, ["campaign", "results", campaign["id"], "--json"])
    assert results.exit_code == 0, results.output
    assert len(json.loads(results.output)["candidates"]) == 3
    pdf = tmp_path / "results.pdf"
    as_csv = runner.invoke(app, ["campaign", "results", campaign["id"], "--csv", "--pdf", str(pdf)])
    assert as_csv.stdout.splitlines()[0].startswith("rank,name,code,status,score")
    assert pdf.read_bytes().startswith(b"%PDF")

    for command in (["sessions", "show", "nope"], ["campaign", "results", "c-nope", "--json"]):
        failed = runner.invoke(app, command)
        assert failed.exit_code == 1 and "no " in failed.output
    bad = runner.invoke(
        app,
        ["campaign", "create", "--scenarios", "angry-customer", "--lang", "fr", "--seed", "1",
         "--candidates", "2", "--employer", "ghost@example.com"],
    )  # fmt: skip
    assert bad.exit_code == 1 and "--employer" in bad.output
