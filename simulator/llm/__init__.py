"""Model providers (LangChain chat models: local llama.cpp, OpenAI-compatible, Ollama, fake), the
packaged local models, and the provider check. Names load on first use, so importing the room
costs nothing until then.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simulator.llm.doctor import diagnose
    from simulator.llm.drafts import (
        DRAFT_MEASURES,
        Draft,
        draft_chat_model,
        draft_offered,
        draft_scenario,
    )
    from simulator.llm.local_models import (
        DEFAULT_LOCAL_MODEL,
        VOICES,
        is_installed,
        resolve_model_path,
    )
    from simulator.llm.providers import (
        FakeChatModel,
        LlamaCppChatModel,
        LLMError,
        make_chat_model,
        stream_with_retries,
    )

_WHERE = {
    "DEFAULT_LOCAL_MODEL": "simulator.llm.local_models",
    "DRAFT_MEASURES": "simulator.llm.drafts",
    "Draft": "simulator.llm.drafts",
    "FakeChatModel": "simulator.llm.providers",
    "LLMError": "simulator.llm.providers",
    "LlamaCppChatModel": "simulator.llm.providers",
    "VOICES": "simulator.llm.local_models",
    "diagnose": "simulator.llm.doctor",
    "draft_chat_model": "simulator.llm.drafts",
    "draft_offered": "simulator.llm.drafts",
    "draft_scenario": "simulator.llm.drafts",
    "is_installed": "simulator.llm.local_models",
    "make_chat_model": "simulator.llm.providers",
    "resolve_model_path": "simulator.llm.local_models",
    "stream_with_retries": "simulator.llm.providers",
}
__all__ = [
    "DEFAULT_LOCAL_MODEL",
    "DRAFT_MEASURES",
    "VOICES",
    "Draft",
    "FakeChatModel",
    "LLMError",
    "LlamaCppChatModel",
    "diagnose",
    "draft_chat_model",
    "draft_offered",
    "draft_scenario",
    "is_installed",
    "make_chat_model",
    "resolve_model_path",
    "stream_with_retries",
]


def __getattr__(name: str) -> object:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
