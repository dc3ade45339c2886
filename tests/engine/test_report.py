"""The session report: the practices to revise are the few that cost the most."""

from __future__ import annotations

from simulator.community import ScriptedVoice
from simulator.content import get_scenario
from simulator.engine import Session, build_report
from simulator.protocols import Assessment, CheckResult, CriterionScore, GradingContext

JULIE = get_scenario("angry-customer")


def check(cid: str, status: str, practices: list[str], severity: str | None = None) -> CheckResult:
    kind = "pitfall" if status in ("violated", "avoided") else "expectation"
    return CheckResult(
        id=cid,
        kind=kind,  # type: ignore[arg-type]
        criterion=JULIE.rubric[0].id,
        text=cid,
        status=status,  # type: ignore[arg-type]
        strength=0.9 if status in ("met", "violated") else 0.1,
        similarity=0.5,
        practices=practices,
        severity=severity,  # type: ignore[arg-type]
    )


class CheckingGrader:
    """Every reply misses the same expectations and falls into one harmful pitfall."""

    name = "checking"

    def assess(self, reply: str, context: GradingContext) -> Assessment:
        return Assessment(
            score=55.0,
            criteria=[
                CriterionScore(id=c.id, score=55.0, feedback="f", practices=c.practices)
                for c in JULIE.rubric
            ],
            practices=[],
            better_reply="b",
            grader=self.name,
            checks=[
                check("impact", "missed", ["empathy-acknowledge-impact"]),
                check("next", "missed", ["concrete-next-step"]),
                check("promise", "violated", ["no-over-promise"], "harmful"),
                check("data", "avoided", ["never-ask-personal-data-public"]),
                check("tone", "met", ["calm-tone-under-pressure"]),
                check("sign", "missed", ["signature-first-name", "personalise-reply"]),
            ],
        )

    def assess_many(self, replies: list[tuple[str, GradingContext]]) -> list[Assessment]:
        return [self.assess(r, c) for r, c in replies]


def test_at_most_three_practices_to_revise_dearest_first() -> None:
    session = Session.start(JULIE, "en", 1, CheckingGrader(), ScriptedVoice())
    for _ in range(2):
        session.submit("Sorry Julie, it will be back by 6pm.")
    report = build_report(JULIE, session.state)
    revise = report.practices_to_revise
    assert len(revise) == 3
    # The harmful pitfall costs twice a missed expectation: it comes first.
    assert revise[0] == "no-over-promise"
    assert "calm-tone-under-pressure" not in revise  # met
    assert "never-ask-personal-data-public" not in revise  # avoided
