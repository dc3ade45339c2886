"""The scenario library: trainers' scenarios in the store, each save an immutable version, a
draft seen by its author only, publication to the author's cohorts, and sessions that keep
playing the version they started on."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml
from sqlalchemy import text

from simulator.content import (
    ReplyItem,
    Scenario,
    UnknownScenario,
    get_scenario,
    load_scenario_text,
    practice_ids,
    register_scenario_source,
    scenario_source,
)
from simulator.engine import LanguageNotOffered
from simulator.errors import ContentError, NotFound
from simulator.factory import make_voice
from simulator.grading import RuleBasedAssessor
from simulator.store import (
    SCENARIO_TEMPLATE,
    Base,
    CohortError,
    Employer,
    NotYourCohort,
    NotYourScenario,
    Participant,
    ScenarioLibraryError,
    ScenarioVersion,
    SqlStore,
    UnknownScenarioVersion,
    assignment_statuses,
    create_cohort,
    create_staff,
    get_cohort,
    join_cohort,
    library,
    play_stored,
    play_turn,
    practice_session,
    publish_scenario,
    published_version,
    save_scenario,
    scenario_for,
    scenario_versions,
    scenario_yaml,
    start_session,
    stored_scenario,
)

ROOT = Path(__file__).resolve().parents[2]
REPLY = (
    "Léa, une semaine d'attente avec un anniversaire samedi, on comprend votre agacement et "
    "on est désolés. On contacte le transporteur et on vous écrit en message privé d'ici 17 h."
    " – Camille"
)


def template(scenario_id: str = "late-parcel", **changes: object) -> str:
    """The template under its own id, with top-level fields changed."""
    data = yaml.safe_load(SCENARIO_TEMPLATE)
    data["id"] = scenario_id
    data.update(changes)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def with_brand(name: str, scenario_id: str = "late-parcel") -> str:
    data = yaml.safe_load(SCENARIO_TEMPLATE)
    data["id"] = scenario_id
    data["brand"]["name"] = name
    data["model_answers"][0]["text"]["fr"] = f"Réponse modèle de {name}."
    data["model_answers"][1]["text"]["fr"] = f"Deuxième réponse de {name}."
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def french_only(scenario_id: str = "colis-fr") -> str:
    def drop(value: object) -> object:
        if isinstance(value, dict):
            if value and set(value) <= {"fr", "en"}:
                return {"fr": value["fr"]}
            return {k: drop(v) for k, v in value.items()}
        if isinstance(value, list):
            return [drop(v) for v in value]
        return value

    data = drop(yaml.safe_load(SCENARIO_TEMPLATE))
    assert isinstance(data, dict)
    data["id"] = scenario_id
    data["languages"] = ["fr"]
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqlStore]:
    before = scenario_source()
    if request.param == "sqlite":
        opened = SqlStore.at_path(tmp_path / "library.db")
    else:
        url: str = request.getfixturevalue("postgres_url")
        opened = SqlStore.open(url)
        with opened.engine.begin() as connection:  # each test starts from empty tables
            for table in reversed(Base.metadata.sorted_tables):
                connection.execute(table.delete())
    yield opened
    opened.dispose()
    register_scenario_source(before)


@pytest.fixture
def trainer(store: SqlStore) -> Employer:
    return create_staff(store, "trainer@school.example", "a long enough password", "trainer")


@pytest.fixture
def rival(store: SqlStore) -> Employer:
    return create_staff(store, "rival@school.example", "a long enough password", "trainer")


def _count(store: SqlStore, table: str = "scenario_versions") -> int:
    with store.engine.connect() as connection:
        return int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar() or 0)


def _cohort(store: SqlStore, trainer: Employer, lang: str = "fr") -> tuple[str, str]:
    """A cohort of the trainer's (assigned a shipped scenario): its id and join code."""
    new = create_cohort(store, trainer, f"cohort {lang}", ["angry-customer"], lang)
    return new.cohort.id, new.join_code


