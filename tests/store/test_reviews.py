"""A trainer's review: grades overridden with a reason and an audit trail, refusals that change
nothing, the gradebook and class dashboard with trainer grades, the class report PDF and the
reviews exported as dev-set graded replies."""

from __future__ import annotations

import csv
import io
import json
import math
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from simulator.content import ReplyItem, get_scenario
from simulator.errors import Forbidden, InputError, NotFound
from simulator.evals import load_graded_lines
from simulator.factory import make_voice
from simulator.grading import RuleBasedAssessor
from simulator.store import (
    CSV_COLUMNS,
    Employer,
    NotInCohort,
    NotYourCohort,
    NotYourSession,
    Participant,
    ReviewError,
    SqlStore,
    UngradedTurn,
    UnknownCriterion,
    UnknownSession,
    audit_trail,
    class_dashboard,
    class_report_pdf,
    cohort_results,
    create_cohort,
    create_staff,
    export_graded,
    gradebook_csv,
    join_cohort,
    override_grade,
    play_stored,
    score_to_grade,
    trainer_grades,
)

GOOD = (
    "Hello, we are truly sorry about this outage. We are checking right now and will write "
    "to you in private with a precise update at 6 pm tonight. — Camille"
)
WEAK = "We will check."  # one turn of viral-crisis: graded about 35, the scene goes on


class Class:
    """A trainer's cohort of two assignments: Ana played one fully, Ben started the other,
    Cleo has not started."""

    def __init__(self, store: SqlStore, trainer: Employer, other: Employer) -> None:
        self.store, self.trainer, self.other = store, trainer, other
        new = create_cohort(
            store,
            trainer,
            "BTS Com 2027",
            ["angry-customer", "viral-crisis"],
            "en",
            due={"viral-crisis": date.today() + timedelta(days=7)},
        )
        self.cohort = new.cohort
        self.ana, _ = join_cohort(store, new.join_code, "Ana")
        self.ben, _ = join_cohort(store, new.join_code, "Ben")
        self.cleo, _ = join_cohort(store, new.join_code, "Cleo")
        self.ana_session = self.play(self.ana, "angry-customer", GOOD)
        self.ben_session = self.play(self.ben, "viral-crisis", WEAK, turns=1)

    def play(self, who: Participant, scenario_id: str, reply: str, turns: int = 99) -> str:
        scenario = get_scenario(scenario_id)
        replies = [ReplyItem(text=reply, delay_s=30)] * min(turns, scenario.end.max_turns)
        session_id, _, _ = play_stored(
            self.store, scenario, "en", replies, 0, RuleBasedAssessor(), make_voice("fake"), who
        )
        return session_id

    def machine(self, session_id: str, turn: int, criterion: str) -> float:
        record = self.store.get(session_id).turns[turn - 1].record
        assert record is not None
        return next(c.score for c in record.assessment.criteria if c.id == criterion)


@pytest.fixture
def store(tmp_path: Path) -> SqlStore:
    return SqlStore.at_path(tmp_path / "reviews.db")


@pytest.fixture
def klass(store: SqlStore) -> Class:
    trainer = create_staff(store, "trainer@school.example", "a long enough password", "trainer")
    other = create_staff(store, "other@school.example", "a long enough password", "trainer")
    return Class(store, trainer, other)


def _overrides(store: SqlStore) -> int:
    with store.engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM overrides")).scalar() or 0)


def test_an_override_is_the_trainer_grade_and_keeps_the_machine_one(klass: Class) -> None:
    store, sid = klass.store, klass.ana_session
    machine = klass.machine(sid, 1, "tone")
    done = override_grade(
        store,
        sid,
        1,
        "tone",
        12,
        "  Too casual for an angry customer. ",
        klass.trainer,
        "Say sorry first",
    )
    assert done.id >= 1 and done.machine == machine and done.before == machine
    assert done.after == 12 and done.reason == "Too casual for an angry customer."
    assert done.trainer == klass.trainer.email and done.comment == "Say sorry first"
    grades = trainer_grades(store, sid)
    assert list(grades) == [(1, "tone")] and grades[(1, "tone")].after == 12
    # The machine grade is kept where it was.
    assert klass.machine(sid, 1, "tone") == machine
    again = override_grade(store, sid, 1, "tone", 40, "On second reading, fair.", klass.trainer)
    assert again.before == 12 and again.machine == machine and again.after == 40
    assert trainer_grades(store, sid)[(1, "tone")].after == 40
    trail = audit_trail(store, session_id=sid, trainer=klass.trainer)
    assert [(o.before, o.after) for o in trail] == [(machine, 12), (12, 40)]
    assert all(o.trainer == klass.trainer.email and o.reason for o in trail)
    assert isinstance(trail[0].created_at, datetime) and trail[0].created_at.tzinfo is not None
    assert audit_trail(store, cohort_id=klass.cohort.id, trainer=klass.trainer) == trail
    # A student reads their own trainer grades, never another's.
    assert trainer_grades(store, sid, participant_id=klass.ana.id)
    with pytest.raises(NotYourSession):
        trainer_grades(store, sid, participant_id=klass.ben.id)
    with pytest.raises(NotYourCohort):
        audit_trail(store, cohort_id=klass.cohort.id, trainer=klass.other)


