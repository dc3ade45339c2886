"""The `ollama` provider against a loopback server speaking Ollama's /api/chat (NDJSON)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest
from langchain_core.messages import HumanMessage

from simulator.config import load_settings
from simulator.llm import make_chat_model, stream_with_retries


class _Ollama(BaseHTTPRequestHandler):
    seen: ClassVar[list[dict[str, Any]]] = []

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
        self.seen.append({"path": self.path, **body})
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson")
        self.end_headers()
        for word in ["Toujours", " rien", " chez", " moi."]:
            line = {"model": body["model"], "message": {"role": "assistant", "content": word}}
            self.wfile.write((json.dumps({**line, "done": False}) + "\n").encode())
        final = {"model": body["model"], "message": {"role": "assistant", "content": ""}}
        self.wfile.write(
            (json.dumps({**final, "done": True, "done_reason": "stop"}) + "\n").encode()
        )


@pytest.fixture
def ollama(monkeypatch: pytest.MonkeyPatch) -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Ollama)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    monkeypatch.setenv("CM_SIM_OLLAMA_URL", f"http://{host!s}:{port}")
    monkeypatch.setenv("CM_SIM_MODEL", "qwen2.5:0.5b")
    yield server
    server.shutdown()
    server.server_close()


def test_ollama_streams_over_http(ollama: ThreadingHTTPServer) -> None:
    tokens: list[str] = []
    model = make_chat_model(load_settings(provider="ollama"))
    text = stream_with_retries(
        model, [HumanMessage(content="hi")], timeout_s=10, max_retries=0, on_token=tokens.append
    )
    assert text == "Toujours rien chez moi."
    assert len(tokens) >= 4
    request = _Ollama.seen[-1]
    assert request["path"] == "/api/chat" and request["model"] == "qwen2.5:0.5b"
