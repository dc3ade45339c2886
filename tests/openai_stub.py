"""A small OpenAI-compatible chat-completions server on loopback, for real HTTP tests.

It answers from a queue of behaviours: a text (streamed as SSE when asked), an HTTP
status (500, 429), a delay longer than the client's timeout, or garbage bytes.
"""

from __future__ import annotations

import contextlib
import json
import random
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Behaviour:
    text: str = ""
    status: int = 200
    delay_s: float = 0.0
    garbage: bool = False


@dataclass
class FaultPlan:
    """Fail a share of the requests (seeded, so a run is repeatable) with one of the kinds:
    429, 500, an answer slower than the client's timeout, or garbage."""

    rate: float
    slow_s: float = 3.0
    seed: int = 0
    kinds: tuple[str, ...] = ("429", "500", "slow", "garbage")
    rng: random.Random = field(init=False)
    injected: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def pick(self) -> Behaviour | None:
        if self.rng.random() >= self.rate:
            return None
        kind = self.rng.choice(self.kinds)
        self.injected[kind] = self.injected.get(kind, 0) + 1
        return {
            "429": Behaviour(status=429),
            "500": Behaviour(status=500),
            "slow": Behaviour(text="too late", delay_s=self.slow_s),
            "garbage": Behaviour(garbage=True),
        }[kind]


@dataclass
class StubState:
    queue: deque[Behaviour] = field(default_factory=deque)
    default: Behaviour = field(default_factory=lambda: Behaviour(text="ok"))
    requests: list[dict[str, Any]] = field(default_factory=list)
    faults: FaultPlan | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


def _chunk(text: str, model: str, finish: str | None = None) -> bytes:
    payload = {
        "id": "chatcmpl-stub",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {"index": 0, "delta": {"content": text} if text else {}, "finish_reason": finish}
        ],
    }
    return f"data: {json.dumps(payload)}\n\n".encode()


class _Handler(BaseHTTPRequestHandler):
    state: StubState

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        # The client may give up first (a timeout test): nothing left to answer to.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._answer()

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        body = json.loads(self.rfile.read(length) or b"{}")
        with self.state.lock:  # concurrent sessions share the plan's random stream
            self.state.requests.append(body)
            behaviour = self.state.queue.popleft() if self.state.queue else None
            if behaviour is None and self.state.faults is not None:
                behaviour = self.state.faults.pick()
        behaviour = behaviour or self.state.default
        if behaviour.delay_s:
            time.sleep(behaviour.delay_s)
        if behaviour.status != 200:
            data = json.dumps({"error": {"message": "stub failure", "type": "server_error"}})
            self.send_response(behaviour.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data.encode())
            return
        if behaviour.garbage:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b"\x00\xffnot json at all")
            return
        model = str(body.get("model", "stub"))
        if body.get("stream"):
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            for word in behaviour.text.split(" "):
                self.wfile.write(_chunk(word + " ", model))
                self.wfile.flush()
            self.wfile.write(_chunk("", model, "stop"))
            self.wfile.write(b"data: [DONE]\n\n")
            return
        data = json.dumps(
            {
                "id": "chatcmpl-stub",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": model,
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": behaviour.text},
                        "finish_reason": "stop",
                    }
                ],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
            }
        )
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data.encode())


class OpenAIStub:
    """`port` 0 takes a free port; a given port brings a stopped stub back at its address."""

    def __init__(self, port: int = 0, state: StubState | None = None) -> None:
        self.state = state or StubState()
        handler = type("Handler", (_Handler,), {"state": self.state})
        self.server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def push(self, *behaviours: Behaviour) -> None:
        self.state.queue.extend(behaviours)

    def __enter__(self) -> OpenAIStub:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
