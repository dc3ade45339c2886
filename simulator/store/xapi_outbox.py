"""The xAPI outbox: learning records wait in the store until the LRS has them.

A statement is written in the same transaction as what it records, so it is never lost and
never written for something that did not happen; nothing on the reply path touches the
network. `flush` sends the waiting statements in order (the outbox id) and stops at the
first failure, so the LRS receives them in the order they happened. Statement ids are
deterministic, so a statement sent twice (a crash between the POST and the mark, two
processes flushing) is kept once by the LRS.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from typing import Any

import httpx
from pydantic import Field, SecretStr
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session as OrmSession

from simulator.config import Settings, load_settings
from simulator.content import Frozen
from simulator.protocols import Store
from simulator.store.schema import OverrideRow, SessionRow, XapiOutboxRow, utcnow
from simulator.store.sessions import aware
from simulator.store.xapi_statements import XapiSession, grade_overridden

log = logging.getLogger(__name__)

XAPI_VERSION = "1.0.3"
# At most this many characters of an LRS answer are kept as the last error.
ERROR_CHARS = 300


class LrsConfig(Frozen):
    """Where statements go: the LRS's xAPI endpoint and its basic-auth credentials."""

    url: str
    user: str | None = None
    password: SecretStr | None = None
    timeout: float = Field(default=10.0, gt=0, le=300)

    @property
    def statements_url(self) -> str:
        """`.../xAPI/statements` from the endpoint (`http://lrs/xAPI/`) or the bare host."""
        base = self.url.rstrip("/")
        if base.lower().endswith("/statements"):
            return base
        if base.lower().endswith("/xapi"):
            return base + "/statements"
        return base + "/xAPI/statements"

    def auth(self) -> httpx.BasicAuth | None:
        if self.user is None:
            return None
        secret = self.password.get_secret_value() if self.password is not None else ""
        return httpx.BasicAuth(self.user, secret)


def lrs_config(settings: Settings | None = None) -> LrsConfig | None:
    """The configured LRS (CM_SIM_LRS_URL, _USER, _PASSWORD), or None when there is none."""
    settings = settings or load_settings()
    if not settings.lrs_url:
        return None
    return LrsConfig(url=settings.lrs_url, user=settings.lrs_user, password=settings.lrs_password)


def xapi_session(row: SessionRow) -> XapiSession:
    """What the statements of a stored session repeat, from its row."""
    return XapiSession(
        session_id=row.id,
        scenario_id=row.scenario_id,
        lang=row.lang,
        participant_id=row.participant_id,
        cohort_id=row.cohort_id,
    )


def enqueue(orm: OrmSession, statement: dict[str, Any]) -> None:
    """Add a statement to the outbox in the caller's open transaction: it commits (or rolls
    back) with what it records. A statement already queued (same id) is not added twice."""
    sid = str(statement["id"])
    if orm.scalar(select(XapiOutboxRow.id).where(XapiOutboxRow.statement_id == sid)) is None:
        orm.add(XapiOutboxRow(statement_id=sid, statement=statement))


def enqueue_override(orm: OrmSession, row: OverrideRow) -> None:
    """Queue the learning record of a trainer's override, in the transaction that adds the
    row (after `orm.flush()`, so that the row has its id)."""
    if row.id is None:
        orm.flush()
    session_row = orm.get(SessionRow, row.session_id)
    if session_row is None:
        return
    statement = grade_overridden(
        xapi_session(session_row),
        override_id=row.id,
        turn=row.turn,
        criterion=row.criterion,
        machine=row.machine,
        before=row.before,
        after=row.after,
        reason=row.reason,
        trainer_id=row.trainer_id,
        comment=row.comment,
        at=row.created_at,
    )
    enqueue(orm, statement)


def _age_s(moment: datetime | None) -> float | None:
    if moment is None:
        return None
    return round(max(0.0, (utcnow() - aware(moment)).total_seconds()), 3)


