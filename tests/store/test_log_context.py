"""Log lines name the stored session whose work wrote them: a post that falls back inside a
played turn says which session it was, a line outside any session says `-`."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from simulator.community import LLMVoice
from simulator.content import get_scenario
from simulator.factory import make_voice
from simulator.grading import RuleBasedAssessor
from simulator.store import (
    LOG_FORMAT,
    SessionIdFilter,
    SqlStore,
    StoredTurn,
    configure_logging,
    finish_pending,
    play_turn,
    session_context,
    start_session,
)
from tests.openai_stub import Behaviour, OpenAIStub

REPLY = "Bonjour Julie, désolé pour la coupure : on vous écrit en message privé pour suivre."
log = logging.getLogger("simulator.tests.log_context")


@pytest.fixture
def lines() -> Iterator[io.StringIO]:
    """What a handler made as `configure_logging` makes it writes, at INFO (where the
    voice's fallbacks are logged)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler.addFilter(SessionIdFilter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStore]:
    opened = SqlStore.at_path(tmp_path / "store.db")
    yield opened
    opened.dispose()


@pytest.fixture
def failing_voice(stub: OpenAIStub, monkeypatch: pytest.MonkeyPatch) -> LLMVoice:
    """A real model server that answers every request with HTTP 500: each post falls back
    to its scripted line, and the voice logs that it did."""
    monkeypatch.setenv("CM_SIM_MAX_RETRIES", "0")
    stub.state.default = Behaviour(status=500)
    return make_voice("openai")


def test_a_line_in_a_session_names_it_and_one_outside_shows_a_dash(lines: io.StringIO) -> None:
    log.warning("before")
    with session_context("abc123"):
        log.warning("inside")
    log.warning("after")
    written = lines.getvalue().splitlines()
    assert [line.split(" [session ")[1] for line in written] == [
        "-] simulator.tests.log_context: before",
        "abc123] simulator.tests.log_context: inside",
        "-] simulator.tests.log_context: after",
    ]
    assert " WARNING [session abc123] " in written[1]


def test_the_context_is_reset_after_the_block_even_when_it_raises(lines: io.StringIO) -> None:
    with session_context("outer"):
        with pytest.raises(RuntimeError), session_context("inner"):
            log.warning("in inner")
            raise RuntimeError("boom")
        log.warning("back in outer")
    log.warning("outside")
    ids = [line.split("[session ")[1].split("]")[0] for line in lines.getvalue().splitlines()]
    assert ids == ["inner", "outer", "-"]


def test_a_fallback_in_a_played_turn_names_its_session(
    store: SqlStore, failing_voice: LLMVoice, lines: io.StringIO
) -> None:
    grader = RuleBasedAssessor()
    scenario = get_scenario("angry-customer")
    session_id = start_session(store, scenario, "fr", 7, grader, make_voice("fake"))
    lines.truncate(0)
    lines.seek(0)
    play_turn(store, session_id, 1, REPLY, grader, failing_voice)
    fallbacks = [line for line in lines.getvalue().splitlines() if "scripted line" in line]
    assert fallbacks, lines.getvalue()
    assert all(f"[session {session_id}] simulator.community" in line for line in fallbacks)


def test_a_pending_reply_finished_later_names_its_session(
    store: SqlStore, failing_voice: LLMVoice, lines: io.StringIO
) -> None:
    grader = RuleBasedAssessor()
    scenario = get_scenario("angry-customer")
    session_id = start_session(store, scenario, "fr", 7, grader, make_voice("fake"))

    def crash(_: StoredTurn) -> None:  # the server stops once the reply is stored
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        play_turn(store, session_id, 1, REPLY, grader, failing_voice, on_received=crash)
    lines.truncate(0)
    lines.seek(0)
    assert finish_pending(store, session_id, grader, failing_voice) is not None
    fallbacks = [line for line in lines.getvalue().splitlines() if "scripted line" in line]
    assert fallbacks and all(f"[session {session_id}]" in line for line in fallbacks)


def test_configure_logging_is_idempotent_and_writes_the_session_to_stderr(
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    # Start from no handler of ours (a CLI test in this process may have installed one).
    for handler in handlers:
        if any(isinstance(f, SessionIdFilter) for f in handler.filters):
            root.removeHandler(handler)
    before = len(root.handlers)
    try:
        configure_logging(logging.WARNING)
        configure_logging(logging.INFO)
        assert len(root.handlers) == before + 1
        assert root.level == logging.INFO
        with session_context("s-42"):
            log.warning("once")
        err = capsys.readouterr().err
        assert err.count("once") == 1
        assert " WARNING [session s-42] simulator.tests.log_context: once" in err
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


def test_the_products_level_is_set_apart_and_follows_the_root_again() -> None:
    """The app logs `simulator` at INFO over a WARNING root; a later CLI-style call in the
    same process (quiet) must not keep that INFO."""
    root, product = logging.getLogger(), logging.getLogger("simulator")
    level, handlers, product_level = root.level, list(root.handlers), product.level
    try:
        configure_logging(logging.WARNING, product_level=logging.INFO)
        assert logging.getLogger("simulator.community").getEffectiveLevel() == logging.INFO
        assert logging.getLogger("httpx").getEffectiveLevel() == logging.WARNING
        configure_logging(logging.WARNING)
        assert logging.getLogger("simulator.community").getEffectiveLevel() == logging.WARNING
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        product.setLevel(product_level)
