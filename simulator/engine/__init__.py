"""The engine: the session state machine, the metric model, the crowd, the end-of-session report
and headless play. Names load on first use, so importing the room costs nothing until then.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
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
    from simulator.engine.report_export import (
        markdown_pdf,
        pdf_font,
        quote,
        report_markdown,
        report_pdf,
    )
    from simulator.engine.session import (
        Event,
        LanguageNotOffered,
        ReplyRejected,
        Session,
        SessionOver,
        SessionState,
        TokenSink,
        TurnRecord,
    )

_WHERE = {
    "Event": "simulator.engine.session",
    "Excitation": "simulator.engine.crowd",
    "LanguageNotOffered": "simulator.engine.session",
    "MetricState": "simulator.engine.metrics",
    "ReplyRejected": "simulator.engine.session",
    "Session": "simulator.engine.session",
    "SessionOver": "simulator.engine.session",
    "SessionState": "simulator.engine.session",
    "TokenSink": "simulator.engine.session",
    "TurnRecord": "simulator.engine.session",
    "build_report": "simulator.engine.report",
    "clamp": "simulator.engine.metrics",
    "crowd_turn": "simulator.engine.crowd",
    "inject_excitation": "simulator.engine.crowd",
    "intensity": "simulator.engine.crowd",
    "late_minutes": "simulator.engine.metrics",
    "markdown_pdf": "simulator.engine.report_export",
    "mood_steps": "simulator.engine.metrics",
    "move_mood": "simulator.engine.metrics",
    "pdf_font": "simulator.engine.report_export",
    "play_headless": "simulator.engine.play",
    "play_result": "simulator.engine.play",
    "poisson": "simulator.engine.crowd",
    "quote": "simulator.engine.report_export",
    "reply_excitation": "simulator.engine.crowd",
    "report_markdown": "simulator.engine.report_export",
    "report_pdf": "simulator.engine.report_export",
    "step_metrics": "simulator.engine.metrics",
}
__all__ = [
    "Event",
    "Excitation",
    "LanguageNotOffered",
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
    "pdf_font",
    "play_headless",
    "play_result",
    "poisson",
    "quote",
    "reply_excitation",
    "report_markdown",
    "report_pdf",
    "step_metrics",
]


def __getattr__(name: str) -> object:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
