"""The engine: the session state machine, the metric model, the crowd, the end-of-session report
and headless play.
"""

from simulator.engine.crowd import (
    Excitation,
    crowd_turn,
    inject_excitation,
    intensity,
    poisson,
    reply_excitation,
)
from simulator.engine.metrics import (
    MetricState,
    clamp,
    late_minutes,
    mood_steps,
    move_mood,
    step_metrics,
)
from simulator.engine.play import play_headless, play_result
from simulator.engine.report import build_report
from simulator.engine.report_export import markdown_pdf, quote, report_markdown, report_pdf
from simulator.engine.session import (
    Event,
    ReplyRejected,
    Session,
    SessionOver,
    SessionState,
    TokenSink,
    TurnRecord,
)

__all__ = [
    "Event",
    "Excitation",
    "MetricState",
    "ReplyRejected",
    "Session",
    "SessionOver",
    "SessionState",
    "TokenSink",
    "TurnRecord",
    "build_report",
    "clamp",
    "crowd_turn",
    "inject_excitation",
    "intensity",
    "late_minutes",
    "markdown_pdf",
    "mood_steps",
    "move_mood",
    "play_headless",
    "play_result",
    "poisson",
    "quote",
    "reply_excitation",
    "report_markdown",
    "report_pdf",
    "step_metrics",
]
