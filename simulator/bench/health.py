"""`cm-sim doctor`'s parts: whether each service a deployment leans on answers from here.

Replicas share a database, a Chroma index, a model server and an LRS; one command tells an
operator (or a load balancer's script) which of them this machine reaches. Every check is
read-only (nothing is migrated, built or created), bounded by a short timeout, and never
raises: a failure is `ok: false` with a one-line error. A part that is not configured is
`ok: None`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
from sqlalchemy import text
from sqlalchemy.engine import URL, make_url

from simulator.config import Settings
from simulator.content import LANGS
from simulator.errors import SimulatorError
from simulator.knowledge import ChromaKnowledgeBase, Embedder, KnowledgeContent
from simulator.llm import DEFAULT_LOCAL_MODEL, is_installed
from simulator.store import (
    LrsConfig,
    current_revision,
    head_revision,
    make_engine,
    probe_lrs,
)

Part = dict[str, Any]
# Long enough for a server across a data centre, short enough for a health probe.
TIMEOUT_S = 5.0
# Not every client takes a timeout (Chroma's waits forever): past this a part is down.
DEADLINE_S = 3 * TIMEOUT_S
ERROR_CHARS = 300
OPENAI_URL = "https://api.openai.com/v1"
XAPI_VERSION = "1.0.3"


class PartDown(SimulatorError, RuntimeError):
    """A part answered, but not as a working deployment needs (an empty index, HTTP 401)."""


def hide_password(url: str) -> str:
    """The URL with its password (if any) shown as `***`, safe to print and log."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))


def _one_line(exc: BaseException, secrets: tuple[str, ...]) -> str:
    """The first line of the error, its kind named (but for our own PartDown), no secret."""
    first = next(iter(str(exc).strip().splitlines()), "")
    kind = type(exc).__name__
    message = first if isinstance(exc, PartDown) else f"{kind}: {first}" if first else kind
    for secret in secrets:
        if secret:
            message = message.replace(secret, "***")
    return message[:ERROR_CHARS]


def _run(target: str, probe: Callable[[], Part], secrets: tuple[str, ...] = ()) -> Part:
    """Time one probe; whatever it raises becomes `ok: false` and its first line."""
    started = time.monotonic()
    try:
        found = {"ok": True, **probe()}
    except Exception as exc:  # a health check reports every failure, it never raises
        found = {"ok": False, "error": _one_line(exc, secrets)}
    return {
        "ok": found.pop("ok"),
        "target": target,
        "latency_s": round(time.monotonic() - started, 3),
        **found,
    }


def _down(target: str | None, error: str, latency_s: float = 0.0) -> Part:
    return {"ok": False, "target": target, "latency_s": latency_s, "error": error}


def _not_configured() -> Part:
    return {"ok": None, "target": None, "latency_s": 0.0, "detail": "not configured"}


# ---------------------------------------------------------------------------- database


def _revision_detail(revision: str | None, head: str | None) -> str:
    if revision == head:
        return f"schema at head ({head})"
    if revision is None:
        return f"empty database (the app creates the schema, head {head}, on start)"
    return f"schema at {revision}, head {head} (the app migrates on start)"


def _probe_database(url: URL) -> Part:
    if url.get_backend_name() == "sqlite":
        # Opening a SQLite file that is not there would create it: look first.
        if url.database and url.database != ":memory:" and not Path(url.database).is_file():
            raise PartDown(f"{url.database} does not exist (the app creates it on start)")
    elif url.get_backend_name() == "postgresql":
        url = url.update_query_dict({"connect_timeout": str(int(TIMEOUT_S))})
    engine = make_engine(url.render_as_string(hide_password=False))
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        revision = current_revision(engine)
    finally:
        engine.dispose()
    head = head_revision()
    return {"detail": _revision_detail(revision, head), "revision": revision, "head": head}


def check_database(settings: Settings) -> Part:
    raw = settings.store_url
    try:
        url = make_url(raw)
    except Exception:  # its message repeats the URL, password included
        return _down(None, "database_url: not a database URL")
    secret = str(url.password or "")
    return _run(hide_password(raw), lambda: _probe_database(url), (secret,))


# ---------------------------------------------------------------------------- index


def _probe_index(settings: Settings) -> Part:
    path = settings.chroma_path
    # A persistent client makes its folder and files: an absent index stays absent.
    if not settings.chroma_url and not (path.is_dir() and any(path.iterdir())):
        raise PartDown(f"no index at {path}: run cm-sim index")
    kb = ChromaKnowledgeBase(
        content=KnowledgeContent(cards=[], articles=[]),
        path=path,
        url=settings.chroma_url,
        embedder=Embedder(settings.embedding_model),
    )
    kb.client.heartbeat()
    counts = {c.name: int(c.count()) for c in kb.client.list_collections()}
    wanted = [kb.collection_name(lang, name) for lang in LANGS for name in kb.embedder.names]
    missing = [name for name in wanted if not counts.get(name)]
    if missing:
        raise PartDown(f"missing or empty: {', '.join(missing)}: run cm-sim index")
    chunks = sum(counts[name] for name in wanted)
    return {"detail": f"{chunks} chunks in {len(wanted)} collections", "collections": counts}


def check_index(settings: Settings) -> Part:
    target = (
        hide_password(settings.chroma_url) if settings.chroma_url else str(settings.chroma_path)
    )
    return _run(target, lambda: _probe_index(settings))


# ---------------------------------------------------------------------------- model server


