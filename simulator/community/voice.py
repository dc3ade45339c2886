"""LLMVoice: an LLM gives the community its words; validators decide whether they are shown.

The engine has already decided who speaks, in which mood, and which scripted line is the
fallback. The voice asks the model for the persona's post in the session's language,
cleans it, validates it, and returns it, or the fallback when anything goes wrong
(a failing validator, a provider error, a timeout). The trainee's reply is never touched.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from typing import Literal

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

from simulator.community.validators import PostContext, clean, similarity, validate
from simulator.content import MOODS, Lang, Strict, t
from simulator.llm import LLMError, stream_with_retries
from simulator.protocols import VoiceRequest

log = logging.getLogger(__name__)

TokenCallback = Callable[[str], None]
# Small local models pay for every prompt token before the first output token.
# Every prompt token costs time on 2 cores before the first word: the trainee's reply and
# the draft are cut (at a sentence end when possible) to what a rewrite needs.
MAX_REPLY_CHARS = 280
MAX_DRAFT_CHARS = 180
# With a prefilled opening quote the post is one line; `clean` cuts at the closing quote
# (not a stop sequence: French posts quote with « » themselves).
PREFILL_STOP = ["\n"]
ANCHOR_WORDS = 2


def shorten(text: str, limit: int) -> str:
    """At most `limit` characters, ending at a sentence end when one is in the second half."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    ends = [m.end() for m in re.finditer(r"[.!?…](\s|$)", cut)]
    if ends and ends[-1] > limit // 2:
        return cut[: ends[-1]].strip()
    return cut.rsplit(" ", 1)[0] + "…"


def first_sentence(text: str) -> str:
    match = re.match(r"(.+?[.!?])(\s|$)", text.strip(), re.DOTALL)
    return match.group(1) if match else text.strip()


class VoiceOutcome(Strict):
    """What happened to one request: shown text, whether the LLM's text was accepted, why not."""

    text: str
    accepted: bool
    failures: dict[str, str]
    raw: str
    latency_s: float
    first_token_s: float | None
    tokens: int
    error: str | None = None
    # The model gave back the scripted draft almost word for word (accepted, but no new words).
    copied_draft: bool = False


PromptStyle = Literal["persona", "narrator"]


def build_messages(
    request: VoiceRequest, prefill: bool = False, style: PromptStyle = "persona"
) -> list[BaseMessage]:
    """Ask for a rewrite of the scripted line, so a small model stays in character and language.

    "persona": the system turn makes the model the persona. "narrator": everything sits in
    the user turn and the persona is named in the third person (a larger small model copies
    the scripted line less that way). With `prefill`, the answer is started with an opening
    quote: the model then writes the post itself and closes the quote, instead of commenting
    on it.
    """
    lang, persona, scenario = request.lang, request.persona, request.scenario
    # The trainee's words are quoted data; guillemets inside are neutralised so the
    # quotation cannot be closed from inside.
    reply = request.trainee_reply.replace("«", '"').replace("»", '"')
    values = {
        "name": persona.name,
        "handle": persona.handle,
        "channel": scenario.channel,
        "profile": first_sentence(persona.profile.get(lang)),
        "brand": scenario.brand.name,
        "reply": shorten(reply, MAX_REPLY_CHARS),
        "mood": t(lang, f"prompt.mood.{request.mood}"),
        "draft": shorten(request.fallback, MAX_DRAFT_CHARS),
    }
    messages: list[BaseMessage]
    if style == "narrator":
        messages = [HumanMessage(content=t(lang, "prompt.narrator", **values))]
    else:
        system = t(lang, "prompt.system", **values)
        messages = [
            SystemMessage(content=system),
            HumanMessage(content=t(lang, "prompt.user", **values)),
        ]
    if prefill:
        messages.append(AIMessage(content=t(lang, "prompt.prefill") + anchor(request.fallback)))
    return messages


def anchor(draft: str) -> str:
    """The draft's first words: the answer starts there, so the model speaks as the persona."""
    return " ".join(draft.split()[:ANCHOR_WORDS])


def instruction_text(lang: Lang) -> str:
    """The fixed wording of the prompts, placeholders removed, for the leak check."""
    template = "\n".join(t(lang, f"prompt.{key}") for key in ("system", "user", "narrator"))
    moods = " ".join(t(lang, f"prompt.mood.{m}") for m in MOODS)
    return re.sub(r"\{\w+\}", " | ", template) + "\n" + moods


def secrets_of(request: VoiceRequest) -> tuple[str, ...]:
    """Texts the community must never reveal: model answers and rubric descriptions."""
    scenario, lang = request.scenario, request.lang
    return tuple(
        [a.text.get(lang) for a in scenario.model_answers]
        + [c.description.get(lang) for c in scenario.rubric]
    )


class LLMVoice:
    """A community voice backed by any LangChain chat model; never raises, never breaks a scene."""

    def __init__(
        self,
        model: BaseChatModel,
        *,
        name: str,
        timeout_s: float = 30.0,
        max_retries: int = 2,
        prefill: bool = False,
        max_tokens: int = 72,
        style: PromptStyle = "persona",
    ) -> None:
        self.style = style
        self.max_tokens = max_tokens
        self.model = model
        self.name = name
        self.prefill = prefill
        self.timeout_s = timeout_s
        self.max_retries = max_retries

    def speak(self, request: VoiceRequest, on_token: TokenCallback | None = None) -> str:
        return self.speak_detailed(request, on_token).text

    def speak_detailed(
        self, request: VoiceRequest, on_token: TokenCallback | None = None
    ) -> VoiceOutcome:
        started = time.monotonic()
        first: list[float] = []
        count = [0]

        def token(text: str) -> None:
            if not first:
                first.append(time.monotonic() - started)
            count[0] += 1
            if on_token is not None:
                on_token(text)

        start = anchor(request.fallback) if self.prefill else ""
        if start and on_token is not None:
            on_token(start)
        try:
            raw = start + stream_with_retries(
                self.model,
                build_messages(request, self.prefill, self.style),
                timeout_s=self.timeout_s,
                max_retries=self.max_retries,
                on_token=token,
                stop=PREFILL_STOP if self.prefill else None,
            )
        except LLMError as exc:
            log.info(
                "%s: provider error for %s, scripted line shown: %s",
                self.name,
                request.persona.id,
                exc,
            )
            return VoiceOutcome(
                text=request.fallback,
                accepted=False,
                failures={"provider": str(exc)},
                raw="",
                latency_s=time.monotonic() - started,
                first_token_s=first[0] if first else None,
                tokens=count[0],
                error=str(exc),
            )
        context = PostContext(
            lang=request.lang,
            trainee_reply=request.trainee_reply,
            persona_name=request.persona.name,
            persona_handle=request.persona.handle,
            secrets=secrets_of(request),
            previous=tuple(request.thread),
            instructions=instruction_text(request.lang),
            truncated=count[0] >= self.max_tokens - 1,
        )
        text = clean(raw, context)
        failures = validate(text, context)
        if failures:
            log.info(
                "%s: post for %s refused (%s), scripted line shown",
                self.name,
                request.persona.id,
                ", ".join(f"{k}: {v}" for k, v in failures.items()),
            )
        return VoiceOutcome(
            text=request.fallback if failures else text,
            accepted=not failures,
            copied_draft=similarity(text, request.fallback) > 0.9,
            failures=failures,
            raw=raw,
            latency_s=time.monotonic() - started,
            first_token_s=first[0] if first else None,
            tokens=count[0],
        )