def _play(store: SqlStore, scenario: Scenario, who: Participant | None, turns: int = 1) -> str:
    replies = [ReplyItem(text=REPLY, delay_s=30)] * turns
    session_id, _, _ = play_stored(
        store, scenario, "fr", replies, 0, RuleBasedAssessor(), make_voice("fake"), who
    )
    return session_id


# ------------------------------------------------------------------ the template


def test_the_template_is_a_complete_valid_scenario() -> None:
    assert "\nid: my-scenario\n" in SCENARIO_TEMPLATE
    scenario = load_scenario_text(SCENARIO_TEMPLATE, "my-scenario.yaml", None, practice_ids())
    assert scenario.languages == ["fr", "en"]
    assert scenario.situations and scenario.model_answers and scenario.rubric
    renamed = load_scenario_text(template("anything-else"), "x.yaml", None, practice_ids())
    assert renamed.id == "anything-else"


# ------------------------------------------------------------------ saving


def test_each_save_is_a_new_immutable_numbered_draft(store: SqlStore, trainer: Employer) -> None:
    first = save_scenario(store, trainer, with_brand("Maison Lune"))
    assert isinstance(first, ScenarioVersion)
    assert (first.scenario_id, first.version, first.status) == ("late-parcel", 1, "draft")
    assert first.author == trainer.email and first.author_id == trainer.id
    assert first.languages == ["fr", "en"] and first.title["en"] == "Late parcel"
    second = save_scenario(store, trainer, with_brand("Maison Soleil"))
    assert second.version == 2
    # The same text again (a double click, a rerun) is not a new version.
    assert save_scenario(store, trainer, with_brand("Maison Soleil")).version == 2
    versions = scenario_versions(store, "late-parcel")
    assert [v.version for v in versions] == [1, 2]
    assert versions[0].yaml == first.yaml == with_brand("Maison Lune")
    assert stored_scenario(store, "late-parcel", 1).brand.name == "Maison Lune"
    assert stored_scenario(store, "late-parcel", 2).brand.name == "Maison Soleil"
    assert _count(store) == 2


def test_concurrent_saves_each_get_their_own_version(store: SqlStore, trainer: Employer) -> None:
    texts = [with_brand(f"Maison {n}") for n in range(6)]
    with ThreadPoolExecutor(max_workers=3) as pool:
        saved = list(pool.map(lambda t: save_scenario(store, trainer, t), texts))
    assert sorted(v.version for v in saved) == [1, 2, 3, 4, 5, 6]
    versions = scenario_versions(store, "late-parcel")
    assert {v.yaml for v in versions} == set(texts)
    for v in saved:
        assert versions[v.version - 1].yaml == v.yaml


def test_a_malformed_scenario_is_refused_with_located_problems_and_nothing_stored(
    store: SqlStore, trainer: Employer
) -> None:
    good = template()
    bad = good.replace("reply_time_limit_s: 180", "reply_time_limit_s: soon").replace(
        "channel: x", "channel: telegram"
    )
    with pytest.raises(ContentError) as refused:
        save_scenario(store, trainer, bad)
    lines = bad.splitlines()
    shown = [str(p) for p in refused.value.problems]
    assert f"late-parcel.yaml:{lines.index('channel: telegram') + 1}: channel: " in "\n".join(shown)
    assert any(
        s.startswith(f"late-parcel.yaml:{lines.index('reply_time_limit_s: soon') + 1}: ")
        for s in shown
    )
    with pytest.raises(ContentError, match=r"^scenario\.yaml:1: "):
        save_scenario(store, trainer, "just: [a, broken")
    with pytest.raises(ContentError, match="over the"):
        save_scenario(store, trainer, good + "#" * 600_000)
    with pytest.raises(ContentError, match="not allowed"):
        tagged = "difficulty: !!python/object:os.system beginner"
        save_scenario(store, trainer, good.replace("difficulty: beginner", tagged))
    assert _count(store) == 0


