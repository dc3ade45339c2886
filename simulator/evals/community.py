"""`cm-sim eval community`: how often the LLM's own words pass the validators, and how fast.

The cases are fixed (simulator/evals/sets/community.yaml), or drawn from every scenario
(`--all-scenarios`: its personas, the blind graded replies of its dev set, a mood that
follows the reply's grade); the fallback line is shown when a post is refused, so the trainee
always sees a valid post: acceptance measures the raw LLM. With `turns`, whole engine turns
are timed too (a turn voices several posts: reactions, injects).
"""

from __future__ import annotations

import statistics
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from simulator.community import VALIDATORS, LLMVoice, VoiceOutcome
from simulator.content import LANGS, MOODS, Lang, Scenario, Strict, read_yaml, shipped_scenario
from simulator.engine import Session
from simulator.errors import InputError
from simulator.evals.devset import GradedReply
from simulator.grading import RuleBasedAssessor
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
    scenario = shipped_scenario(case.scenario)
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


def scenario_cases(
    scenarios: list[Scenario], replies: list[GradedReply], per_scenario: int = 4
) -> list[CommunityCase]:
    """`per_scenario` cases per scenario and language: the personas in turn (the lead first),
    graded replies spread from the weakest to the strongest, the mood following the grade
    (a poor reply meets fury, a strong one a calmer persona)."""
    cases = []
    for scenario in sorted(scenarios, key=lambda s: s.id):
        voiced = [scenario.lead_persona] + [
            p.id for p in scenario.personas if p.id != scenario.lead_persona
        ]
        voiced = [pid for pid in voiced if pid in scenario.reactions]
        for lang in LANGS:
            pool = sorted(
                (r for r in replies if r.scenario == scenario.id and r.lang == lang),
                key=lambda r: (r.expert, r.id),
            )
            if not pool or not voiced:
                continue
            for i in range(per_scenario):
                reply = pool[round(i * (len(pool) - 1) / max(1, per_scenario - 1))]
                cases.append(
                    CommunityCase(
                        scenario=scenario.id,
                        lang=lang,
                        persona=voiced[i % len(voiced)],
                        mood=MOODS[min(len(MOODS) - 1, max(0, reply.expert - 1))],
                        reply=reply.reply,
                    )
                )
    return cases


def strongest_reply(replies: list[GradedReply], scenario: Scenario, lang: Lang, turn: int) -> str:
    """A good reply for this turn from the dev set, else the model answer for it."""
    graded = [r for r in replies if r.scenario == scenario.id and r.lang == lang and r.turn == turn]
    if graded:
        return max(graded, key=lambda r: (r.expert, r.id)).reply
    answers = [a for a in scenario.model_answers if a.turn <= turn] or scenario.model_answers
    return answers[-1].text.get(lang)


def time_turns(
    voice: LLMVoice,
    scenarios: list[Scenario],
    replies: list[GradedReply],
    turns: int,
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> dict[str, Any]:
    """Whole engine turns with this voice, every scenario and language: seconds per turn,
    posts per turn, and the share of posts in the voice's own words (not the scripted line)."""
    seconds: list[float] = []
    posts: list[int] = []
    voiced = fell_back = 0
    total = len(scenarios) * len(LANGS)
    for index, (scenario, lang) in enumerate(
        ((s, lang) for s in sorted(scenarios, key=lambda s: s.id) for lang in LANGS), start=1
    ):
        session = Session.start(scenario, lang, 1, RuleBasedAssessor(), voice)
        for turn in range(1, turns + 1):
            if session.state.ended:
                break
            started = time.perf_counter()
            session.submit(strongest_reply(replies, scenario, lang, turn), delay_s=60)
            seconds.append(time.perf_counter() - started)
            new = [e for e in session.state.events if e.turn == turn and e.source in VOICED]
            posts.append(len(new))
            voiced += sum(e.source == "voice" for e in new)
            fell_back += sum(e.source == "script" for e in new)
        progress(index, total)
    asked = voiced + fell_back
    return {
        "turns": len(seconds),
        "turn_p50_s": round(statistics.median(seconds), 3) if seconds else 0.0,
        "turn_p95_s": round(percentile(seconds, 0.95), 3),
        "posts_per_turn": round(statistics.fmean(posts), 2) if posts else 0.0,
        "own_words_in_turns": round(voiced / asked, 3) if asked else 0.0,
    }


# Posts the voice was asked for (an accepted post, or the scripted line it fell back to).
VOICED = ("voice", "script")


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
    copied: dict[str, list[bool]] = {"fr": [], "en": []}
    rejections: Counter[str] = Counter()
    for case, outcome in zip(cases, outcomes, strict=True):
        by_lang[case.lang].append(outcome.accepted)
        copied[case.lang].append(outcome.copied_draft)
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
        "copy_share_by_lang": {
            lang: round(sum(copies) / len(copies), 3) if copies else 0.0
            for lang, copies in copied.items()
        },
        "by_scenario": by_scenario(cases, outcomes),
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


def by_scenario(
    cases: list[CommunityCase], outcomes: list[VoiceOutcome]
) -> dict[str, dict[str, Any]]:
    """Per scenario and language: acceptance, share of posts copying the scripted line, and
    the median seconds per post."""
    grouped: dict[str, dict[str, list[VoiceOutcome]]] = {}
    for case, outcome in zip(cases, outcomes, strict=True):
        grouped.setdefault(case.scenario, {}).setdefault(case.lang, []).append(outcome)
    return {
        scenario: {
            lang: {
                "cases": len(found),
                "acceptance": round(sum(o.accepted for o in found) / len(found), 3),
                "copy_share": round(sum(o.copied_draft for o in found) / len(found), 3),
                "latency_p50_s": round(statistics.median(o.latency_s for o in found), 3),
            }
            for lang, found in sorted(by_lang.items())
        }
        for scenario, by_lang in sorted(grouped.items())
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
