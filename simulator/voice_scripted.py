"""ScriptedVoice: the community speaks the scenario's own lines (deterministic, offline).

It is the `fake` provider of the foundation and the fallback every LLM voice falls
back to: the engine has already chosen the line (seeded, never repeated), so the
scripted voice simply says it.
"""

from __future__ import annotations

from simulator.protocols import VoiceRequest


class ScriptedVoice:
    name = "scripted"

    def speak(self, request: VoiceRequest) -> str:
        return request.fallback
