"""Test doubles for the engine's roles."""

from __future__ import annotations

from collections import deque

from simulator.protocols import Assessment, CriterionScore, GradingContext, VoiceRequest


class ScriptedGrader:
    """Returns the queued scores in order, whatever the reply (the engine's view of a grade)."""

    name = "scripted"

    def __init__(self, scores: list[float]) -> None:
        self.scores = deque(scores)
        self.seen: list[str] = []

    def assess(self, reply: str, context: GradingContext) -> Assessment:
        self.seen.append(reply)
        score = self.scores.popleft()
        return Assessment(
            score=score,
            criteria=[
                CriterionScore(id=c.id, score=score, feedback="", practices=c.practices)
                for c in context.scenario.rubric
            ],
            practices=[],
            better_reply="",
            grader=self.name,
        )


class EchoVoice:
    """A voice that says something recognisable, to tell voiced lines from scripted ones."""

    name = "echo"

    def __init__(self) -> None:
        self.requests: list[VoiceRequest] = []

    def speak(self, request: VoiceRequest, on_token: object = None) -> str:
        self.requests.append(request)
        return f"[{request.persona.id}/{request.mood}] {request.fallback}"
