"""Learning records: every session start, reply and grade leaves an xAPI statement in the
outbox, in the transaction that stores it; `flush` and the background flusher deliver them
in order to a real LRS (ralph), and an LRS that is down loses nothing and slows nothing."""

from __future__ import annotations

import json
import subprocess
import time
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import select, update
from typer.testing import CliRunner, Result

from simulator.cli import app
from simulator.config import load_settings
from simulator.content import get_scenario
from simulator.errors import ConfigError
from simulator.factory import make_store, make_voice
from simulator.grading import RuleBasedAssessor
from simulator.store import (
    BackgroundFlusher,
    CohortRow,
    LrsConfig,
    OverrideRow,
    SqlStore,
    XapiOutboxRow,
    XapiSession,
    create_learner,
    create_trainer,
    enqueue,
    enqueue_override,
    ensure_flusher,
    flush,
    grade_overridden,
    lrs_config,
    play_turn,
    registration,
    reply_sent,
    session_started,
    start_session,
    statement_id,
    status,
    stop_flushers,
    turn_graded,
)
from tests.lrs_server import VENV, LrsServer
from tests.net import free_port

runner = CliRunner()
REPLIES = [
    "Bonjour Julie, désolé pour la coupure : on vous écrit en message privé pour suivre.",
    "Nous avons trouvé la panne, un technicien passe demain matin. Je vous tiens au courant.",
    "C'est réparé de notre côté, merci de votre patience Julie. Dites-nous si tout va bien.",
]
VERB = {
    "initialized": "http://adlnet.gov/expapi/verbs/initialized",
    "responded": "http://adlnet.gov/expapi/verbs/responded",
    "scored": "http://adlnet.gov/expapi/verbs/scored",
}
# What the LRS adds to a statement it stores.
LRS_FIELDS = {"stored", "authority"}


@pytest.fixture(autouse=True)
def _no_flusher_left() -> Iterator[None]:
    yield
    stop_flushers()


@pytest.fixture
def store() -> Iterator[SqlStore]:
    """The configured store (CM_SIM_DATABASE_URL, the test's own SQLite): the CLI sees it."""
    opened = make_store()
    yield opened
    opened.dispose()


@pytest.fixture
def config(lrs: LrsServer) -> LrsConfig:
    return LrsConfig(url=lrs.url, user=lrs.user, password=SecretStr(lrs.password))


@pytest.fixture
def lrs_up(lrs: LrsServer) -> Iterator[LrsServer]:
    """The shared LRS, running again after a test that stopped it."""
    lrs.start()
    yield lrs
    lrs.start()


def _configure(monkeypatch: pytest.MonkeyPatch, lrs: LrsServer) -> None:
    """Configure the LRS by the environment, as `cm-sim` and the app read it. A store write
    afterwards (a session, a reply, a grade) starts the background flusher."""
    monkeypatch.setenv("CM_SIM_LRS_URL", lrs.url)
    monkeypatch.setenv("CM_SIM_LRS_USER", lrs.user)
    monkeypatch.setenv("CM_SIM_LRS_PASSWORD", lrs.password)


def _start(store: SqlStore, participant_id: str | None = None) -> str:
    scenario = get_scenario("angry-customer")
    grader, voice = RuleBasedAssessor(), make_voice("fake")
    return start_session(store, scenario, "fr", 7, grader, voice, participant_id=participant_id)


def _play(store: SqlStore, session_id: str, turns: range, delay_s: float = 20.0) -> None:
    grader, voice = RuleBasedAssessor(), make_voice("fake")
    for turn in turns:
        play_turn(store, session_id, turn, REPLIES[turn - 1], grader, voice, delay_s=delay_s)


def _outbox(store: SqlStore) -> list[XapiOutboxRow]:
    with store.session() as orm:
        return list(orm.scalars(select(XapiOutboxRow).order_by(XapiOutboxRow.id)).all())


def _kinds(statements: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(s["verb"]["id"], s["object"]["id"].rsplit(":", 1)[-1]) for s in statements]


