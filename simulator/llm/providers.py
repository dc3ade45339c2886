"""LangChain chat models behind one factory, and bounded, streaming calls to them.

Providers: `local` (llama.cpp on an embedded GGUF model), `openai` (any OpenAI-compatible
server by base URL), `ollama`, `fake` (deterministic, for tests and offline demos).
Heavy libraries are imported only when their provider is built.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict, Field, PrivateAttr, SecretStr

from simulator.config import Settings
from simulator.errors import ProviderError
from simulator.llm.local_models import resolve_model_path

log = logging.getLogger(__name__)


class LLMError(ProviderError):
    """A provider failed for good: after bounded retries, or on a deadline."""


_ROLES = {"human": "user", "ai": "assistant", "system": "system"}


def to_openai_messages(messages: list[BaseMessage]) -> list[dict[str, str]]:
    return [{"role": _ROLES.get(m.type, "user"), "content": str(m.content)} for m in messages]


@lru_cache(maxsize=2)
def _load_llama(path: str, threads: int, n_ctx: int) -> Any:
    """Load a GGUF model once per process (and per thread count); llama.cpp is not cheap."""
    import numpy as np
    from llama_cpp import Llama
    from llama_cpp.llama_cache import LlamaRAMCache

    llama = Llama(model_path=path, n_ctx=n_ctx, n_threads=threads, verbose=False, seed=0)
    # Without logprobs (we never ask), llama-cpp-python samples inside llama.cpp and never
    # writes its `scores` array, yet every saved state copies n_tokens rows of it: 240 MB
    # and 0.1-0.4 s per answer on a 151k-token vocabulary, uncounted by the cache's budget
    # (4 GB resident after a few sessions). An empty array keeps saved states to the KV data.
    llama.scores = np.zeros((llama.scores.shape[0], 0), dtype=np.single)
    # Prompt states are kept by prefix: a persona's fixed instructions are evaluated once,
    # later turns only pay for the new posts (prompt evaluation dominates on 2 cores).
    llama.set_cache(LlamaRAMCache(capacity_bytes=1 << 30))
    return llama


@lru_cache(maxsize=2)
def _chat_formatter(path: str, threads: int, n_ctx: int) -> Any:
    """The model's chat template, compiled once (Jinja compiles in tens of milliseconds)."""
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    llama = _load_llama(path, threads, n_ctx)
    return Jinja2ChatFormatter(
        template=llama.metadata.get("tokenizer.chat_template", ""),
        eos_token=llama.detokenize([llama.token_eos()]).decode("utf-8", "ignore"),
        bos_token=llama.detokenize([llama.token_bos()]).decode("utf-8", "ignore"),
    )