def test_a_scenario_file_id_cannot_be_saved_over(
    store: SqlStore, trainer: Employer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shipped = (ROOT / "scenarios" / "angry-customer.yaml").read_text(encoding="utf-8")
    with pytest.raises(
        ScenarioLibraryError,
        match=r"^id: angry-customer is a shipped scenario; give your copy its own id$",
    ):
        save_scenario(store, trainer, shipped)
    folder = tmp_path / "extra"
    folder.mkdir()
    (folder / "late-parcel.yaml").write_text(template(), encoding="utf-8")
    monkeypatch.setenv("CM_SIM_SCENARIO_PATH", str(folder))
    with pytest.raises(ScenarioLibraryError, match=r"^id: late-parcel is a scenario file"):
        save_scenario(store, trainer, template())
    assert _count(store) == 0


def test_a_trainer_edits_and_publishes_only_their_own(
    store: SqlStore, trainer: Employer, rival: Employer
) -> None:
    save_scenario(store, trainer, template())
    with pytest.raises(NotYourScenario, match="another trainer's"):
        save_scenario(store, rival, with_brand("Hijacked"))
    with pytest.raises(NotYourScenario):
        publish_scenario(store, rival, "late-parcel", 1, [])
    employer = create_staff(store, "hr@example.com", "a long enough password", "employer")
    with pytest.raises(ScenarioLibraryError, match="not a trainer"):
        save_scenario(store, employer, template("hr-scenario"))
    assert [v.version for v in scenario_versions(store, "late-parcel")] == [1]
    assert scenario_versions(store, "late-parcel")[0].status == "draft"
    # The rival's cohort cannot receive it either.
    rival_cohort, _ = _cohort(store, rival)
    with pytest.raises(NotYourCohort):
        publish_scenario(store, trainer, "late-parcel", 1, [rival_cohort])
    assert scenario_versions(store, "late-parcel")[0].status == "draft"
    assert get_cohort(store, rival_cohort).scenarios == ["angry-customer"]  # type: ignore[union-attr]


# ------------------------------------------------------------------ publishing


def test_a_draft_is_never_what_get_scenario_gives(store: SqlStore, trainer: Employer) -> None:
    save_scenario(store, trainer, with_brand("Maison Lune"))
    with pytest.raises(UnknownScenario, match="unknown scenario 'late-parcel'"):
        get_scenario("late-parcel")
    with pytest.raises(UnknownScenarioVersion, match="no published version"):
        stored_scenario(store, "late-parcel")
    assert published_version(store, "late-parcel") is None
    assert published_version(store, "angry-customer") is None  # a file: no versions
    # Its author previews a draft by its number.
    assert get_scenario("late-parcel", version=1).brand.name == "Maison Lune"
    published = publish_scenario(store, trainer, "late-parcel", 1, [])
    assert published.status == "published" and published.published
    assert published_version(store, "late-parcel") == 1
    assert get_scenario("late-parcel").brand.name == "Maison Lune"
    save_scenario(store, trainer, with_brand("Maison Soleil"))
    # A later draft changes nothing for students.
    assert get_scenario("late-parcel").brand.name == "Maison Lune"
    assert stored_scenario(store, "late-parcel").brand.name == "Maison Lune"
    with pytest.raises(NotFound, match="no version 7"):
        publish_scenario(store, trainer, "late-parcel", 7, [])


def test_a_published_scenario_is_assigned_and_played_by_a_student(
    store: SqlStore, trainer: Employer
) -> None:
    saved = save_scenario(store, trainer, with_brand("Maison Lune"))
    cohort_id, code = _cohort(store, trainer)
    publish_scenario(store, trainer, "late-parcel", saved.version, [cohort_id, cohort_id])
    # Publishing again to the same cohort keeps one assignment.
    publish_scenario(store, trainer, "late-parcel", saved.version, [cohort_id])
    cohort = get_cohort(store, cohort_id)
    assert cohort is not None and cohort.scenarios == ["angry-customer", "late-parcel"]
    student, _ = join_cohort(store, code, "Inès")
    statuses = {s.scenario_id: s for s in assignment_statuses(store, student)}
    assert statuses["late-parcel"].status == "todo"
    session_id = _play(store, get_scenario("late-parcel"), student, turns=2)
    stored = store.get(session_id, student.id)
    assert stored.summary.scenario_version == 1
    assert stored.summary.cohort_id == cohort_id
    records = [t.record for t in stored.turns]
    assert len(records) == 2 and all(r is not None for r in records)
    assessment = records[0].assessment  # type: ignore[union-attr]
    assert {c.id for c in assessment.criteria} == {"acknowledge", "next-step"}
    assert assessment.score > 0
    status = {s.scenario_id: s for s in assignment_statuses(store, student)}["late-parcel"]
    assert status.attempts_used == 1 and status.session_ids == [session_id]


def test_publishing_checks_the_cohorts_language(store: SqlStore, trainer: Employer) -> None:
    save_scenario(store, trainer, french_only())
    english, _ = _cohort(store, trainer, "en")
    with pytest.raises(ScenarioLibraryError, match=r"plays in en; colis-fr is written in fr only"):
        publish_scenario(store, trainer, "colis-fr", 1, [english])
    assert scenario_versions(store, "colis-fr")[0].status == "draft"
    french, _ = _cohort(store, trainer, "fr")
    publish_scenario(store, trainer, "colis-fr", 1, [french])
    assert get_cohort(store, french).scenarios[-1] == "colis-fr"  # type: ignore[union-attr]
    # Nor can a cohort be created in a language it is not written in.
    with pytest.raises(CohortError, match="colis-fr is written in fr only, not en"):
        create_cohort(store, trainer, "x", ["colis-fr"], "en")
    scenario = get_scenario("colis-fr")
    with pytest.raises(LanguageNotOffered):
        start_session(store, scenario, "en", 1, RuleBasedAssessor(), make_voice("fake"))


def test_publishing_to_no_cohort_publishes_without_assigning(
    store: SqlStore, trainer: Employer
) -> None:
    cohort_id, _ = _cohort(store, trainer)
    save_scenario(store, trainer, template())
    assert publish_scenario(store, trainer, "late-parcel", 1, []).status == "published"
    assert get_cohort(store, cohort_id).scenarios == ["angry-customer"]  # type: ignore[union-attr]
    # Free practice finds it by id; it is in nobody's list of files.
    assert get_scenario("late-parcel").id == "late-parcel"


# ------------------------------------------------------------------ sessions and versions


def test_a_session_replays_and_resumes_on_its_own_version(
    store: SqlStore, trainer: Employer
) -> None:
    grader, voice = RuleBasedAssessor(), make_voice("fake")
    save_scenario(store, trainer, with_brand("Maison Lune"))
    publish_scenario(store, trainer, "late-parcel", 1, [])
    old = start_session(store, get_scenario("late-parcel"), "fr", 3, grader, voice)
    play_turn(store, old, 1, REPLY, grader, voice, delay_s=20)
    # Edited and republished while the session is under way.
    v2 = save_scenario(store, trainer, with_brand("Maison Soleil"))
    publish_scenario(store, trainer, "late-parcel", v2.version, [])
    assert get_scenario("late-parcel").brand.name == "Maison Soleil"
    record = play_turn(store, old, 2, REPLY, grader, voice, delay_s=20)
    stored = store.get(old)
    assert stored.summary.scenario_version == 1
    assert scenario_for(stored).brand.name == "Maison Lune"
    assert scenario_for(stored, store).brand.name == "Maison Lune"
    # The new turn was graded on version 1: its model answer is the better reply shown.
    assert record.turn == 2
    assert record.assessment.better_reply == "Deuxième réponse de Maison Lune."
    assert stored.turns[1].record == record
    # A session started now plays version 2.
    new = start_session(store, get_scenario("late-parcel"), "fr", 3, grader, voice)
    assert store.get(new).summary.scenario_version == 2
    played = play_turn(store, new, 1, REPLY, grader, voice)
    assert played.assessment.better_reply == "Réponse modèle de Maison Soleil."
    # A shipped scenario has no version.
    shipped = start_session(store, get_scenario("angry-customer"), "fr", 3, grader, voice)
    assert store.get(shipped).summary.scenario_version is None


def test_a_students_practice_session_records_the_published_version(
    store: SqlStore, trainer: Employer
) -> None:
    cohort_id, code = _cohort(store, trainer)
    save_scenario(store, trainer, template())
    publish_scenario(store, trainer, "late-parcel", 1, [cohort_id])
    save_scenario(store, trainer, with_brand("Draft Only"))  # version 2, a draft
    student, _ = join_cohort(store, code, "Noé")
    session_id = practice_session(
        store,
        student,
        get_scenario("late-parcel"),
        "fr",
        1,
        RuleBasedAssessor(),
        make_voice("fake"),
    )
    summary = store.get(session_id).summary
    assert (summary.scenario_version, summary.cohort_id) == (1, cohort_id)
    assert "Draft Only" not in str(store.get(session_id).state.events)


# ------------------------------------------------------------------ listing and export


def test_the_library_lists_the_latest_version_of_each(
    store: SqlStore, trainer: Employer, rival: Employer
) -> None:
    save_scenario(store, trainer, template())
    save_scenario(store, trainer, with_brand("Maison Soleil"))
    save_scenario(store, rival, template("rival-one"))
    everything = library(store)
    assert [(v.scenario_id, v.version, v.author) for v in everything] == [
        ("late-parcel", 2, trainer.email),
        ("rival-one", 1, rival.email),
    ]
    assert [v.scenario_id for v in library(store, trainer)] == ["late-parcel"]
    assert [v.scenario_id for v in library(store, rival)] == ["rival-one"]
    assert scenario_versions(store, "nothing-here") == []


def test_any_scenarios_yaml_can_be_read_back(store: SqlStore, trainer: Employer) -> None:
    shipped = (ROOT / "scenarios" / "viral-crisis.yaml").read_text(encoding="utf-8")
    assert scenario_yaml("viral-crisis") == shipped
    assert scenario_yaml("viral-crisis", store) == shipped
    save_scenario(store, trainer, template())
    save_scenario(store, trainer, with_brand("Maison Soleil"))
    assert scenario_yaml("late-parcel", store) == with_brand("Maison Soleil")
    assert scenario_yaml("late-parcel", store, version=1) == template()
    with pytest.raises(NotFound):
        scenario_yaml("late-parcel")  # stored: needs the store
    with pytest.raises(NotFound):
        scenario_yaml("late-parcel", store, version=9)


def test_a_dropped_store_is_not_asked(tmp_path: Path) -> None:
    before = scenario_source()
    try:
        first = SqlStore.at_path(tmp_path / "one.db")
        trainer = create_staff(first, "t@school.example", "a long enough password", "trainer")
        save_scenario(first, trainer, template())
        publish_scenario(first, trainer, "late-parcel", 1, [])
        assert get_scenario("late-parcel").id == "late-parcel"
        # Another store opened: it is the one asked now.
        second = SqlStore.at_path(tmp_path / "two.db")
        with pytest.raises(UnknownScenario):
            get_scenario("late-parcel")
        del first, second
        with pytest.raises(UnknownScenario):
            get_scenario("late-parcel")
    finally:
        register_scenario_source(before)


# ------------------------------------------------------------------ graded for real


@pytest.mark.slow
def test_the_calibrated_grader_checks_a_stored_scenarios_expectations(
    store: SqlStore, trainer: Employer
) -> None:
    from simulator.factory import make_grader

    save_scenario(store, trainer, template())
    publish_scenario(store, trainer, "late-parcel", 1, [])
    grader = make_grader("exemplar")
    session_id = start_session(
        store, get_scenario("late-parcel"), "fr", 0, grader, make_voice("fake")
    )
    record = play_turn(store, session_id, 1, REPLY, grader, make_voice("fake"))
    checks = {c.id: c.status for c in record.assessment.checks}
    assert set(checks) == {"data-in-public", "name-the-impact", "give-a-time"}
    assert checks["name-the-impact"] == "met" and checks["data-in-public"] == "avoided"
    assert record.assessment.calls_for
    stored = store.get(session_id).turns[0].record
    assert stored is not None and stored.assessment.checks == record.assessment.checks
