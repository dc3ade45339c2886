"""`cm-sim doctor`: what is configured, what is installed, and whether the model answers."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from langchain_core.messages import HumanMessage

from simulator.config import load_settings
from simulator.errors import ConfigError
from simulator.llm.local_models import CANDIDATES, ModelNotInstalled, is_installed
from simulator.llm.providers import LLMError, make_chat_model, stream_with_retries


def _shown(url: str | None) -> str | None:
    """The URL without its password: the report is printed and piped into monitoring."""
    parts = urlsplit(url or "")
    if parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))


def diagnose(
    provider: str | None = None, model: str | None = None, answer: bool = True
) -> dict[str, Any]:
    """The active provider and model, and (unless `answer` is False: `answers` is then None)
    whether the model answers a short prompt."""
    report: dict[str, Any] = {"provider": provider, "model": None, "answers": False}
    try:
        settings = load_settings(provider=provider, model=model)
    except ConfigError as exc:
        report["error"] = str(exc)
        return report
    report.update(
        provider=settings.provider,
        model=settings.model or ("default" if settings.provider != "local" else "qwen2.5-0.5b"),
        base_url=_shown(settings.base_url) if settings.provider == "openai" else None,
        timeout_s=settings.timeout_s,
        local_models={name: is_installed(name) for name in CANDIDATES},
    )
    if not answer:
        report["answers"] = None
        return report
    started = time.monotonic()
    try:
        chat = make_chat_model(settings)
        text = stream_with_retries(
            chat,
            [HumanMessage(content="Say hello in five words.")],
            timeout_s=settings.timeout_s,
            max_retries=0,
        )
    except (ModelNotInstalled, LLMError) as exc:
        report["error"] = str(exc)
        return report
    report.update(answers=bool(text.strip()), reply=text.strip()[:80])
    report["latency_s"] = round(time.monotonic() - started, 2)
    return report
