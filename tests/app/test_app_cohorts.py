"""The cohort pages in AppTest: a student joins with a link that carries the code, sees the
assignments with their status next to free practice, plays one in the cohort's language;
wrong, full and expired codes each say why; the trainer's grade and comment reach Debrief."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from simulator.store import (
    Employer,
    SqlStore,
    create_cohort,
    create_staff,
    override_grade,
    participant_by_token,
    trainer_grades,
)
from tests.app_helpers import app, stored_state

REPLY = (
    "Bonjour Julie, vraiment désolés pour cette coupure. On vérifie tout de suite et on vous "
    "écrit en MP avec un point précis ce soir à 18 h. — Camille"
)


def join(at: AppTest, name: str) -> AppTest:
    at.run()
    assert not at.exception
    assert at.title[0].value in ("Rejoindre une classe", "Join a class")
    next(i for i in at.text_input if i.label.startswith(("Votre nom", "Your name"))).input(name)
    next(b for b in at.button if b.label in ("Rejoindre la classe", "Join the class")).click()
    at.run()
    assert not at.exception
    return at


def test_a_student_joins_from_the_link_and_plays_an_assignment(
    store: SqlStore, trainer: Employer
) -> None:
    new = create_cohort(
        store, trainer, "Promo 2027", ["angry-customer", "viral-crisis"], "fr", attempts=2
    )
    at = join(app(join=new.join_code.replace("-", "")), "Inès")
    assert at.success[0].value == "Bienvenue dans Promo 2027 !"
    token = str(at.session_state["participant_token"])
    assert any(token in c.value for c in at.code)  # their own link, shown to keep
    who = participant_by_token(store, token)
    assert who is not None and who.cohort_id == new.cohort.id and who.display_name == "Inès"
    # Home: the assignments with their status, then free practice.
    at.switch_page("app_pages/home.py").run()
    assert not at.exception
    assert any(s.value == "Vos devoirs · Promo 2027" for s in at.subheader)
    statuses = [m.value for m in at.markdown if "·" in m.value and "**" in m.value]
    assert any("à faire" in value for value in statuses[:2])
    # An assignment plays in the cohort's language even when the page is in English.
    at.session_state["lang"] = "en"
    next(b for b in at.button if b.key == "assignment-start-angry-customer").click().run()
    assert not at.exception
    assert stored_state(at)["lang"] == "fr"
    session_id = str(at.session_state["session_id"])
    assert store.get(session_id).summary.cohort_id == new.cohort.id
    # Back home: in progress, and "continue" resumes the same attempt.
    at.switch_page("app_pages/home.py").run()
    assert any("in progress" in m.value for m in at.markdown)
    next(b for b in at.button if b.key == "assignment-start-angry-customer").click().run()
    assert str(at.session_state["session_id"]) == session_id


@pytest.mark.parametrize("reason", ["unknown", "full", "expired"])
def test_a_bad_code_says_why_and_lets_nobody_in(
    store: SqlStore, trainer: Employer, reason: str
) -> None:
    new = create_cohort(
        store,
        trainer,
        "Small",
        ["angry-customer"],
        "en",
        seats=1,
        expires_in_days=-1 if reason == "expired" else 30,
    )
    if reason == "full":
        join(app(join=new.join_code), "First")
    code = "WXYZ-WXYZ-WXYZ" if reason == "unknown" else new.join_code
    at = app(join=code)
    at.session_state["lang"] = "en"
    join(at, "Someone")
    expected = {
        "unknown": "This join code is not valid",
        "full": "This class is full",
        "expired": "This join code has expired",
    }[reason]
    assert at.error[0].value.startswith(expected)
    assert "participant_token" not in at.session_state


def test_the_trainers_grade_and_comment_reach_the_students_debrief(
    store: SqlStore, trainer: Employer
) -> None:
    new = create_cohort(store, trainer, "Review", ["angry-customer"], "fr")
    at = join(app(join=new.join_code), "Léa")
    at.session_state["scenario_id"] = "angry-customer"
    at.switch_page("app_pages/practice.py").run()
    at.text_area[0].input(REPLY)
    next(b for b in at.button if b.label == "Publier").click().run()
    assert not at.exception
    session_id = str(at.session_state["session_id"])
    record = store.get(session_id).turns[0].record
    assert record is not None
    criterion = record.assessment.criteria[0].id
    override_grade(
        store,
        session_id,
        1,
        criterion,
        35,
        "La promesse d'un point à 18 h n'est pas tenable ici.",
        trainer,
        comment="Ne promettez pas d'heure sans l'avoir vérifiée.",
    )
    at.switch_page("app_pages/debrief.py").run()
    assert not at.exception
    texts = [m.value for m in at.markdown]
    assert any("Note du formateur" in v and "35/100" in v for v in texts)
    assert any("Ne promettez pas" in c.value for c in at.caption)
    assert any("🧑‍🏫 35" in v for v in texts)


def sign_in(at: AppTest, email: str, password: str) -> AppTest:
    at.switch_page("app_pages/trainer.py").run()
    at.text_input[0].input(email)
    at.text_input[1].input(password)
    next(b for b in at.button if b.label in ("Se connecter", "Sign in")).click().run()
    assert not at.exception
    return at


def test_a_trainer_creates_a_cohort_follows_it_and_reviews_a_grade(
    store: SqlStore, trainer: Employer
) -> None:
    at = app()
    at.session_state["lang"] = "en"
    sign_in(at, "nobody@school.example", "a long enough password")
    assert at.error[0].value == "Wrong e-mail or password."
    create_staff(store, "hr@example.com", "a long enough password", "employer")
    sign_in(at, "hr@example.com", "a long enough password")  # an employer is not a trainer
    assert at.error[0].value == "Wrong e-mail or password."
    sign_in(at, trainer.email, "a long enough password")
    assert any("Signed in as trainer@school.example" in c.value for c in at.caption)
    # A cohort with two assignments, one with a due date.
    at.text_input(key="new_cohort_name").input("Promo B")
    at.multiselect(key="new_cohort_scenarios").set_value(["angry-customer", "viral-crisis"]).run()
    at.checkbox(key="due-on-viral-crisis").check().run()
    at.button(key="create-cohort").click().run()
    assert not at.exception
    assert at.success[0].value.startswith("Cohort created with 30 seats")
    code = at.code[0].value
    assert at.code[1].value.endswith(f"?join={code.replace('-', '')}")
    # A student joins and plays one turn; the dashboard shows them.
    student = join(app(join=code), "Noé")
    student.session_state["scenario_id"] = "angry-customer"
    student.switch_page("app_pages/practice.py").run()
    student.text_area[0].input(REPLY)
    next(b for b in student.button if b.label == "Publier").click().run()
    at.switch_page("app_pages/trainer.py").run()
    assert not at.exception
    assert any("1 of 30 seats taken" in c.value for c in at.caption)
    table = at.dataframe[0].value
    assert list(table.iloc[:, 0]) == ["Noé"]
    assert "in progress" in str(table.iloc[0, 1]) and "to do" in str(table.iloc[0, 2])
    # An override without a reason is refused and changes nothing; with one, it is saved.
    session_id = str(student.session_state["session_id"])
    at.number_input(key=f"ov-score-{session_id}").set_value(90)
    next(b for b in at.button if b.label == "Save the grade").click().run()
    assert at.error[0].value.startswith("The grade was not saved: reason")
    assert trainer_grades(store, session_id) == {}
    at.number_input(key=f"ov-score-{session_id}").set_value(90)
    at.text_area(key=f"ov-reason-{session_id}").input("Excellent tone, the grader missed it.")
    at.text_area(key=f"ov-comment-{session_id}").input("Bravo pour le ton.")
    next(b for b in at.button if b.label == "Save the grade").click().run()
    assert not at.exception
    assert any("🧑‍🏫 90" in c.value for c in at.caption)
    (grade,) = trainer_grades(store, session_id).values()
    assert (grade.after, grade.comment, grade.trainer) == (90, "Bravo pour le ton.", trainer.email)
