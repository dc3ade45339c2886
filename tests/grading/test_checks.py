"""What each turn calls for, checked with evidence: negation-aware cues, real sign-offs,
situations by turn and by inject, expectations met or missed and pitfalls fallen into, with
the sentence of the reply that shows it."""

from __future__ import annotations

import pytest

from simulator.content import detect_features, get_scenario
from simulator.factory import make_grader
from simulator.grading import ExemplarGrader, applicable
from simulator.protocols import GradingContext

pytestmark = pytest.mark.slow

JULIE = get_scenario("angry-customer")


@pytest.fixture(scope="module")
def grader() -> ExemplarGrader:
    found = make_grader("exemplar")
    assert isinstance(found, ExemplarGrader)
    return found


def ctx(turn: int, lang: str = "en", fired: list[str] | None = None) -> GradingContext:
    return GradingContext(
        scenario=JULIE,
        lang=lang,  # type: ignore[arg-type]
        turn=turn,
        fired=fired if fired is not None else JULIE.timed_injects_before(turn),
    )


@pytest.mark.parametrize(
    ("text", "present", "absent"),
    [
        ("We can't guarantee a time yet; next update at 2pm.", set(), {"over_promise"}),
        ("Je ne peux pas vous garantir d'heure pour l'instant.", set(), {"over_promise"}),
        ("It WILL go ahead, guaranteed!", {"over_promise"}, set()),
        ("All connections will be fully restored by 8pm tonight.", {"over_promise"}, set()),
        ("Ce n'est pas votre faute, Julie.", set(), {"blame"}),
        ("C'est votre faute, vous avez mal branché la box.", {"blame"}, set()),
        (
            "Don't post your number here: send us a DM.",
            {"private_channel"},
            {"personal_data_public"},
        ),
        (
            "Indiquez-nous en réponse l'adresse mail de votre abonnement.",
            {"personal_data_public"},
            set(),
        ),
        (
            "It's quite possible the whole city is affected, we can't rule it out.",
            {"speculation"},
            set(),
        ),
    ],
)
def test_cues_read_negation_and_new_faults(text: str, present: set[str], absent: set[str]) -> None:
    found = detect_features(text)
    assert present <= found and not (absent & found), found


@pytest.mark.parametrize(
    ("text", "signed"),
    [
        ("Hi Julie, we're on it. Sam", True),
        ("L'incident est en cours de réparation.\n— Camille, service communication", True),
        ("Merci Thomas ! Léa de l'atelier", True),
        ("Merci pour votre patience. Cordialement, Julie", True),
        ("On se voit demain. Bonne journée !", False),
        ("Merci Julie !", False),
        ("Écrivez-nous en DM.", False),
    ],
)
def test_real_sign_offs_are_signatures(text: str, signed: bool) -> None:
    assert ("signature" in detect_features(text)) is signed


def test_situations_hold_by_turn_and_by_inject() -> None:
    first = {a.check.id for a in applicable(JULIE, 1, [])}
    later = {a.check.id for a in applicable(JULIE, 3, [])}
    with_reporter = {a.check.id for a in applicable(JULIE, 3, ["journalist-asks-outage"])}
    assert first != later
    assert later < with_reporter  # the journalist's checks join once she has asked


def test_a_strong_reply_meets_what_the_turn_calls_for(grader: ExemplarGrader) -> None:
    reply = (
        "Julie, three days without internet when you work from home is a real problem, and "
        "I'm sorry about the hotline too. There is an incident on a fibre node in "
        "Villeurbanne and technicians are on it; I don't have a reliable restoration time "
        "yet, so I won't invent one. DM us and I'll set up 4G data so you can work "
        "meanwhile. Next update here at 2pm. – Sami"
    )
    verdict = grader.assess(reply, ctx(1))
    met = [c for c in verdict.checks if c.status == "met"]
    assert verdict.calls_for and met
    assert all(c.evidence and c.evidence in reply for c in met)
    assert not [c for c in verdict.checks if c.status == "violated"]
    assert verdict.score >= 70


def test_a_polished_false_promise_falls_into_the_pitfall(grader: ExemplarGrader) -> None:
    reply = (
        "Dear Julie, we truly understand how frustrating this is and we sincerely apologise. "
        "Good news: our technicians have identified the fault, and your connection will be "
        "fully restored by 6pm today, guaranteed. Thank you for your patience."
    )
    verdict = grader.assess(reply, ctx(1))
    violated = [c for c in verdict.checks if c.status == "violated"]
    assert violated and any("6pm" in c.evidence for c in violated)
    strong = grader.assess(
        "Julie, we don't have a time yet and I won't guess one; DM us for 4G data meanwhile. "
        "Next update at 2pm. – Sami",
        ctx(1),
    )
    assert verdict.score < strong.score


def test_the_feedback_names_what_was_missed_and_the_card(grader: ExemplarGrader) -> None:
    verdict = grader.assess("Send us a DM.", ctx(1))
    missed = [c for c in verdict.checks if c.status == "missed"]
    assert missed
    feedback = " ".join(c.feedback for c in verdict.criteria)
    assert any(c.text in feedback for c in missed)
    assert "(" in feedback  # a card to revise, by id


def test_a_closing_turn_is_not_judged_against_the_first(grader: ExemplarGrader) -> None:
    closing = (
        "Thanks for your patience, Julie, and glad the line is back. Everyone in "
        "Villeurbanne should be reconnected now; if your box is still red, DM us. – Sami"
    )
    first = {c.id for c in grader.assess(closing, ctx(1)).checks}
    last = {c.id for c in grader.assess(closing, ctx(JULIE.end.max_turns)).checks}
    assert first != last
