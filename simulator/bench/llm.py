"""The community voice's overhead over the raw model: the same prompt, the same number of
tokens, once through our pipeline (LangChain streaming, retries, validators) and once
straight through llama.cpp's `create_completion`. Both run with a warm prompt cache, so
the difference is ours, not the model's prompt evaluation."""

from __future__ import annotations

import statistics
import time
from typing import Any

from simulator.bench.stats import spread
from simulator.community import LLMVoice, anchor, build_messages
from simulator.config import Settings
from simulator.evals import load_community_cases, request_for
from simulator.factory import make_voice
from simulator.llm import LlamaCppChatModel


def overhead(settings: Settings, requests: int = 8) -> dict[str, Any]:
    """Median latency through the voice, median raw generation time, and their ratio."""
    voice = make_voice("local", settings)
    model = voice.model
    if not isinstance(voice, LLMVoice) or not isinstance(model, LlamaCppChatModel):
        raise TypeError("the overhead benchmark needs the local llama.cpp voice")
    llama = model._llama()
    ours: list[float] = []
    raw: list[float] = []
    tokens: list[int] = []
    chunks: list[int] = []
    for case in load_community_cases()[:requests]:
        request = request_for(case)
        voice.speak_detailed(request)  # warm the prompt cache for both measurements
        outcome = voice.speak_detailed(request)
        # Count what the model generated, in its own tokens: streamed chunks can merge
        # several tokens (held back while they might start a stop sequence).
        generated = outcome.raw
        start = anchor(request.fallback) if voice.prefill else ""
        if start and generated.startswith(start):
            generated = generated[len(start) :]
        count = max(1, len(llama.tokenize(generated.encode("utf-8"), add_bos=False)))
        prompt = model._prompt(build_messages(request, voice.prefill, voice.style))
        started = time.perf_counter()
        llama.create_completion(
            prompt,
            max_tokens=count,
            temperature=model.temperature,
            top_p=0.9,
            repeat_penalty=1.15,
            seed=0,
            stop=[],
        )
        raw.append(time.perf_counter() - started)
        ours.append(outcome.latency_s)
        tokens.append(count)
        chunks.append(outcome.tokens)
    ours_median, raw_median = statistics.median(ours), statistics.median(raw)
    return {
        "overhead_ratio": round(ours_median / raw_median, 3) if raw_median else None,
        "ours_s": spread(ours),
        "raw_s": spread(raw),
        "tokens": spread([float(t) for t in tokens]),
        "streamed_chunks": spread([float(c) for c in chunks]),
    }
