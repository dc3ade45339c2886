"""ScriptedVoice: the community speaks the scenario's own lines (deterministic, offline).

It is the `fake` provider of the foundation and the fallback every LLM voice falls
back to: the engine has already chosen the line (seeded, never repeated), so the
scripted voice simply says it.
"""

from __future__ import annotations

from collections.abc import Callable

from simulator.protocols import VoiceRequest


class ScriptedVoice:
    name = "scripted"

    def speak(self, request: VoiceRequest, on_token: Callable[[str], None] | None = None) -> str:
        if on_token is not None:
            on_token(request.fallback)
        return request.fallback
