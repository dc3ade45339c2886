"""Drawing pieces the pages share: a feed post, the metrics panel, a criterion bar.

Every text that comes from a user or an LLM goes through `safe_text` (escaped Markdown, no
HTML); only our own catalogue strings and numbers are formatted into Markdown.
"""

from __future__ import annotations

import json

import streamlit as st

from app_pages.common import safe_text
from app_pages.textsafe import escape_markdown
from simulator.content import Lang, Scenario, t
from simulator.engine import Event, SessionState
from simulator.knowledge import Card
from simulator.protocols import Assessment

MOOD_AVATARS = {
    "furious": "😡",
    "angry": "😠",
    "wary": "🤨",
    "calm": "😐",
    "satisfied": "🙂",
    "won_over": "😊",
}
ROLE_AVATARS = {
    "journalist": "📰",
    "influencer": "📣",
    "troll": "👹",
    "bystander": "👤",
    "follower": "👤",
}


def avatar(event: Event, scenario: Scenario) -> str:
    if event.author == "trainee":
        return "🏢"
    if event.author == "crowd":
        return "👥"
    role = next((p.role for p in scenario.personas if p.id == event.author), "customer")
    if role in ROLE_AVATARS:
        return ROLE_AVATARS[role]
    return MOOD_AVATARS.get(event.mood or "", "🙂")


def post(event: Event, scenario: Scenario, lang: Lang) -> None:
    """One post of the feed, drawn like a social network's (avatar, name, handle, time)."""
    who = scenario.brand.name if event.author == "trainee" else event.name
    with st.container(border=True):
        face, body = st.columns([1, 14], vertical_alignment="top")
        face.markdown(f"## {avatar(event, scenario)}")
        with body:
            when = t(lang, "app.minute", minute=f"{event.minute:.0f}")
            badge = f" · ✉️ {t(lang, 'app.dm')}" if event.kind == "dm" else ""
            st.markdown(
                # No code span for the handle: escapes would show inside one ("@julie\\_m").
                f"**{escape_markdown(who)}** {escape_markdown(event.handle)} · {when}{badge}"
            )
            safe_text(event.text)
            if event.author != "trainee":
                st.caption(f"♥ {event.likes} · ⟲ {event.shares}")


def metrics_panel(state: SessionState, lang: Lang) -> None:
    """Sentiment, reach and escalation now, with the change since the previous turn."""
    now = state.metrics
    before = state.history[-2] if len(state.history) > 1 else None
    for key, value, fmt in (
        ("sentiment", now.sentiment, "{:.0f}"),
        ("reach", now.reach, "{:,.0f}"),
        ("escalation", now.escalation, "{:.0f}"),
    ):
        delta = None if before is None else value - before[key]
        st.metric(
            t(lang, f"metric.{key}"),
            fmt.format(value),
            delta=None if delta is None else fmt.format(delta),
            # Rising escalation is bad news: show it red.
            delta_color="inverse" if key == "escalation" else "normal",
        )


def criterion_bar(title: str, score: float) -> None:
    st.progress(max(0, min(100, round(score))), text=f"{title}: {score:.0f}/100")


STATUS_MARKS = {"met": "✅", "missed": "⬜", "violated": "⚠️"}


def turn_checks(assessment: Assessment, lang: Lang, cards: dict[str, Card]) -> None:
    """What the turn called for, and each expectation met (with the words that show it),
    missed or fallen into, with the card to revise. Avoided pitfalls are not listed."""
    if assessment.calls_for:
        st.markdown(f"**{t(lang, 'checks.called_for')}**")
        for sentence in assessment.calls_for:
            safe_text(f"• {sentence}")
    shown = [c for c in assessment.checks if c.status != "avoided"]
    for check in sorted(shown, key=lambda c: ("violated", "missed", "met").index(c.status)):
        label = t(lang, f"checks.{check.status}")
        st.markdown(f"{STATUS_MARKS[check.status]} **{label}**: {escape_markdown(check.text)}")
        if check.status in ("met", "violated") and check.evidence:
            st.caption(escape_markdown(t(lang, "checks.evidence", quote=check.evidence)))
        if check.status != "met":
            card = next((cards[p] for p in check.practices if p in cards), None)
            if card is not None:
                title = escape_markdown(card.title.get(lang))
                st.caption(t(lang, "checks.revise", title=title, id=card.id))


def flags_warning(flags: list[str], lang: Lang) -> None:
    if flags:
        names = ", ".join(t(lang, f"flag.{f}") for f in flags)
        st.warning(t(lang, "debrief.flags", flags=names))


def timer_html(seconds_left: int, running: str, over: str) -> str:
    """A self-contained countdown: our own catalogue texts and a number, shown with
    textContent (no user or model text ever goes in here)."""
    texts = json.dumps({"running": running, "over": over}).replace("</", "<\\/")
    return f"""<div id="t" style="font-family:'Source Sans Pro',sans-serif;font-size:15px;
color:#31333f"></div><script>
const texts = {texts};
let left = {int(seconds_left)};
const box = document.getElementById("t");
function draw() {{
  box.textContent = left >= 0
    ? texts.running.replace("{{seconds}}", left)
    : texts.over.replace("{{seconds}}", -left);
  box.style.color = left >= 0 ? (left < 30 ? "#d33682" : "#31333f") : "#dc322f";
  left -= 1;
}}
draw();
setInterval(draw, 1000);
</script>"""
