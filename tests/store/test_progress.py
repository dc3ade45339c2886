"""Progress over stored sessions: trend points, the skills profile, what to revise."""

from __future__ import annotations

import re
from pathlib import Path

from simulator.content import get_scenario
from simulator.factory import load_knowledge_content, make_voice
from simulator.grading import RuleBasedAssessor
from simulator.store import SqlStore, play_turn, progress, radar_svg, start_session


def test_progress_sums_up_sessions_by_skill(tmp_path: Path) -> None:
    store = SqlStore.at_path(tmp_path / "p.db")
    grader, voice = RuleBasedAssessor(), make_voice("fake")
    ids = []
    for reply in ("ok", "Bonjour Julie, vraiment désolés : on regarde et on vous écrit en DM."):
        sid = start_session(store, get_scenario("angry-customer"), "fr", 1, grader, voice)
        play_turn(store, sid, 1, reply, grader, voice)
        ids.append(sid)
    ids.append(start_session(store, get_scenario("viral-crisis"), "fr", 1, grader, voice))
    cards = load_knowledge_content().cards
    summary = progress([store.get(i) for i in ids], cards)
    assert [p.session_id for p in summary.points] == ids[:2]  # the unplayed one is left out
    assert summary.points[0].score < summary.points[1].score
    themes = {card.theme for card in cards}
    assert summary.skills and set(summary.skills) <= themes
    assert "empathy-and-apology" in summary.skills
    assert all(0 <= v <= 100 for v in summary.skills.values())
    assert summary.revise and summary.revise[0][1] >= 1


def test_radar_draws_one_vertex_per_skill_and_escapes_labels() -> None:
    svg = radar_svg({"a": 80.0, "b": 40.0, "c": 0.0, "d": 120.0}, {"a": "<script>x</script>"})
    shape = re.search(r'class="profile" points="([^"]+)"', svg)
    assert shape and len(shape.group(1).split()) == 4
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert svg.startswith("<svg") and svg.endswith("</svg>")
