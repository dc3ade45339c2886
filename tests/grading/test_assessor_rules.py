"""The rule-based assessor: cues in both languages, rubric scores, localised feedback."""

from __future__ import annotations

import pytest

from simulator.content import detect_features, get_scenario
from simulator.grading import RuleBasedAssessor
from simulator.protocols import GradingContext


@pytest.mark.parametrize(
    ("text", "present", "absent"),
    [
        (
            "Julie, je suis vraiment désolée, je comprends, c'est pénible.",
            {"apology", "empathy"},
            {"blame"},
        ),
        (
            "So sorry Julie, I understand how frustrating this must be.",
            {"apology", "empathy"},
            set(),
        ),
        ("Je vérifie votre ligne et je reviens vers vous ce soir.", {"next_step"}, set()),
        ("A technician will come tomorrow morning, I'll keep you posted.", {"next_step"}, set()),
        (
            "Écrivez-nous en MP avec votre numéro client s'il vous plaît.",
            {"private_channel"},
            {"personal_data_public"},
        ),
        (
            "Please send us a DM with your account number.",
            {"private_channel"},
            {"personal_data_public"},
        ),
        (
            "Donnez-nous votre adresse et votre numéro de téléphone ici.",
            {"personal_data_public"},
            set(),
        ),
        ("Reply here with your phone number and address please.", {"personal_data_public"}, set()),
        ("Vous auriez dû lire les CGV, c'est votre faute.", {"blame"}, {"apology"}),
        ("You should have read the FAQ, it's your fault.", {"blame"}, set()),
        ("Bravo à vous, comme par hasard 🙄", {"sarcasm"}, set()),
        ("lol good luck with that", {"sarcasm"}, set()),
        ("Nous vous garantissons que cela ne se reproduira plus jamais.", {"over_promise"}, set()),
        ("We guarantee a full refund and this will never happen again.", {"over_promise"}, set()),
        ("C'est faux, cette vidéo est un montage.", {"denial"}, set()),
        ("This is fake, it never happened.", {"denial"}, set()),
        ("VOUS N'AVEZ RIEN COMPRIS À NOTRE SERVICE CLIENT", {"shouting"}, set()),
        ("Ok.", {"too_short"}, set()),
        ("Nous ne savons pas encore ce qui s'est passé, nous enquêtons.", {"transparency"}, set()),
        ("We don't know yet what happened; we're investigating.", {"transparency"}, set()),
        ("Bonne journée à vous et merci pour votre message ! — Léa", {"signature"}, set()),
        (
            "Thanks for the kind words, see you at the workshop. The Pédal'o team",
            {"signature"},
            set(),
        ),
        (
            "Je suis désolé pour ce souci, je regarde tout de suite ce qui se passe.",
            set(),
            {"signature"},
        ),
    ],
)
def test_features(text: str, present: set[str], absent: set[str]) -> None:
    found = detect_features(text)
    assert present <= found, found
    assert not (absent & found), found


@pytest.fixture
def context() -> GradingContext:
    return GradingContext(scenario=get_scenario("angry-customer"), lang="fr", turn=1)


def test_good_reply_beats_poor_reply(context: GradingContext) -> None:
    assessor = RuleBasedAssessor()
    good = assessor.assess(
        "Bonjour Julie, toutes nos excuses, je comprends à quel point c'est pénible en "
        "télétravail. Je vérifie votre ligne maintenant et je vous écris en MP. — Camille",
        context,
    )
    poor = assessor.assess("LOL c'est votre faute, lisez la FAQ !!!!", context)
    assert good.score > 75 > 30 > poor.score
    assert {c.id for c in good.criteria} == {c.id for c in context.scenario.rubric}
    assert good.better_reply == context.scenario.model_answers[0].text.fr


def test_empty_reply_scores_zero(context: GradingContext) -> None:
    verdict = RuleBasedAssessor().assess("   ", context)
    assert verdict.score == 0 and verdict.flags == ["empty"]
    assert all(c.feedback == "Aucune réponse n'a été donnée." for c in verdict.criteria)


def test_feedback_is_in_the_session_language(context: GradingContext) -> None:
    fr = RuleBasedAssessor().assess("C'est votre faute.", context)
    en = RuleBasedAssessor().assess("C'est votre faute.", context.model_copy(update={"lang": "en"}))
    assert any("rejeter la faute sur le client" in c.feedback for c in fr.criteria)
    assert any("blaming the customer" in c.feedback for c in en.criteria)


def test_criteria_cite_their_practices(context: GradingContext) -> None:
    verdict = RuleBasedAssessor().assess("Désolée Julie, je regarde.", context)
    for criterion, score in zip(context.scenario.rubric, verdict.criteria, strict=True):
        assert score.practices == criterion.practices
