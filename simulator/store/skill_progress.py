"""A participant's progress over stored sessions: the score trend, a profile per skill, and
the practices to revise.

A skill here is the theme of the practice cards a rubric criterion rests on (empathy and
apology, private channels, crisis communication...): every scenario's criteria map onto
them, so sessions of different scenarios add up on one radar.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from statistics import fmean
from xml.sax.saxutils import escape

from simulator.content import Frozen, get_scenario
from simulator.engine import build_report, clamp
from simulator.knowledge import Card
from simulator.store.sessions import StoredSession


class ProgressPoint(Frozen):
    session_id: str
    scenario_id: str
    lang: str
    when: str
    turns: int
    score: float
    ended: bool


class Progress(Frozen):
    points: list[ProgressPoint]
    skills: dict[str, float]
    revise: list[tuple[str, int]]


def progress(sessions: list[StoredSession], cards: list[Card]) -> Progress:
    """Sessions with at least one graded turn, oldest first, summed up."""
    theme_of = {card.id: card.theme for card in cards}
    by_skill: dict[str, list[float]] = defaultdict(list)
    revise: Counter[str] = Counter()
    points = []
    for stored in sessions:
        state = stored.state
        if not state.turns:
            continue
        version = stored.summary.scenario_version
        report = build_report(get_scenario(state.scenario_id, version=version), state)
        points.append(
            ProgressPoint(
                session_id=stored.id,
                scenario_id=state.scenario_id,
                lang=state.lang,
                when=stored.summary.created_at.strftime("%Y-%m-%d %H:%M"),
                turns=state.turn,
                score=report.score,
                ended=state.ended,
            )
        )
        for criterion in report.criteria:
            for theme in {theme_of[p] for p in criterion.practices if p in theme_of}:
                by_skill[theme].append(criterion.score)
        revise.update(report.practices_to_revise)
    skills = {theme: round(fmean(scores), 1) for theme, scores in sorted(by_skill.items())}
    return Progress(points=points, skills=skills, revise=revise.most_common())


def radar_svg(values: dict[str, float], labels: dict[str, str], size: int = 420) -> str:
    """A radar chart (0-100 on each axis) as SVG: no plotting library, labels escaped."""
    keys = list(values)
    centre, radius = size / 2, size / 2 - 90
    count = max(3, len(keys))

    def at(index: int, fraction: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * index / count
        return (
            round(centre + radius * fraction * math.cos(angle), 1),
            round(centre + radius * fraction * math.sin(angle), 1),
        )

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
        f'viewBox="0 0 {size} {size}" font-family="sans-serif" font-size="11">'
    ]
    for ring in (0.25, 0.5, 0.75, 1.0):
        ring_points = " ".join(f"{x},{y}" for x, y in (at(i, ring) for i in range(count)))
        parts.append(f'<polygon points="{ring_points}" fill="none" stroke="#ddd"/>')
    for index, key in enumerate(keys):
        x, y = at(index, 1.0)
        lx, ly = at(index, 1.18)
        anchor = "middle" if abs(lx - centre) < 10 else ("start" if lx > centre else "end")
        label = escape(f"{labels.get(key, key)} ({values[key]:.0f})")
        parts.append(f'<line x1="{centre}" y1="{centre}" x2="{x}" y2="{y}" stroke="#ddd"/>')
        parts.append(f'<text x="{lx}" y="{ly}" text-anchor="{anchor}">{label}</text>')
    shape = " ".join(
        f"{x},{y}"
        for x, y in (at(i, clamp(values[k], 0.0, 100.0) / 100) for i, k in enumerate(keys))
    )
    parts.append(
        f'<polygon class="profile" points="{shape}" fill="#4c78a8" fill-opacity="0.35" '
        'stroke="#4c78a8" stroke-width="2"/>'
    )
    parts.append("</svg>")
    return "".join(parts)
