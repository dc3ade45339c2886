"""`cm-sim eval community`: how often the LLM's own words pass the validators, and how fast.

The cases are fixed (simulator/evals/sets/community.yaml); the fallback line is shown when a
post is refused, so the trainee always sees a valid post: acceptance measures the raw LLM.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from simulator.community import VALIDATORS, LLMVoice, VoiceOutcome
from simulator.content import Lang, Strict, get_scenario, read_yaml
from simulator.errors import InputError
from simulator.paths import EVALSETS
from simulator.protocols import VoiceRequest

CASES_FILE = EVALSETS / "community.yaml"


class CommunityCase(Strict):
    scenario: str
    lang: Lang
    persona: str
    mood: str
    reply: str


def load_community_cases(path: Path = CASES_FILE) -> list[CommunityCase]:
    doc = read_yaml(path)
    if doc.problems or not isinstance(doc.data, list):
        raise InputError(f"{path}: not a list of cases")
    return [CommunityCase.model_validate(item) for item in doc.data]


def request_for(case: CommunityCase) -> VoiceRequest:
    scenario = get_scenario(case.scenario)
    persona = scenario.persona(case.persona)
    lines = [text.get(case.lang) for text in scenario.reactions[case.persona].lines(case.mood)]
    opening = [post.text.get(case.lang) for post in scenario.opening]
    return VoiceRequest(
        scenario=scenario,
        lang=case.lang,
        persona=persona,
        mood=case.mood,
        trainee_reply=case.reply,
        thread=[*opening[-2:], case.reply],
        examples=lines,
        fallback=lines[0],
    )


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def summarise(
    cases: list[CommunityCase], outcomes: list[VoiceOutcome], provider: str
) -> dict[str, Any]:
    by_lang: dict[str, list[bool]] = {"fr": [], "en": []}
    rejections: Counter[str] = Counter()
    for case, outcome in zip(cases, outcomes, strict=True):
        by_lang[case.lang].append(outcome.accepted)
        rejections.update(outcome.failures.keys())
    latencies = [o.latency_s for o in outcomes]
    first = [o.first_token_s for o in outcomes if o.first_token_s is not None]
    tokens = sum(o.tokens for o in outcomes)
    total = len(outcomes)
    names = [*VALIDATORS, "provider"]
    return {
        "provider": provider,
        "cases": total,
        "acceptance": round(sum(o.accepted for o in outcomes) / total, 3) if total else 0.0,
        "acceptance_by_lang": {
            lang: round(sum(v) / len(v), 3) if v else 0.0 for lang, v in by_lang.items()
        },
        "per_validator_pass_rate": {
            name: round(1 - rejections[name] / total, 3) if total else 0.0 for name in names
        },
        "latency_p50_s": round(statistics.median(latencies), 3) if latencies else 0.0,
        "latency_p95_s": round(percentile(latencies, 0.95), 3),
        "first_token_p50_s": round(statistics.median(first), 3) if first else None,
        "tokens_per_s": round(tokens / sum(latencies), 1) if sum(latencies) else 0.0,
        "draft_copy_rate": round(sum(o.copied_draft for o in outcomes) / total, 3)
        if total
        else 0.0,
        "samples": [
            {
                "scenario": c.scenario,
                "lang": c.lang,
                "persona": c.persona,
                "mood": c.mood,
                "accepted": o.accepted,
                "copied_draft": o.copied_draft,
                "failures": o.failures,
                "raw": o.raw,
                "latency_s": round(o.latency_s, 3),
            }
            for c, o in zip(cases, outcomes, strict=True)
        ],
    }


def run_community_eval(
    voice: LLMVoice,
    provider: str,
    cases: list[CommunityCase] | None = None,
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> dict[str, Any]:
    cases = cases if cases is not None else load_community_cases()
    outcomes = []
    for index, case in enumerate(cases, start=1):
        outcomes.append(voice.speak_detailed(request_for(case)))
        progress(index, len(cases))
    return summarise(cases, outcomes, provider)