def _strictly_valid(statements: list[dict[str, Any]]) -> list[str]:
    """Validate with ralph's strict xAPI 1.0.3 statement model (its own environment)."""
    script = (
        "import json, sys\n"
        "from ralph.models.xapi.base.statements import BaseXapiStatement\n"
        "for line in sys.stdin:\n"
        "    try:\n"
        "        BaseXapiStatement.model_validate(json.loads(line)); print('ok')\n"
        "    except Exception as exc:\n"
        "        print(str(exc).replace(chr(10), ' | '))\n"
    )
    done = subprocess.run(
        [str(VENV / "bin" / "python"), "-c", script],
        input="".join(json.dumps(s) + "\n" for s in statements),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout.splitlines()


# ------------------------------------------------------------------ statement builders


def test_builders_make_statements_ralph_accepts(store: SqlStore, lrs: LrsServer) -> None:
    played = _start(store)
    _play(store, played, range(1, 2))
    record = store.get(played).turns[0].record
    assert record is not None
    ref = XapiSession(
        session_id=uuid.uuid4().hex,
        scenario_id="angry-customer",
        lang="fr",
        participant_id="p-123",
        cohort_id="c-9",
    )
    started = session_started(ref)
    reply = reply_sent(ref, 1, "Bonjour Julie, on regarde.", delay_s=12.5, choice="public")
    override = grade_overridden(
        ref,
        override_id=4,
        turn=1,
        criterion="empathy",
        machine=40.0,
        before=40.0,
        after=75.0,
        reason="acknowledges the outage first",
        trainer_id=2,
        comment="good instinct",
    )
    graded = turn_graded(ref, record, end_reason="resolved")
    statements = [started, reply, graded, override]
    assert _strictly_valid(statements) == ["ok"] * 4
    broken = {**started, "verb": {"id": "initialized"}}
    assert _strictly_valid([broken]) != ["ok"], "the strict model must refuse a bad verb"

    # Pseudonymous learner, the session as registration, the cohort in context.
    assert started["actor"] == {
        "objectType": "Agent",
        "account": {"homePage": "urn:cm-sim", "name": "p-123"},
    }
    assert started["context"]["registration"] == registration(ref.session_id)
    assert str(uuid.UUID(started["context"]["registration"])) == registration(ref.session_id)
    assert started["context"]["language"] == "fr"
    extensions = started["context"]["extensions"]
    assert extensions["urn:cm-sim:extension:session-id"] == ref.session_id
    assert extensions["urn:cm-sim:extension:cohort-id"] == "c-9"
    assert started["object"]["id"] == "urn:cm-sim:scenario:angry-customer"
    assert reply["object"]["id"] == "urn:cm-sim:scenario:angry-customer:turn:1"
    assert reply["result"] == {
        "response": "Bonjour Julie, on regarde.",
        "duration": "PT12.50S",
        "extensions": {"urn:cm-sim:extension:choice": "public"},
    }
    assert started["verb"]["display"]["fr-FR"] and started["verb"]["display"]["en-US"]
    score = round(record.score, 2)
    assert graded["result"]["score"] == {
        "scaled": round(score / 100, 4),
        "raw": score,
        "min": 0,
        "max": 100,
    }
    assert graded["result"]["extensions"]["urn:cm-sim:extension:session-ended"] == "resolved"
    assert graded["context"]["contextActivities"]["parent"][0]["id"] == started["object"]["id"]

    # The override: the trainer acts, on the learner's graded turn, with the new score.
    assert override["actor"]["account"] == {"homePage": "urn:cm-sim", "name": "trainer:2"}
    assert override["result"]["score"] == {"scaled": 0.75, "raw": 75.0, "min": 0, "max": 100}
    assert override["result"]["response"] == "acknowledges the outage first"
    detail = override["result"]["extensions"]["urn:cm-sim:extension:override"]
    assert detail == {
        "criterion": "empathy",
        "machine": 40.0,
        "before": 40.0,
        "after": 75.0,
        "comment": "good instinct",
    }
    assert override["context"]["statement"]["id"] == statement_id(ref.session_id, "graded", 1)
    learner = override["context"]["extensions"]["urn:cm-sim:extension:learner"]
    assert learner == {"homePage": "urn:cm-sim", "name": "p-123"}

    # Same record, same id; another record, another id.
    assert session_started(ref)["id"] == started["id"]
    assert reply_sent(ref, 1, "other text")["id"] == reply["id"]
    assert reply_sent(ref, 2, "x")["id"] != reply["id"]
    again = grade_overridden(
        ref,
        override_id=5,
        turn=1,
        criterion="empathy",
        machine=40.0,
        before=75.0,
        after=60.0,
        reason="second look",
        trainer_id=2,
    )
    assert again["id"] != override["id"]
    assert "comment" not in again["result"]["extensions"]["urn:cm-sim:extension:override"]
    anonymous = session_started(ref.model_copy(update={"participant_id": None}))
    assert anonymous["actor"]["account"]["name"] == "anonymous"

    answer = lrs.post(statements)
    assert answer.status_code == 200, answer.text
    assert answer.json() == [s["id"] for s in statements]
    back = lrs.statements(registration(ref.session_id))
    assert [{k: v for k, v in s.items() if k not in LRS_FIELDS} for s in back] == statements


# ------------------------------------------------------------------ the outbox


def test_a_played_session_queues_start_reply_grade_in_order(store: SqlStore) -> None:
    learner, _token = create_learner(store)
    session_id = _start(store, learner.id)
    _play(store, session_id, range(1, 3))
    rows = _outbox(store)
    statements = [row.statement for row in rows]
    assert _kinds(statements) == [
        (VERB["initialized"], "angry-customer"),
        (VERB["responded"], "1"),
        (VERB["scored"], "1"),
        (VERB["responded"], "2"),
        (VERB["scored"], "2"),
    ]
    assert [row.statement_id for row in rows] == [
        statement_id(session_id, "started"),
        statement_id(session_id, "reply", 1),
        statement_id(session_id, "graded", 1),
        statement_id(session_id, "reply", 2),
        statement_id(session_id, "graded", 2),
    ]
    assert all(row.sent_at is None and row.attempts == 0 for row in rows)
    for statement in statements:
        assert statement["actor"]["account"]["name"] == learner.id
        assert statement["context"]["registration"] == registration(session_id)
    stored = store.get(session_id)
    for turn, graded in ((1, statements[2]), (2, statements[4])):
        record = stored.turns[turn - 1].record
        assert record is not None
        assert graded["result"]["score"]["raw"] == round(record.score, 2)
        ref = XapiSession(
            session_id=session_id,
            scenario_id="angry-customer",
            lang="fr",
            participant_id=learner.id,
        )
        built = turn_graded(ref, record, at=datetime.fromisoformat(graded["timestamp"]))
        assert built == graded
        criteria = graded["result"]["extensions"]["urn:cm-sim:extension:criteria"]
        assert criteria == {c.id: round(c.score, 2) for c in record.assessment.criteria}
    assert statements[1]["result"]["response"] == REPLIES[0]

    # A turn submitted again (a rerun, a double click) and a second grading add nothing.
    _play(store, session_id, range(1, 3))
    again = store.receive(session_id, 2, "another text")
    assert again.reply == REPLIES[1]
    record = stored.turns[1].record
    assert record is not None
    assert store.complete(session_id, record, stored.state) is False
    assert [row.id for row in _outbox(store)] == [row.id for row in rows]


def test_the_session_row_gives_participant_and_cohort(store: SqlStore) -> None:
    learner, _token = create_learner(store)
    trainer = create_trainer(store, "trainer@example.com", "a-long-password-1")
    with store.session() as orm:
        orm.add(
            CohortRow(
                id="cohort-1",
                name="Promo 2026",
                trainer_id=trainer.id,
                lang="fr",
                attempts=1,
                join_code_hash="h" * 64,
                join_hint="ABCD",
                seats=10,
            )
        )
        orm.commit()
    session = _start(store)
    state = store.get(session).state
    session_id = store.create_session(state, "fake", 120, learner.id, cohort_id="cohort-1")
    assert session != session_id
    _play(store, session_id, range(1, 2))
    statements = [row.statement for row in _outbox(store)]
    mine = [s for s in statements if s["context"]["registration"] == registration(session_id)]
    assert len(mine) == 3
    for statement in mine:
        assert statement["actor"]["account"]["name"] == learner.id
        assert statement["context"]["extensions"]["urn:cm-sim:extension:cohort-id"] == "cohort-1"
        grouping = statement["context"]["contextActivities"]["grouping"]
        assert grouping[0]["id"] == "urn:cm-sim:cohort:cohort-1"

    # A trainer's override: its record commits with the audit row.
    with store.session() as orm:
        row = OverrideRow(
            session_id=session_id,
            turn=1,
            criterion="empathy",
            machine=40.0,
            before=40.0,
            after=80.0,
            reason="names the outage",
            trainer_id=trainer.id,
        )
        orm.add(row)
        orm.flush()
        enqueue_override(orm, row)
        orm.commit()
    last = _outbox(store)[-1]
    assert last.statement_id == statement_id(session_id, "override", 1, row.id)
    override = last.statement
    assert override["actor"]["account"]["name"] == f"trainer:{trainer.id}"
    assert override["result"]["score"]["raw"] == 80.0
    assert override["context"]["extensions"]["urn:cm-sim:extension:cohort-id"] == "cohort-1"
    learner_account = override["context"]["extensions"]["urn:cm-sim:extension:learner"]
    assert learner_account["name"] == learner.id


def test_enqueue_commits_or_rolls_back_with_the_caller(store: SqlStore) -> None:
    ref = XapiSession(session_id="s-1", scenario_id="angry-customer", lang="en")
    with store.session() as orm:
        enqueue(orm, session_started(ref))
        orm.rollback()
    assert _outbox(store) == []
    with store.session() as orm:
        enqueue(orm, session_started(ref))
        enqueue(orm, session_started(ref))
        orm.commit()
    with store.session() as orm:
        enqueue(orm, session_started(ref))
        orm.commit()
    assert [row.statement_id for row in _outbox(store)] == [statement_id("s-1", "started")]


def test_without_an_lrs_statements_wait_and_flush_says_so(store: SqlStore) -> None:
    _play(store, _start(store), range(1, 2))
    state = status(store)
    assert state["configured"] is False and state["lrs"] is None
    assert state["pending"] == 3 and state["sent"] == 0
    assert state["oldest_pending_age_s"] is not None and state["oldest_pending_age_s"] >= 0
    assert ensure_flusher(store) is None

    shown = runner.invoke(app, ["xapi", "status", "--json"])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout)["pending"] == 3
    flushed = runner.invoke(app, ["xapi", "flush", "--json"])
    assert flushed.exit_code == 1
    assert "no LRS configured" in flushed.stderr and "3 statements stay queued" in flushed.stderr
    assert json.loads(flushed.stdout) == {
        "sent": 0,
        "pending": 3,
        "error": "no LRS configured",
        "lrs": None,
    }
    assert status(store)["pending"] == 3