def test_every_refusal_says_why_and_writes_nothing(klass: Class) -> None:
    store, sid, trainer = klass.store, klass.ana_session, klass.trainer
    free, _, _ = play_stored(
        store,
        get_scenario("angry-customer"),
        "en",
        [ReplyItem(text=GOOD)],
        0,
        RuleBasedAssessor(),
        make_voice("fake"),
    )
    cases: list[tuple[dict[str, object], type[Exception], str]] = [
        ({"trainer": klass.other}, NotYourCohort, "another trainer"),
        ({"session_id": "no-such-session"}, UnknownSession, "no session"),
        ({"session_id": free}, NotInCohort, "not played in a cohort"),
        ({"turn": 99}, UngradedTurn, "^turn:"),
        ({"criterion": "charisma"}, UnknownCriterion, "acknowledge-impact, sincere-apology"),
        ({"score": 101}, ReviewError, "^score:"),
        ({"score": -1}, ReviewError, "^score:"),
        ({"score": math.nan}, ReviewError, "^score:"),
        ({"reason": ""}, ReviewError, "^reason:"),
        ({"reason": "   "}, ReviewError, "^reason:"),
    ]
    for change, error, message in cases:
        args: dict[str, object] = {
            "session_id": sid,
            "turn": 1,
            "criterion": "tone",
            "score": 50,
            "reason": "why",
            "trainer": trainer,
        } | change
        with pytest.raises(error, match=message):
            override_grade(store, **args)  # type: ignore[arg-type]
        assert _overrides(store) == 0, change
    assert issubclass(NotYourCohort, Forbidden) and issubclass(NotInCohort, Forbidden)
    assert issubclass(UnknownSession, NotFound) and issubclass(UnknownCriterion, InputError)


def test_the_gradebook_holds_machine_and_trainer_grades(klass: Class) -> None:
    store, sid = klass.store, klass.ana_session
    machine = klass.machine(sid, 1, "tone")
    override_grade(store, sid, 1, "tone", 5, "Sarcastic", klass.trainer, "=cmd")
    rows = cohort_results(store, klass.cohort.id, klass.trainer)
    tone = next(r for r in rows if r.session_id == sid and r.turn == 1 and r.criterion == "tone")
    assert (tone.machine, tone.trainer, tone.grade, tone.reason) == (machine, 5, 5, "Sarcastic")
    assert tone.student == "Ana" and tone.attempt == 1 and tone.scenario == "angry-customer"
    others = [r for r in rows if r.session_id == sid and r.criterion != "tone"]
    assert others and all(r.trainer is None and r.grade == r.machine for r in others)
    # Cleo has not started: one row per assignment, no session.
    cleo = [r for r in rows if r.participant_id == klass.cleo.id]
    assert [(r.scenario, r.session_id) for r in cleo] == [
        ("angry-customer", None),
        ("viral-crisis", None),
    ]
    parsed = list(csv.DictReader(io.StringIO(gradebook_csv(rows))))
    assert tuple(parsed[0]) == CSV_COLUMNS
    line = next(
        p
        for p in parsed
        if p["session_id"] == sid and p["criterion"] == "tone" and p["turn"] == "1"
    )
    assert (float(line["machine"]), float(line["trainer"])) == (machine, 5.0)
    assert line["comment"] == "'=cmd"  # a spreadsheet formula is defused
    with pytest.raises(NotYourCohort):
        cohort_results(store, klass.cohort.id, klass.other)