def status(store: Store, lrs: LrsConfig | None = None) -> dict[str, Any]:
    """How the outbox stands: statements pending and sent, the oldest pending one's age
    and its last error, and the LRS they go to (None: not configured, they wait)."""
    lrs = lrs or lrs_config()
    with store.session() as orm:
        pending = orm.scalar(
            select(func.count()).select_from(XapiOutboxRow).where(XapiOutboxRow.sent_at.is_(None))
        )
        sent = orm.scalar(
            select(func.count())
            .select_from(XapiOutboxRow)
            .where(XapiOutboxRow.sent_at.is_not(None))
        )
        head = orm.scalars(
            select(XapiOutboxRow)
            .where(XapiOutboxRow.sent_at.is_(None))
            .order_by(XapiOutboxRow.id)
            .limit(1)
        ).first()
        last_sent = orm.scalar(select(func.max(XapiOutboxRow.sent_at)))
    return {
        "lrs": lrs.url if lrs is not None else None,
        "configured": lrs is not None,
        "pending": int(pending or 0),
        "sent": int(sent or 0),
        "oldest_pending_age_s": _age_s(head.created_at) if head is not None else None,
        "attempts": head.attempts if head is not None else 0,
        "last_error": head.last_error if head is not None else None,
        "last_sent_at": _iso(last_sent),
    }


def _iso(moment: datetime | None) -> str | None:
    return aware(moment).isoformat() if moment is not None else None


class _Pending(Frozen):
    id: int
    statement: dict[str, Any]


def _pending(store: Store, limit: int) -> list[_Pending]:
    with store.session() as orm:
        rows = orm.execute(
            select(XapiOutboxRow.id, XapiOutboxRow.statement)
            .where(XapiOutboxRow.sent_at.is_(None))
            .order_by(XapiOutboxRow.id)
            .limit(limit)
        ).all()
    return [_Pending(id=row_id, statement=statement) for row_id, statement in rows]


def _mark(store: Store, ids: list[int], error: str | None) -> None:
    """Delivered (`error` None) or one more failed attempt, for these rows."""
    if not ids:
        return
    values: dict[str, Any] = {
        "attempts": XapiOutboxRow.attempts + 1,
        "last_error": error,
    }
    if error is None:
        values["sent_at"] = utcnow()
    with store.session() as orm:
        orm.execute(
            update(XapiOutboxRow)
            .where(XapiOutboxRow.id.in_(ids), XapiOutboxRow.sent_at.is_(None))
            .values(**values)
        )
        orm.commit()


def _post(
    http: httpx.Client, lrs: LrsConfig, statements: list[dict[str, Any]]
) -> tuple[int | None, str | None]:
    """POST statements: (HTTP status or None, None when the LRS has them all, else what
    went wrong). 409 means the LRS already holds a statement with one of these ids: for a
    single statement that is a delivery (an earlier send got through)."""
    try:
        answer = http.post(lrs.statements_url, json=statements)
    except httpx.HTTPError as exc:
        return None, (f"{type(exc).__name__}: {exc}"[:ERROR_CHARS] or type(exc).__name__)
    code = answer.status_code
    if code in (200, 204):
        return code, None
    if code == 409 and len(statements) == 1:
        log.warning("LRS already holds statement %s (409): delivered", statements[0].get("id"))
        return code, None
    return code, f"HTTP {code}: {answer.text.strip()}"[:ERROR_CHARS]


def _deliver(
    http: httpx.Client, lrs: LrsConfig, rows: list[_Pending]
) -> tuple[list[int], str | None]:
    """The rows the LRS now holds, in order, and the error that stopped it, if any. A batch
    refused with 409 stored nothing: it goes again one statement at a time."""
    code, error = _post(http, lrs, [row.statement for row in rows])
    if error is None:
        return [row.id for row in rows], None
    if code != 409 or len(rows) == 1:
        return [], error
    delivered: list[int] = []
    for row in rows:
        got, error = _deliver(http, lrs, [row])
        delivered += got
        if error is not None:
            break
    return delivered, error


# One flush at a time in a process (the background flusher and `cm-sim xapi flush`).
_FLUSH_LOCK = threading.Lock()


def flush(store: Store, lrs: LrsConfig, batch: int = 50) -> dict[str, Any]:
    """Send pending statements in order, `batch` per request, until none is left or the
    LRS fails; the failure is recorded on the statements it stopped at, which stay pending
    and go first next time. Returns {"sent", "pending", "error", "lrs"}: `error` is None
    when everything went."""
    batch = max(1, batch)
    sent = 0
    error: str | None = None
    with _FLUSH_LOCK, _client(lrs) as http:
        while error is None:
            rows = _pending(store, batch)
            if not rows:
                break
            delivered, error = _deliver(http, lrs, rows)
            _mark(store, delivered, None)
            sent += len(delivered)
            if error is not None:
                _mark(store, [row.id for row in rows if row.id not in delivered], error)
    return {"sent": sent, "pending": status(store, lrs)["pending"], "error": error, "lrs": lrs.url}


