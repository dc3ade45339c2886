"""The store on SQLite and on a real PostgreSQL server: a reply is safe before anyone answers
it, a turn is stored once however often it is submitted, a session resumes after a kill."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, select, text

from simulator.content import get_scenario
from simulator.engine import ReplyRejected, SessionOver
from simulator.factory import make_voice
from simulator.grading import RuleBasedAssessor
from simulator.protocols import Assessment, GradingContext, VoiceRequest
from simulator.store import (
    Base,
    NotYourSession,
    SqlStore,
    StaleTurn,
    TurnRow,
    UnknownSession,
    current_revision,
    finish_pending,
    head_revision,
    play_turn,
    start_session,
)

REPLY = "Bonjour Julie, désolé pour la coupure : on vous écrit en message privé pour suivre."


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqlStore]:
    if request.param == "sqlite":
        opened = SqlStore.at_path(tmp_path / "store.db")
    else:
        url: str = request.getfixturevalue("postgres_url")
        opened = SqlStore.open(url)
        with opened.engine.begin() as connection:  # each test starts from empty tables
            for table in reversed(Base.metadata.sorted_tables):
                connection.execute(table.delete())
    yield opened
    opened.dispose()


class CountingGrader:
    """The rule grader, counting its calls (a turn must be graded once)."""

    name = "counting"

    def __init__(self) -> None:
        self.inner = RuleBasedAssessor()
        self.calls = 0

    def assess(self, reply: str, context: GradingContext) -> Assessment:
        self.calls += 1
        return self.inner.assess(reply, context)


def _start(store: SqlStore, grader: CountingGrader, **kw: object) -> str:
    scenario = get_scenario("angry-customer")
    return start_session(store, scenario, "fr", 7, grader, make_voice("fake"), **kw)  # type: ignore[arg-type]


def test_migrations_match_the_models(store: SqlStore) -> None:
    assert current_revision(store.engine) == head_revision()
    with store.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []


def test_sqlite_is_in_wal_mode_with_durable_commits(tmp_path: Path) -> None:
    opened = SqlStore.at_path(tmp_path / "wal.db")
    with opened.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        # 2 = FULL: each commit is synced to disk before it returns.
        assert connection.execute(text("PRAGMA synchronous")).scalar() == 2


def test_the_reply_is_committed_before_the_community_answers(store: SqlStore) -> None:
    seen: list[str] = []

    class Watching:
        """A voice that looks in the database (another connection) while it speaks."""

        name = "watching"

        def speak(
            self, request: VoiceRequest, on_token: Callable[[str], None] | None = None
        ) -> str:
            fresh = SqlStore(store.engine)
            with fresh.engine.connect() as connection:
                rows = connection.execute(select(TurnRow.reply, TurnRow.record)).all()
            seen.extend(reply for reply, record in rows if record is None)
            return request.fallback

    grader = CountingGrader()
    session_id = _start(store, grader)
    play_turn(store, session_id, 1, REPLY, grader, Watching())
    assert seen and set(seen) == {REPLY}
    stored = store.get(session_id)
    assert stored.turns[0].record is not None and stored.pending is None


def test_a_turn_submitted_twice_is_stored_and_graded_once(store: SqlStore) -> None:
    grader = CountingGrader()
    voice = make_voice("fake")
    session_id = _start(store, grader)
    first = play_turn(store, session_id, 1, REPLY, grader, voice)
    again = play_turn(store, session_id, 1, "un autre texte, cliqué deux fois", grader, voice)
    assert again == first and grader.calls == 1
    with store.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(TurnRow)).scalar() == 1
    with pytest.raises(StaleTurn):
        play_turn(store, session_id, 3, REPLY, grader, voice)


def test_concurrent_submissions_of_one_turn_leave_one_record(store: SqlStore) -> None:
    grader = CountingGrader()
    voice = make_voice("fake")
    session_id = _start(store, grader)
    barrier = threading.Barrier(4)
    results: list[float] = []
    errors: list[BaseException] = []

    def submit(n: int) -> None:
        barrier.wait()
        try:
            results.append(play_turn(store, session_id, 1, f"{REPLY} ({n})", grader, voice).score)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    stored = store.get(session_id)
    assert len(stored.turns) == 1 and stored.summary.turn == 1
    assert stored.turns[0].score is not None
    assert len(set(results)) == 1 and results[0] == stored.turns[0].score
    assert stored.state.turns[0].reply == stored.turns[0].reply


def test_a_stored_reply_is_played_on_the_next_visit(store: SqlStore) -> None:
    grader = CountingGrader()
    voice = make_voice("fake")
    session_id = _start(store, grader)
    store.receive(session_id, 1, REPLY)  # the server died right after this commit
    assert store.get(session_id).pending is not None
    record = finish_pending(store, session_id, grader, voice)
    assert record is not None and record.reply == REPLY
    assert finish_pending(store, session_id, grader, voice) is None
    stored = store.get(session_id)
    assert stored.pending is None and stored.summary.turn == 1


def test_a_refused_reply_changes_nothing(store: SqlStore) -> None:
    grader = CountingGrader()
    session_id = _start(store, grader)
    with pytest.raises(ReplyRejected):
        play_turn(store, session_id, 1, "x" * 5000, grader, make_voice("fake"))
    assert store.get(session_id).turns == [] and grader.calls == 0


def test_a_finished_session_takes_no_more_replies(store: SqlStore) -> None:
    grader = CountingGrader()
    voice = make_voice("fake")
    session_id = _start(store, grader)
    turn = 1
    while not store.get(session_id).summary.ended:
        play_turn(store, session_id, turn, REPLY, grader, voice)
        turn += 1
    with pytest.raises(SessionOver):
        play_turn(store, session_id, turn, REPLY, grader, voice)
    assert len(store.get(session_id).turns) == turn - 1


def test_sessions_are_read_by_their_owner_only(store: SqlStore) -> None:
    from simulator.store import create_learner, participant_by_token

    alice, alice_token = create_learner(store)
    bob, _ = create_learner(store)
    grader = CountingGrader()
    session_id = _start(store, grader, participant_id=alice.id)
    assert participant_by_token(store, alice_token) == alice
    assert participant_by_token(store, "not-a-token") is None
    assert store.get(session_id, alice.id).id == session_id
    with pytest.raises(NotYourSession):
        store.get(session_id, bob.id)
    with pytest.raises(NotYourSession):
        play_turn(store, session_id, 1, REPLY, grader, make_voice("fake"), participant_id=bob.id)
    assert store.get(session_id).turns == []
    with pytest.raises(UnknownSession):
        store.get("0" * 32)
    assert [s.id for s in store.list(participant_id=alice.id)] == [session_id]
    assert store.list(participant_id=bob.id) == []


KILLER = """
import os, signal, sys
from pathlib import Path
from simulator.store import SqlStore
store = SqlStore.open(sys.argv[1])
store.receive(sys.argv[2], int(sys.argv[3]), sys.argv[4])
print("acknowledged", flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_an_acknowledged_reply_survives_sigkill(store: SqlStore) -> None:
    """A process stores a reply, says so, and is killed at once: the reply is there."""
    grader = CountingGrader()
    voice = make_voice("fake")
    session_id = _start(store, grader)
    play_turn(store, session_id, 1, REPLY, grader, voice)
    url = store.engine.url.render_as_string(hide_password=False)
    done = subprocess.run(
        [sys.executable, "-c", KILLER, url, session_id, "2", "second reply, then the kill"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ},
    )
    assert done.returncode == -signal.SIGKILL
    assert done.stdout.strip() == "acknowledged"
    reopened = SqlStore.open(url)
    stored = reopened.get(session_id)
    assert [t.reply for t in stored.turns] == [REPLY, "second reply, then the kill"]
    assert finish_pending(reopened, session_id, grader, voice) is not None
    assert reopened.get(session_id).summary.turn == 2
    reopened.dispose()
