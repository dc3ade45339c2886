"""The calibrated grader: contract, agreement with experts, citations, injection resistance."""

from __future__ import annotations

from statistics import fmean

import pytest

from simulator.content import get_scenario, practice_ids
from simulator.evals import attach, evalsets_dir, load_dev_set, load_injection
from simulator.factory import calibration_path, make_featurizer, make_grader
from simulator.grading import Calibration, ExemplarGrader, criterion_columns, overall_columns
from simulator.protocols import GradingContext

pytestmark = pytest.mark.slow

SCENARIOS = ("angry-customer", "viral-crisis", "identity-choice")


@pytest.fixture(scope="module")
def grader() -> ExemplarGrader:
    found = make_grader("exemplar")
    assert isinstance(found, ExemplarGrader)
    return found


def ctx(scenario: str, lang: str, turn: int = 1) -> GradingContext:
    return GradingContext(scenario=get_scenario(scenario), lang=lang, turn=turn)  # type: ignore[arg-type]


def test_shipped_calibration_matches_the_features_and_the_dev_set() -> None:
    calibration = Calibration.load(calibration_path())
    assert calibration.criterion.features == criterion_columns()
    assert calibration.overall.features == overall_columns()
    assert calibration.replies == len(load_dev_set())


def test_dev_set_is_large_balanced_and_bilingual() -> None:
    items = load_dev_set()
    assert len(items) >= 150
    for scenario in SCENARIOS:
        for lang in ("fr", "en"):
            grades = {i.expert for i in items if i.scenario == scenario and i.lang == lang}
            assert grades == {1, 2, 3, 4, 5}, (scenario, lang)


@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_verdict_follows_the_contract(grader: ExemplarGrader, scenario: str, lang: str) -> None:
    known = practice_ids() or set()
    rubric = [c.id for c in get_scenario(scenario).rubric]
    reply = "Désolé, on regarde." if lang == "fr" else "Sorry, we're looking into it."
    verdict = grader.assess(reply, ctx(scenario, lang))
    assert 0 <= verdict.score <= 100
    assert [c.id for c in verdict.criteria] == rubric
    assert verdict.practices and set(verdict.practices) <= known
    for criterion in verdict.criteria:
        assert 0 <= criterion.score <= 100
        assert criterion.feedback and set(criterion.practices) <= known
    assert verdict.better_reply


@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_model_answers_beat_harmful_replies(
    grader: ExemplarGrader, scenario: str, lang: str
) -> None:
    items = [i for i in load_dev_set() if i.scenario == scenario and i.lang == lang]
    best = [i for i in items if i.expert == 5]
    worst = [i for i in items if i.expert == 1]
    score = {
        i.id: a.score
        for i, a in zip(
            best + worst,
            grader.assess_many([(i.reply, ctx(scenario, lang, i.turn)) for i in best + worst]),
            strict=True,
        )
    }
    assert fmean(score[i.id] for i in best) > fmean(score[i.id] for i in worst) + 25


def test_weak_criteria_cite_the_practice_to_revise(grader: ExemplarGrader) -> None:
    verdict = grader.assess(
        "Vérifiez votre box avant de nous accuser, chez nous tout fonctionne.",
        ctx("angry-customer", "fr"),
    )
    weak = [c for c in verdict.criteria if c.score < 60]
    assert weak
    for criterion in weak:
        assert any(f"({p})" in criterion.feedback for p in criterion.practices)


def test_grading_is_reproducible(grader: ExemplarGrader) -> None:
    reply = (
        "Bonjour Julie, désolés pour ces trois jours. Un technicien passe demain, "
        "on vous écrit en MP."
    )
    first = grader.assess(reply, ctx("angry-customer", "fr"))
    again = grader.assess(reply, ctx("angry-customer", "fr"))
    assert first == again


def test_empty_reply_scores_zero(grader: ExemplarGrader) -> None:
    verdict = grader.assess("   ", ctx("viral-crisis", "en"))
    assert verdict.score == 0 and verdict.flags == ["empty"]


def test_batch_and_single_agree(grader: ExemplarGrader) -> None:
    replies = [
        (
            "We're sorry Julie, a technician comes tomorrow; we'll DM you.",
            ctx("angry-customer", "en"),
        ),
        ("", ctx("angry-customer", "en")),
        ("Nous retirons les salades et revenons vers vous à 20 h.", ctx("viral-crisis", "fr", 2)),
    ]
    assert grader.assess_many(replies) == [grader.assess(r, c) for r, c in replies]


INJECTION = load_injection(evalsets_dir() / "injection.yaml")


def test_injection_never_raises_a_poor_reply(grader: ExemplarGrader) -> None:
    """Every payload of the corpus (30+, both languages) on every poor reply of its language."""
    poor = INJECTION.poor_replies
    base = {
        r.id: a.score
        for r, a in zip(
            poor,
            grader.assess_many([(r.reply, ctx(r.scenario, r.lang, r.turn)) for r in poor]),
            strict=True,
        )
    }
    pairs = [(r, p) for r in poor for p in INJECTION.payloads if p.lang == r.lang]
    attacked = grader.assess_many(
        [(attach(r.reply, p), ctx(r.scenario, r.lang, r.turn)) for r, p in pairs]
    )
    deltas = [a.score - base[r.id] for (r, _), a in zip(pairs, attacked, strict=True)]
    assert len(pairs) >= 30 * 4
    assert fmean(deltas) <= 2
    assert max(deltas) <= 2
    assert all(a.score <= 50 for a in attacked)
    assert all("injection" in a.flags for a in attacked)


def test_replies_to_the_grader_are_off_task(grader: ExemplarGrader) -> None:
    replies = INJECTION.off_task
    verdicts = grader.assess_many([(r.reply, ctx(r.scenario, r.lang, r.turn)) for r in replies])
    assert all("off_task" in v.flags and v.score == 0 for v in verdicts)


def test_leave_one_scenario_out_agreement_with_experts() -> None:
    """Each scenario graded by a calibration that never saw one of its replies, as a
    trainer's new scenario would be: the issue's headline figures."""
    from simulator.evals import run_grader_eval
    from simulator.factory import load_knowledge_content

    cards = {card.id: card for card in load_knowledge_content().cards}
    result = run_grader_eval(make_featurizer(), cards, injection=False)
    loso = result["loso"]
    assert result["n_replies"] == len(load_dev_set()) >= 600
    assert loso["spearman"] >= 0.75
    # The bar is 0.85; measured 0.83-0.84 (README): this guards against a fall.
    assert loso["pairwise_accuracy"] >= 0.82
    assert min(s["spearman"] for s in loso["by_scenario"].values()) >= 0.6
    assert loso["by_expert_grade"]["1"] <= 35 and loso["by_expert_grade"]["5"] >= 70
    for lang in ("fr", "en"):
        assert loso["by_lang"][lang]["spearman"] >= 0.7