# ------------------------------------------------------------------ delivery to ralph


def test_flush_delivers_what_was_played(store: SqlStore, lrs_up: LrsServer) -> None:
    learner, _token = create_learner(store)
    session_id = _start(store, learner.id)
    _play(store, session_id, range(1, 3))
    queued = [row.statement for row in _outbox(store)]
    config = LrsConfig(url=lrs_up.url, user=lrs_up.user, password=SecretStr(lrs_up.password))

    result = flush(store, config, batch=2)
    assert result == {"sent": 5, "pending": 0, "error": None, "lrs": lrs_up.url}
    back = lrs_up.statements(registration(session_id))
    assert [s["id"] for s in back] == [s["id"] for s in queued]
    assert _kinds(back) == _kinds(queued)
    assert [{k: v for k, v in s.items() if k not in LRS_FIELDS} for s in back] == queued
    for statement in back:
        assert statement["actor"] == {
            "objectType": "Agent",
            "account": {"homePage": "urn:cm-sim", "name": learner.id},
        }
        assert "mbox" not in json.dumps(statement["actor"])
    assert back[2]["result"]["score"] == queued[2]["result"]["score"]

    rows = _outbox(store)
    assert all(row.sent_at is not None and row.attempts == 1 for row in rows)
    assert [row.last_error for row in rows] == [None] * 5
    assert flush(store, config)["sent"] == 0
    done = status(store, config)
    assert done["sent"] == 5 and done["pending"] == 0 and done["last_error"] is None
    assert done["oldest_pending_age_s"] is None and done["last_sent_at"] is not None


