"""The session a log line belongs to. Several replicas write interleaved logs; each line
carries the id of the stored session whose work produced it, so an operator can follow one
session across fallbacks, provider retries and database retries."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TextIO

LOG_FORMAT = "%(asctime)s %(levelname)s [session %(session_id)s] %(name)s: %(message)s"
# What a line logged outside any session shows.
NO_SESSION = "-"

# A ContextVar, not a global or a thread-local: Streamlit serves each browser session on
# its own thread, and a copied context follows work handed to other threads or tasks.
current_session_id: ContextVar[str | None] = ContextVar("cm_sim_session_id", default=None)


@contextmanager
def session_context(session_id: str) -> Iterator[None]:
    """Lines logged inside the block carry `session_id`; the previous id is back after it
    (also when the block raises)."""
    token = current_session_id.set(session_id)
    try:
        yield
    finally:
        current_session_id.reset(token)


class SessionIdFilter(logging.Filter):
    """Sets `record.session_id` on every record (it never drops one), so LOG_FORMAT can
    name it whatever logger the record comes from."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.session_id = current_session_id.get() or NO_SESSION
        return True


class _StderrHandler(logging.StreamHandler[TextIO]):
    """Writes to `sys.stderr` as it is when a line is logged, not when the handler was made:
    a test runner (or Streamlit) may swap the stream after start-up and close the old one."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        # StreamHandler assigns the stream in __init__ and setStream; the live one wins.
        pass


def configure_logging(level: int, product_level: int | None = None) -> None:
    """One stderr handler on the root logger with LOG_FORMAT and the session id; calling it
    again only changes the levels (never a second handler, so never a line twice).
    `product_level` sets the `simulator` loggers apart from the libraries' (the app logs
    what the product absorbs at INFO); None lets them follow `level`."""
    root = logging.getLogger()
    root.setLevel(level)
    logging.getLogger("simulator").setLevel(product_level or logging.NOTSET)
    if any(isinstance(handler, _StderrHandler) for handler in root.handlers):
        return
    handler = _StderrHandler()
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler.addFilter(SessionIdFilter())
    root.addHandler(handler)