def probe_lrs(lrs: LrsConfig) -> str | None:
    """Whether the LRS answers and takes the credentials: None when it does, else why not.
    (One GET of a single statement: what `flush` does not find out when nothing waits.)"""
    try:
        with _client(lrs) as http:
            answer = http.get(lrs.statements_url, params={"limit": 1})
    except httpx.HTTPError as exc:
        return f"{type(exc).__name__}: {exc}"[:ERROR_CHARS] or type(exc).__name__
    if answer.status_code == 200:
        return None
    return f"HTTP {answer.status_code}: {answer.text.strip()}"[:ERROR_CHARS]


def _client(lrs: LrsConfig) -> httpx.Client:
    return httpx.Client(
        timeout=lrs.timeout,
        auth=lrs.auth(),
        headers={"X-Experience-API-Version": XAPI_VERSION},
        follow_redirects=False,
    )


class BackgroundFlusher:
    """A daemon thread that flushes the outbox every `interval_s`, backing off (doubling,
    up to `max_backoff_s`) while the LRS fails. It never raises: failures are logged and
    the statements wait for the next round."""

    def __init__(
        self,
        store: Store,
        lrs: LrsConfig,
        interval_s: float = 5.0,
        max_backoff_s: float = 300.0,
    ) -> None:
        self.store = store
        self.lrs = lrs
        self.interval_s = interval_s
        self.max_backoff_s = max_backoff_s
        self.delay_s = interval_s
        self.last: dict[str, Any] | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="xapi-flusher", daemon=True)

    def start(self) -> BackgroundFlusher:
        if not self._thread.is_alive() and not self._stop.is_set():
            self._thread.start()
        return self

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def wake(self) -> None:
        """Flush soon (something was queued); a backoff in progress still holds."""
        if self.delay_s <= self.interval_s:
            self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def run_once(self) -> None:
        try:
            self.last = flush(self.store, self.lrs)
        except Exception as exc:  # never into the app: log, back off, try again
            log.warning("xAPI flush failed: %s", exc)
            self.last = {"sent": 0, "pending": None, "error": str(exc), "lrs": self.lrs.url}
        if self.last["error"] is None:
            self.delay_s = self.interval_s
        else:
            if self.delay_s <= self.interval_s:
                log.warning(
                    "LRS %s unavailable, statements stay queued: %s",
                    self.lrs.url,
                    self.last["error"],
                )
            self.delay_s = min(self.max_backoff_s, self.delay_s * 2)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.run_once()
            self._wake.wait(self.delay_s)
            self._wake.clear()


_FLUSHERS: dict[int, BackgroundFlusher] = {}
_FLUSHERS_LOCK = threading.Lock()


def ensure_flusher(store: Store, config: LrsConfig | None = None) -> BackgroundFlusher | None:
    """The store's background flusher, started on first call (one per store and process).
    None when no LRS is configured (statements wait in the outbox). Never raises."""
    try:
        with _FLUSHERS_LOCK:
            running = _FLUSHERS.get(id(store))
            if running is not None and running.alive:
                return running
            config = config or lrs_config()
            if config is None:
                return None
            flusher = BackgroundFlusher(store, config).start()
            _FLUSHERS[id(store)] = flusher
            return flusher
    except Exception as exc:
        log.warning("xAPI background flusher not started: %s", exc)
        return None


def wake_flusher(store: Store) -> None:
    """A statement was queued: the store's flusher (started now if an LRS is configured and
    none runs yet) delivers it soon. Costs a dictionary look-up once the flusher runs."""
    flusher = ensure_flusher(store)
    if flusher is not None:
        flusher.wake()


def stop_flushers(timeout: float = 10.0) -> None:
    """Stop every background flusher of this process (tests, shutdown)."""
    with _FLUSHERS_LOCK:
        flushers = list(_FLUSHERS.values())
        _FLUSHERS.clear()
    for flusher in flushers:
        flusher.stop(timeout)
