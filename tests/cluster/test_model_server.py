"""The community model on an inference server: llama.cpp's OpenAI-compatible server
(llama-cpp-python[server]) on the packaged model, reached through our openai provider,
as `make cluster` runs it."""

from __future__ import annotations

from pathlib import Path

from langchain_core.messages import HumanMessage

from simulator.bench import MODEL_ALIAS, Service, free_port, model_server_command
from simulator.config import Settings, load_settings
from simulator.llm import make_chat_model, resolve_model_path


def test_the_llama_cpp_server_answers_through_the_openai_provider(tmp_path: Path) -> None:
    port = free_port()
    gguf = resolve_model_path(None, load_settings().data_dir)
    base_url = f"http://127.0.0.1:{port}/v1"
    server = Service(
        "model",
        model_server_command(gguf, port, 1),
        {},
        tmp_path / "model.log",
        f"{base_url}/models",
    )
    server.start(timeout=300)
    try:
        settings = Settings(provider="openai", base_url=base_url, model=MODEL_ALIAS, max_tokens=12)
        answer = make_chat_model(settings).invoke(
            [HumanMessage(content="Write a long story about a cat who runs a bakery.")]
        )
    finally:
        server.stop()
    assert isinstance(answer.content, str) and answer.content.strip()
    # The server honours the length cap (it ignores the newer max_completion_tokens).
    usage = answer.response_metadata["token_usage"]
    assert 0 < usage["completion_tokens"] <= 12, usage
