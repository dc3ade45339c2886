"""Model providers (LangChain chat models: local llama.cpp, OpenAI-compatible, Ollama, fake), the
packaged local models, and the provider check.
"""

from simulator.llm.doctor import diagnose
from simulator.llm.local_models import DEFAULT_LOCAL_MODEL, is_installed
from simulator.llm.providers import (
    FakeChatModel,
    LlamaCppChatModel,
    LLMError,
    make_chat_model,
    stream_with_retries,
)

__all__ = [
    "DEFAULT_LOCAL_MODEL",
    "FakeChatModel",
    "LLMError",
    "LlamaCppChatModel",
    "diagnose",
    "is_installed",
    "make_chat_model",
    "stream_with_retries",
]