class LlamaCppChatModel(BaseChatModel):
    """llama.cpp through llama-cpp-python, as a LangChain chat model (streaming included)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    model_path: str
    threads: int = 2
    n_ctx: int = 2048
    temperature: float = 0.7
    max_tokens: int = 72
    seed: int = 0
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    @property
    def _llm_type(self) -> str:
        return "llama-cpp"

    def _llama(self) -> Any:
        return _load_llama(self.model_path, self.threads, self.n_ctx)

    def _params(self, stop: list[str] | None, **kwargs: Any) -> dict[str, Any]:
        return {
            "temperature": kwargs.get("temperature", self.temperature),
            "max_tokens": kwargs.get("max_tokens", self.max_tokens),
            "seed": kwargs.get("seed", self.seed),
            # A post is one paragraph: stop before a model starts commenting on it.
            "stop": stop or ["\n"],
            "repeat_penalty": 1.15,
            "top_p": 0.9,
        }

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        text = "".join(chunk.text for chunk in self._stream(messages, stop, run_manager, **kwargs))
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

    def _prompt(self, messages: list[BaseMessage]) -> str:
        """The model's own chat template, plus a prefilled start of the answer if one is given.

        A trailing AI message is a prefill: the answer continues it (e.g. an opening quote
        that makes a small model write the post itself, not a comment about it).
        """
        prefill = ""
        if messages and messages[-1].type == "ai":
            prefill, messages = str(messages[-1].content), messages[:-1]
        formatter = _chat_formatter(self.model_path, self.threads, self.n_ctx)
        return formatter(messages=to_openai_messages(messages)).prompt + prefill  # type: ignore[no-any-return]

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        llama = self._llama()
        prompt = self._prompt(messages)
        params = self._params(stop, **kwargs)
        params["stop"] = [*params["stop"], "<|im_end|>", "<|endoftext|>"]
        # One generation at a time per model: llama.cpp contexts are not thread-safe.
        with self._lock:
            for part in llama.create_completion(prompt, stream=True, **params):
                delta = part["choices"][0].get("text") or ""
                if not delta:
                    continue
                chunk = ChatGenerationChunk(message=AIMessageChunk(content=delta))
                if run_manager is not None:
                    run_manager.on_llm_new_token(delta, chunk=chunk)
                yield chunk


class FakeChatModel(BaseChatModel):
    """Deterministic stand-in: answers from a queue, then with the prompt's last quotation.

    The community prompt ends with the persona's scripted draft in «»; giving it back is
    what a perfectly obedient model would do, so the fake exercises the whole path
    (prompt, streaming, validators) without a model.
    """

    responses: list[str] = Field(default_factory=list)
    delay_s: float = 0.0

    @property
    def _llm_type(self) -> str:
        return "fake"

    def _answer(self, messages: list[BaseMessage]) -> str:
        if self.delay_s:
            time.sleep(self.delay_s)
        if self.responses:
            return self.responses.pop(0)
        quotes = re.findall(r"«([^«»]+)»", str(messages[-1].content)) if messages else []
        return quotes[-1] if quotes else "..."

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return ChatResult(
            generations=[ChatGeneration(message=AIMessage(content=self._answer(messages)))]
        )

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        for word in self._answer(messages).split(" "):
            yield ChatGenerationChunk(message=AIMessageChunk(content=word + " "))


def make_chat_model(settings: Settings) -> BaseChatModel:
    """The chat model for the configured provider; no network or disk access until first use."""
    if settings.provider == "fake":
        return FakeChatModel()
    if settings.provider == "local":
        path = resolve_model_path(settings.model, settings.data_dir)
        return LlamaCppChatModel(
            model_path=str(path),
            threads=settings.threads,
            temperature=settings.temperature,
            max_tokens=settings.max_tokens,
        )
    if settings.provider == "openai":
        from langchain_openai import ChatOpenAI

        if not settings.base_url and settings.api_key is None:
            raise LLMError("openai provider: set CM_SIM_BASE_URL (a server) or CM_SIM_API_KEY")
        return ChatOpenAI(
            model=settings.model or "gpt-4o-mini",
            base_url=settings.base_url,
            api_key=settings.api_key or SecretStr("not-needed"),
            timeout=settings.timeout_s,
            max_retries=0,  # retries are ours: bounded, with backoff, within one deadline
            temperature=settings.temperature,
            max_completion_tokens=settings.max_tokens,
            # Self-hosted servers (llama.cpp's) ignore max_completion_tokens and would write
            # on: they get the older field too.
            extra_body={"max_tokens": settings.max_tokens} if settings.base_url else None,
        )
    from langchain_ollama import ChatOllama

    return ChatOllama(
        model=settings.model or "qwen2.5:0.5b",
        base_url=settings.ollama_url,
        temperature=settings.temperature,
        num_predict=settings.max_tokens,
        client_kwargs={"timeout": settings.timeout_s},
    )


def stream_with_retries(
    model: BaseChatModel,
    messages: list[BaseMessage],
    *,
    timeout_s: float,
    max_retries: int,
    on_token: Callable[[str], None] | None = None,
    stop: list[str] | None = None,
    backoff_s: float = 0.5,
    sleep: Callable[[float], None] = time.sleep,
) -> str:
    """Stream one answer; retry a failed attempt with exponential backoff, all within timeout_s.

    A failure after tokens were shown is not retried: the caller would see text vanish.
    """
    deadline = time.monotonic() + timeout_s
    last_error: Exception | None = None
    for attempt in range(max_retries + 1):
        parts: list[str] = []
        try:
            for chunk in model.stream(messages, stop=stop):
                text = str(chunk.content)
                parts.append(text)
                if on_token is not None and text:
                    on_token(text)
                if time.monotonic() > deadline:
                    raise LLMError(f"deadline of {timeout_s:.0f} s reached while streaming")
            return "".join(parts)
        except LLMError:
            raise
        except Exception as exc:
            last_error = exc
            if parts or attempt == max_retries:
                break
            pause = backoff_s * (2**attempt)
            if time.monotonic() + pause > deadline:
                break
            log.info("provider attempt %d failed (%s); retrying in %.1f s", attempt + 1, exc, pause)
            sleep(pause)
    raise LLMError(f"provider failed: {type(last_error).__name__}: {last_error}") from last_error