def test_lrs_down_loses_nothing_and_slows_nothing(
    store: SqlStore, lrs_up: LrsServer, config: LrsConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    def cli(*args: str) -> Result:
        # The LRS configured for the command only: no background flusher in this process
        # competes with the flushes this test makes and counts.
        with monkeypatch.context() as patch:
            _configure(patch, lrs_up)
            return runner.invoke(app, ["xapi", *args])

    session_id = _start(store)
    _play(store, session_id, range(1, 2))
    assert flush(store, config)["sent"] == 3

    lrs_up.stop()
    grader, voice = RuleBasedAssessor(), make_voice("fake")
    for turn in (2, 3):
        began = time.perf_counter()
        received = store.receive(session_id, turn, REPLIES[turn - 1], delay_s=15.0)
        assert time.perf_counter() - began < 1.0, "a reply waited on the LRS"
        play_turn(store, session_id, turn, received.reply, grader, voice, delay_s=15.0)
        assert time.perf_counter() - began < 5.0
    pending = status(store, config)
    assert pending["pending"] == 4 and pending["sent"] == 3
    assert pending["lrs"] == lrs_up.url and pending["configured"] is True

    failed = flush(store, config)
    assert failed["sent"] == 0 and failed["pending"] == 4
    assert failed["error"] is not None and "Connect" in failed["error"]
    after = status(store, config)
    assert after["attempts"] == 1 and after["last_error"] == failed["error"]

    flushed = cli("flush", "--json")
    assert flushed.exit_code == 1
    assert "4 statements stay queued" in flushed.stderr
    assert f"LRS {lrs_up.url} unavailable (ConnectError" in flushed.stderr
    assert json.loads(flushed.stdout)["pending"] == 4
    shown = cli("status", "--json")
    assert shown.exit_code == 0
    assert json.loads(shown.stdout)["attempts"] == 2
    assert json.loads(shown.stdout)["lrs"] == lrs_up.url
    text = cli("status")
    assert "pending: 4" in text.stdout and "last error (2 attempts)" in text.stdout
    assert [row.statement_id for row in _outbox(store)][3:] == [
        statement_id(session_id, "reply", 2),
        statement_id(session_id, "graded", 2),
        statement_id(session_id, "reply", 3),
        statement_id(session_id, "graded", 3),
    ]

    lrs_up.start()
    flushed = cli("flush", "--json", "--batch", "3")
    assert flushed.exit_code == 0, flushed.output
    expected = {"sent": 4, "pending": 0, "error": None, "lrs": lrs_up.url}
    assert json.loads(flushed.stdout) == expected
    back = lrs_up.statements(registration(session_id))
    assert [s["id"] for s in back] == [row.statement_id for row in _outbox(store)]

    # A crash between the POST and the mark: the statements go again, and the LRS keeps
    # each once (same ids, same content).
    with store.session() as orm:
        orm.execute(update(XapiOutboxRow).values(sent_at=None))
        orm.commit()
    again = flush(store, config, batch=4)
    assert again["sent"] == 7 and again["error"] is None
    assert [s["id"] for s in lrs_up.statements(registration(session_id))] == [s["id"] for s in back]


def test_flush_with_nothing_pending_still_asks_the_lrs(
    store: SqlStore, lrs_up: LrsServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    _configure(monkeypatch, lrs_up)
    fine = runner.invoke(app, ["xapi", "flush", "--json"])
    assert fine.exit_code == 0, fine.output
    assert json.loads(fine.stdout) == {"sent": 0, "pending": 0, "error": None, "lrs": lrs_up.url}

    monkeypatch.setenv("CM_SIM_LRS_PASSWORD", "not-the-password")
    refused = runner.invoke(app, ["xapi", "flush"])
    assert refused.exit_code == 1 and "HTTP 401" in refused.stderr

    nowhere = f"http://127.0.0.1:{free_port()}/xAPI/"
    monkeypatch.setenv("CM_SIM_LRS_URL", nowhere)
    down = runner.invoke(app, ["xapi", "flush"])
    assert down.exit_code == 1
    assert f"LRS {nowhere} unavailable (ConnectError" in down.stderr
    assert "0 statements stay queued" in down.stderr


def test_a_statement_the_lrs_holds_differently_counts_as_delivered(
    store: SqlStore, lrs_up: LrsServer, config: LrsConfig
) -> None:
    session_id = _start(store)
    _play(store, session_id, range(1, 2))
    queued = [row.statement for row in _outbox(store)]
    # The LRS already has the reply's statement, with another timestamp: a batch holding
    # it is refused (409) as a whole, then sent one by one.
    variant = {**queued[1], "timestamp": "2020-01-01T00:00:00+00:00"}
    assert lrs_up.post([variant]).status_code == 200
    assert lrs_up.post(queued).status_code == 409

    result = flush(store, config)
    assert result == {"sent": 3, "pending": 0, "error": None, "lrs": config.url}
    back = lrs_up.statements(registration(session_id))
    assert sorted(s["id"] for s in back) == sorted(s["id"] for s in queued)
    held = next(s for s in back if s["id"] == queued[1]["id"])
    assert held["timestamp"].startswith("2020-01-01")


def test_the_background_flusher_delivers_without_a_flush(
    lrs_up: LrsServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _configure(monkeypatch, lrs_up)
    store = SqlStore.at_path(tmp_path / "background.db")

    def delivered(timeout: float = 30) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while status(store)["pending"] and time.monotonic() < deadline:
            time.sleep(0.1)
        return status(store)

    try:
        session_id = _start(store)  # starts the store's flusher (the LRS is configured)
        flusher = ensure_flusher(store)
        assert flusher is not None and flusher.alive
        assert ensure_flusher(store) is flusher, "one flusher per store and process"
        # Shorter rounds than the app's (5 s, backing off to 5 min), for the test's sake.
        flusher.interval_s = flusher.delay_s = 0.2
        flusher.max_backoff_s = 0.8
        _play(store, session_id, range(1, 3))
        assert delivered()["pending"] == 0
        back = lrs_up.statements(registration(session_id))
        assert [s["id"] for s in back] == [row.statement_id for row in _outbox(store)]

        # The LRS goes down: the reply is taken at once, the flusher keeps trying.
        lrs_up.stop()
        began = time.perf_counter()
        _play(store, session_id, range(3, 4))
        assert time.perf_counter() - began < 5.0
        deadline = time.monotonic() + 30
        while status(store)["last_error"] is None and time.monotonic() < deadline:
            time.sleep(0.1)
        down = status(store)
        assert down["pending"] == 2 and down["last_error"] is not None, down
        assert flusher.alive

        lrs_up.start()
        assert delivered()["pending"] == 0
        back = lrs_up.statements(registration(session_id))
        assert [s["id"] for s in back] == [row.statement_id for row in _outbox(store)]
        assert len(back) == 7
    finally:
        stop_flushers()
        store.dispose()


def test_the_background_flusher_backs_off_and_never_raises(store: SqlStore) -> None:
    _play(store, _start(store), range(1, 2))
    nowhere = LrsConfig(url=f"http://127.0.0.1:{free_port()}/xAPI/", timeout=2)
    flusher = BackgroundFlusher(store, nowhere, interval_s=0.05, max_backoff_s=0.2)
    flusher.run_once()
    assert flusher.last is not None and flusher.last["error"] is not None
    assert flusher.delay_s == 0.1
    flusher.run_once()
    flusher.run_once()
    assert flusher.delay_s == 0.2, "backoff is capped"

    class Gone:
        def session(self) -> None:
            raise RuntimeError("database gone")

    broken = BackgroundFlusher(Gone(), nowhere, interval_s=0.05)  # type: ignore[arg-type]
    broken.start()
    time.sleep(0.3)
    assert broken.alive, "an error in a flush must not end the thread"
    assert broken.last is not None and "database gone" in broken.last["error"]
    broken.stop()
    assert not broken.alive
    assert status(store)["pending"] == 3


# ------------------------------------------------------------------ configuration


def test_lrs_settings_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CM_SIM_LRS_URL", "http://lrs.example/xAPI/")
    monkeypatch.setenv("CM_SIM_LRS_USER", "cm-sim")
    monkeypatch.setenv("CM_SIM_LRS_PASSWORD", "s3cret-pw")
    settings = load_settings()
    assert settings.lrs_password is not None
    assert settings.lrs_password.get_secret_value() == "s3cret-pw"
    assert "s3cret-pw" not in repr(settings)
    config = lrs_config(settings)
    assert config is not None and "s3cret-pw" not in repr(config)
    assert config.statements_url == "http://lrs.example/xAPI/statements"
    assert LrsConfig(url="http://lrs.example").statements_url == (
        "http://lrs.example/xAPI/statements"
    )
    assert LrsConfig(url="http://x/data/xAPI/statements/").statements_url == (
        "http://x/data/xAPI/statements"
    )
    toml = tmp_path / "cm-sim.toml"
    toml.write_text('lrs_url = "http://lrs"\nlrs_password = "in-a-file"\n', encoding="utf-8")
    monkeypatch.setenv("CM_SIM_CONFIG", str(toml))
    with pytest.raises(ConfigError, match="CM_SIM_LRS_PASSWORD"):
        load_settings()
