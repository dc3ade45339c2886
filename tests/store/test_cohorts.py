"""Cohorts: trainer accounts, one join code with seats and an expiry, assignments with their
status and attempts, students who see only their own work, and the commands that drive them."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from simulator.cli import app
from simulator.content import ReplyItem, get_scenario
from simulator.factory import make_voice
from simulator.grading import RuleBasedAssessor
from simulator.store import (
    AccountError,
    AttemptsUsed,
    CohortError,
    Employer,
    JoinError,
    NotYourCohort,
    NotYourSession,
    Participant,
    SqlStore,
    assignment_statuses,
    create_cohort,
    create_staff,
    join_cohort,
    list_cohorts,
    play_stored,
    students,
    trainer_cohort,
    utcnow,
    verify_employer,
    verify_staff,
)

REPLY = (
    "Bonjour, nous sommes sincèrement désolés. On vérifie tout de suite et on vous écrit en "
    "message privé avec un point précis ce soir à 18 h. — Camille"
)


@pytest.fixture
def store(tmp_path: Path) -> SqlStore:
    return SqlStore.at_path(tmp_path / "cohorts.db")


@pytest.fixture
def trainer(store: SqlStore) -> Employer:
    return create_staff(store, "trainer@school.example", "a long enough password", "trainer")


def _count(store: SqlStore, table: str) -> int:
    with store.engine.connect() as connection:
        return int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar() or 0)


def _play(store: SqlStore, who: Participant, scenario_id: str, turns: int = 99) -> str:
    scenario = get_scenario(scenario_id)
    replies = [ReplyItem(text=REPLY, delay_s=30)] * min(turns, scenario.end.max_turns)
    session_id, _, _ = play_stored(
        store, scenario, "en", replies, 0, RuleBasedAssessor(), make_voice("fake"), who
    )
    return session_id


def test_trainer_and_employer_roles_are_kept_apart(store: SqlStore, trainer: Employer) -> None:
    assert trainer.role == "trainer"
    assert verify_staff(store, trainer.email, "a long enough password", "trainer") == trainer
    assert verify_employer(store, trainer.email, "a long enough password") is None
    with pytest.raises(AccountError, match="already exists"):
        create_staff(store, trainer.email, "another long password", "employer")
    with pytest.raises(AccountError, match=r"^role:"):
        create_staff(store, "x@example.com", "a long enough password", "admin")
    employer = create_staff(store, "hr@example.com", "a long enough password", "employer")
    with pytest.raises(CohortError, match="not a trainer"):
        create_cohort(store, employer, "x", ["angry-customer"], "fr")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"scenarios": ["no-such-scenario"]}, "scenarios"),
        ({"scenarios": []}, "scenarios"),
        ({"scenarios": ["angry-customer", "angry-customer"]}, "scenarios"),
        ({"lang": "de"}, "lang"),
        ({"seats": 0}, "seats"),
        ({"attempts": 0}, "attempts"),
        ({"due": {"viral-crisis": date(2027, 1, 1)}}, "due"),
    ],
)
def test_a_bad_cohort_is_refused_with_the_field_named(
    store: SqlStore, trainer: Employer, kwargs: dict[str, object], field: str
) -> None:
    args: dict[str, object] = {
        "name": "x",
        "scenarios": ["angry-customer"],
        "lang": "fr",
    } | kwargs
    with pytest.raises(CohortError, match=f"^{field}:"):
        create_cohort(store, trainer, **args)  # type: ignore[arg-type]
    assert _count(store, "cohorts") == _count(store, "assignments") == 0


def test_the_join_code_is_shown_once_and_stored_hashed(store: SqlStore, trainer: Employer) -> None:
    new = create_cohort(store, trainer, "BTS 2027", ["angry-customer", "viral-crisis"], "en")
    assert new.cohort.scenarios == ["angry-customer", "viral-crisis"]
    with store.engine.connect() as connection:
        dump = str(connection.execute(text("SELECT * FROM cohorts")).all())
    assert new.join_code not in dump and new.join_code.replace("-", "") not in dump
    # Typed by hand: case and dashes do not matter.
    student, token = join_cohort(store, new.join_code.lower().replace("-", " "), "Inès")
    assert student.cohort_id == new.cohort.id and student.kind == "student" and token


def test_wrong_full_and_expired_codes_each_say_why_and_change_nothing(
    store: SqlStore, trainer: Employer
) -> None:
    new = create_cohort(store, trainer, "Small", ["angry-customer"], "fr", seats=1)
    join_cohort(store, new.join_code, "First")
    before = _count(store, "participants")
    for code, reason in [("NOPE-NOPE-NOPE", "unknown"), (new.join_code, "full")]:
        with pytest.raises(JoinError) as caught:
            join_cohort(store, code, "Someone")
        assert caught.value.reason == reason
    later = create_cohort(store, trainer, "Old", ["angry-customer"], "fr", expires_in_days=1)
    with pytest.raises(JoinError) as caught:
        join_cohort(store, later.join_code, "Late", now=utcnow() + timedelta(days=2))
    assert caught.value.reason == "expired"
    with pytest.raises(CohortError, match=r"^name:"):
        join_cohort(store, later.join_code, "  ")
    assert _count(store, "participants") == before


def test_assignment_status_follows_the_students_work(store: SqlStore, trainer: Employer) -> None:
    yesterday = (utcnow() - timedelta(days=1)).date()
    new = create_cohort(
        store,
        trainer,
        "Statuses",
        ["angry-customer", "viral-crisis", "identity-choice"],
        "en",
        due={"identity-choice": yesterday},
        attempts=1,
    )
    student, _ = join_cohort(store, new.join_code, "Léa")
    assert [s.status for s in assignment_statuses(store, student)] == [
        "todo",
        "todo",
        "overdue",
    ]
    done = _play(store, student, "angry-customer")
    _play(store, student, "viral-crisis", turns=1)
    statuses = {s.scenario_id: s for s in assignment_statuses(store, student)}
    assert statuses["angry-customer"].status == "done"
    assert statuses["angry-customer"].session_ids == [done]
    assert statuses["angry-customer"].best_score is not None
    assert statuses["viral-crisis"].status == "in_progress"
    assert statuses["viral-crisis"].attempts_left == 0
    assert store.get(done).summary.lang == "en"
    # One attempt allowed: a second one is refused and stores nothing.
    sessions = _count(store, "sessions")
    with pytest.raises(AttemptsUsed, match="attempts allowed are used"):
        _play(store, student, "angry-customer")
    assert _count(store, "sessions") == sessions
    # A scenario outside the assignments is free practice, not counted for the cohort.
    free = _play(store, student, "troll-raid", turns=1)
    with store.engine.connect() as connection:
        cohort = connection.execute(
            text("SELECT cohort_id FROM sessions WHERE id = :id"), {"id": free}
        ).scalar()
    assert cohort is None


def test_each_sees_only_their_own(store: SqlStore, trainer: Employer) -> None:
    other = create_staff(store, "other@school.example", "another long password", "trainer")
    new = create_cohort(store, trainer, "Mine", ["angry-customer"], "fr")
    create_cohort(store, other, "Theirs", ["angry-customer"], "fr")
    assert [c.name for c in list_cohorts(store, trainer)] == ["Mine"]
    with pytest.raises(NotYourCohort):
        trainer_cohort(store, new.cohort.id, other)
    a, _ = join_cohort(store, new.join_code, "A")
    b, _ = join_cohort(store, new.join_code, "B")
    session_a = _play(store, a, "angry-customer", turns=1)
    with pytest.raises(NotYourSession):
        store.get(session_a, b.id)
    assert [s.display_name for s in students(store, new.cohort.id)] == ["A", "B"]


def test_a_whole_programme_runs_from_the_shell(tmp_path: Path) -> None:
    runner = CliRunner()
    made = runner.invoke(
        app,
        ["admin", "create-trainer", "--email", "t@school.example", "--password-stdin"],
        input="a long enough password\n",
    )
    assert made.exit_code == 0, made.output
    created = runner.invoke(
        app,
        [
            "cohort",
            "create",
            "--name",
            "Promo",
            "--scenarios",
            "angry-customer,viral-crisis",
            "--lang",
            "en",
            "--trainer",
            "t@school.example",
            "--seats",
            "2",
            "--due",
            "viral-crisis=2030-01-31",
            "--json",
        ],
    )
    assert created.exit_code == 0, created.output
    cohort = json.loads(created.stdout)
    assert set(cohort) >= {"id", "join_code"}
    assert cohort["assignments"][1]["due_at"].startswith("2030-01-31")
    joined = runner.invoke(app, ["cohort", "join", cohort["join_code"], "--name", "Ana", "--json"])
    assert joined.exit_code == 0, joined.output
    token = json.loads(joined.stdout)["participant"]
    assert json.loads(joined.stdout)["link"].endswith(token)
    replies = tmp_path / "replies.txt"
    replies.write_text(REPLY + "\n---\n" + REPLY + "\n")
    played = runner.invoke(
        app,
        [
            "play",
            "angry-customer",
            "--replies",
            str(replies),
            "--save",
            "--participant",
            token,
            "--json",
        ],
    )
    assert played.exit_code == 0, played.output
    session_id = json.loads(played.stdout)["session_id"]
    with _cli_store() as cli_store:
        assert cli_store.get(session_id).summary.participant_id is not None
    listed = runner.invoke(app, ["cohort", "list", "--trainer", "t@school.example", "--json"])
    assert json.loads(listed.stdout)[0]["students"] == 1
    # Refusals: each its own message, exit 1.
    for args, message in [
        (["cohort", "join", "AAAA-BBBB-CCCC", "--name", "X"], "join code unknown"),
        (["cohort", "list", "--trainer", "nobody@school.example"], "no trainer"),
        (
            ["play", "angry-customer", "--replies", str(replies), "--participant", token],
            "--participant needs --save",
        ),
        (
            [
                "play",
                "angry-customer",
                "--replies",
                str(replies),
                "--save",
                "--participant",
                "not-a-token",
            ],
            "no participant has this token",
        ),
        (
            [
                "cohort",
                "create",
                "--name",
                "x",
                "--scenarios",
                "angry-customer",
                "--trainer",
                "t@school.example",
                "--due",
                "tomorrow",
            ],
            "expected YYYY-MM-DD",
        ),
    ]:
        refused = runner.invoke(app, args)
        assert refused.exit_code == 1, (args, refused.output)
        assert message in refused.output


class _cli_store:
    """The store the CLI used (the per-test database of conftest)."""

    def __enter__(self) -> SqlStore:
        from simulator.factory import make_store

        self.store = make_store()
        assert isinstance(self.store, SqlStore)
        return self.store

    def __exit__(self, *exc: object) -> None:
        self.store.dispose()