def test_the_dashboard_uses_trainer_grades_and_lists_who_needs_help(klass: Class) -> None:
    store, sid = klass.store, klass.ana_session
    before = class_dashboard(store, klass.cohort.id, klass.trainer)
    ana_before = before.students[0]
    assert ana_before.name == "Ana"
    turns = len(store.get(sid).turns)
    for turn in range(1, turns + 1):
        override_grade(store, sid, turn, "tone", 0, "Not the brand's voice", klass.trainer)
    after = class_dashboard(store, klass.cohort.id, klass.trainer)
    ana = after.students[0]
    assert ana.criteria["angry-customer"]["tone"] == 0
    assert ana_before.criteria["angry-customer"]["tone"] > 0
    assert ana.overrides == turns
    first = ana.assignments[0]
    assert first.status == "done" and first.best_score is not None
    assert ana_before.assignments[0].best_score is not None
    assert first.best_score < ana_before.assignments[0].best_score
    assert set(ana.skills) and any(ana.skills[k] < v for k, v in ana_before.skills.items())
    angry = after.assignments[0]
    assert angry.scenario_id == "angry-customer" and angry.scored == 1
    assert angry.average == first.best_score and sum(angry.distribution) == 1
    assert angry.statuses == {"done": 1, "todo": 2} and angry.criteria["tone"] == 0
    assert after.bins == ["0-20", "20-40", "40-60", "60-80", "80-100"]
    assert [s.name for s in after.not_started] == ["Cleo"]
    # Ben started viral-crisis with a weak reply: stuck on it; later, also overdue.
    stuck = {(s.name, s.scenario_id): s.reason for s in after.stuck}
    assert stuck == {("Ben", "viral-crisis"): "low_score"}
    late = class_dashboard(
        store, klass.cohort.id, klass.trainer, now=after.generated_at + timedelta(days=30)
    )
    assert {(s.name, s.reason) for s in late.stuck} >= {("Ben", "overdue"), ("Cleo", "overdue")}
    with pytest.raises(NotYourCohort):
        class_dashboard(store, klass.cohort.id, klass.other)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_class_report_is_a_pdf_with_the_cohort(klass: Class, lang: str) -> None:
    dashboard = class_dashboard(klass.store, klass.cohort.id, klass.trainer)
    pdf = class_report_pdf(dashboard, "fr" if lang == "fr" else "en", compress=False)
    assert pdf.startswith(b"%PDF") and b"BTS Com 2027" in pdf
    assert class_report_pdf(dashboard, "en").startswith(b"%PDF")


def test_the_report_draws_french_with_the_core_font_too(
    klass: Class, monkeypatch: pytest.MonkeyPatch
) -> None:
    import simulator.engine.report_export as report_export

    monkeypatch.setattr(report_export, "UNICODE_FONTS", ())
    dashboard = class_dashboard(klass.store, klass.cohort.id, klass.trainer)
    pdf = class_report_pdf(dashboard, "fr", compress=False)
    assert b"Rapport de classe : BTS Com 2027" in pdf and "Échéance".encode("latin-1") in pdf


def test_reviews_export_as_dev_set_graded_replies(klass: Class, tmp_path: Path) -> None:
    store, sid = klass.store, klass.ana_session
    assert export_graded(store) == []
    override_grade(store, sid, 1, "tone", 0, "Flippant", klass.trainer)
    override_grade(store, sid, 1, "tone", 100, "Actually perfect", klass.trainer)
    override_grade(store, sid, 2, "next-step", 0, "No next step", klass.trainer)
    lines = export_graded(store, klass.cohort.id)
    assert [line["turn"] for line in lines] == [1, 2]
    first = lines[0]
    assert set(first) == {
        "id",
        "scenario",
        "lang",
        "turn",
        "reply",
        "expert",
        "criteria",
        "rationale",
        "kind",
        "source",
    }
    assert first["scenario"] == "angry-customer" and first["lang"] == "en"
    assert first["reply"] == GOOD and first["criteria"]["tone"] == 5
    assert "Actually perfect" in first["rationale"] and "Flippant" not in first["rationale"]
    rubric = [c.id for c in get_scenario("angry-customer").rubric]
    assert set(first["criteria"]) == set(rubric)
    untouched = klass.machine(sid, 1, "sincere-apology")
    assert first["criteria"]["sincere-apology"] == score_to_grade(untouched)
    assert lines[1]["criteria"]["next-step"] == 1
    assert export_graded(store) == lines
    path = tmp_path / "graded.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    items = load_graded_lines(path)
    assert [i.id for i in items] == [line["id"] for line in lines]
    assert all(i.source == "programme" for i in items)


def test_a_bad_graded_replies_file_names_file_line_and_field(tmp_path: Path) -> None:
    from simulator.errors import ContentError

    good = {
        "id": "x-1",
        "scenario": "angry-customer",
        "lang": "en",
        "turn": 1,
        "reply": "Sorry",
        "expert": 3,
        "criteria": {c.id: 3 for c in get_scenario("angry-customer").rubric},
        "rationale": "fine",
    }
    path = tmp_path / "bad.jsonl"
    path.write_text(
        "\n".join(
            [
                json.dumps(good),
                "{not json",
                json.dumps(good | {"id": "x-2", "expert": 9}),
                json.dumps(good | {"id": "x-3", "criteria": {"tone": 3}}),
                json.dumps(good | {"id": "x-4", "scenario": "nope"}),
                json.dumps(good),
            ]
        )
    )
    with pytest.raises(ContentError) as caught:
        load_graded_lines(path)
    message = str(caught.value)
    assert "bad.jsonl:2: (document): not JSON" in message
    assert "bad.jsonl:3: expert:" in message
    assert "bad.jsonl:4: criteria: missing" in message
    assert "bad.jsonl:5: scenario:" in message
    assert "bad.jsonl:6: id: duplicate id 'x-1'" in message