def _get_json(url: str, headers: dict[str, str] | None = None) -> Any:
    answer = httpx.get(url, headers=headers, timeout=TIMEOUT_S)
    if answer.status_code != 200:
        raise PartDown(f"HTTP {answer.status_code} from {hide_password(url)}")
    return answer.json()


def _served(ids: list[str], model: str | None) -> Part:
    found: Part = {"models": ids, "detail": f"{len(ids)} model(s) served"}
    if model and model not in ids:
        # llama.cpp's server answers under any name; Ollama needs the model pulled first.
        found["detail"] += f"; {model!r} not among them"
    return found


def _probe_openai(url: str, settings: Settings) -> Part:
    key = settings.api_key.get_secret_value() if settings.api_key else None
    headers = {"Authorization": f"Bearer {key}"} if key else None
    body = _get_json(url, headers)
    return _served([str(m.get("id")) for m in body.get("data", [])], settings.model)


def _probe_ollama(url: str, settings: Settings) -> Part:
    body = _get_json(url)
    return _served([str(m.get("name")) for m in body.get("models", [])], settings.model)


def _installed(model: str) -> bool:
    """A packaged candidate's chunks are there, or the model names a GGUF file that is."""
    try:
        return is_installed(model)
    except KeyError:  # not a candidate's name: a path
        return Path(model).expanduser().is_file()


def _probe_in_process(settings: Settings) -> Part:
    if settings.provider == "fake":
        return {"detail": "in-process"}
    model = settings.model or DEFAULT_LOCAL_MODEL
    if not _installed(model):
        raise PartDown(f"in-process: model {model!r} is not installed")
    return {"detail": "in-process", "installed": True}


def check_model_server(settings: Settings) -> Part:
    if settings.provider in ("fake", "local"):
        return _run("in-process", lambda: _probe_in_process(settings))
    secrets = (settings.api_key.get_secret_value(),) if settings.api_key else ()
    if settings.provider == "ollama":
        url = settings.ollama_url.rstrip("/") + "/api/tags"
        return _run(hide_password(url), lambda: _probe_ollama(url, settings), secrets)
    url = (settings.base_url or OPENAI_URL).rstrip("/") + "/models"
    return _run(hide_password(url), lambda: _probe_openai(url, settings), secrets)


# ---------------------------------------------------------------------------- lrs


def about_url(lrs: LrsConfig) -> str:
    """The xAPI About resource next to the statements resource (`.../xAPI/about`)."""
    return lrs.statements_url[: -len("statements")] + "about"


def _probe_lrs(lrs: LrsConfig) -> Part:
    with httpx.Client(
        auth=lrs.auth(), headers={"X-Experience-API-Version": XAPI_VERSION}, timeout=TIMEOUT_S
    ) as http:
        answer = http.get(about_url(lrs))
    # Some LRSs (ralph 5.1) have no About resource: the statements probe below still tells.
    if answer.status_code not in (200, 404):
        raise PartDown(f"About: HTTP {answer.status_code}")
    versions = answer.json().get("version", []) if answer.status_code == 200 else None
    # The About resource may be open to anyone: only the statements resource says whether
    # the credentials that deliver the outbox are taken.
    problem = probe_lrs(lrs)
    if problem is not None:
        raise PartDown(f"statements: {problem}")
    about = f"xAPI {', '.join(map(str, versions))}" if versions else "no About resource"
    return {"detail": f"{about}; credentials accepted", "versions": versions}


def check_lrs(settings: Settings) -> Part:
    if not settings.lrs_url:
        return _not_configured()
    lrs = LrsConfig(
        url=settings.lrs_url,
        user=settings.lrs_user,
        password=settings.lrs_password,
        timeout=TIMEOUT_S,
    )
    secret = settings.lrs_password.get_secret_value() if settings.lrs_password else ""
    return _run(hide_password(settings.lrs_url), lambda: _probe_lrs(lrs), (secret,))


# ---------------------------------------------------------------------------- all


CHECKS: dict[str, Callable[[Settings], Part]] = {
    "database": check_database,
    "index": check_index,
    "model_server": check_model_server,
    "lrs": check_lrs,
}


def _secrets(settings: Settings) -> tuple[str, ...]:
    """What no error line may show, whatever went wrong."""
    found = [s.get_secret_value() for s in (settings.api_key, settings.lrs_password) if s]
    for url in (settings.database_url, settings.chroma_url, settings.base_url):
        try:
            found.append(urlsplit(url or "").password or "")
        except ValueError:
            continue
    return tuple(secret for secret in found if secret)


def _guarded(check: Callable[[Settings], Part], settings: Settings) -> Part:
    try:
        return check(settings)
    except Exception as exc:  # a malformed setting (a URL that does not split)
        return _down(None, _one_line(exc, _secrets(settings)))


def check_parts(settings: Settings, deadline_s: float = DEADLINE_S) -> dict[str, Part]:
    """Each part's `{"ok", "target", "latency_s", "detail" | "error", ...}`. The parts are
    asked at once (the answer takes as long as the slowest), each in a daemon thread, so
    that one that never answers is reported down after `deadline_s` instead of hanging."""
    found: dict[str, Part] = {}

    def ask(name: str, check: Callable[[Settings], Part]) -> None:
        found[name] = _guarded(check, settings)

    threads = [
        threading.Thread(target=ask, args=item, name=f"doctor-{item[0]}", daemon=True)
        for item in CHECKS.items()
    ]
    for thread in threads:
        thread.start()
    end = time.monotonic() + deadline_s
    for thread in threads:
        thread.join(max(0.0, end - time.monotonic()))
    late = f"no answer within {deadline_s:g} s"
    return {name: found.get(name) or _down(None, late, deadline_s) for name in CHECKS}
