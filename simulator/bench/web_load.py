"""Many sessions at once through the real server, as browsers would play them: each practice
link in its own headless tab (`HeadlessPage`, Streamlit's websocket protocol without a
browser), all starting together, each reply published through the page's form.

Where `load.py` measures the engine and the store, this measures the whole app: the Streamlit
server (or a load balancer in front of several), its script runs, the shared database.
"""

from __future__ import annotations

import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from urllib.parse import parse_qs, urlencode, urlsplit

from simulator.bench.headless import HeadlessPage
from simulator.bench.load import SCENARIOS
from simulator.bench.streamlit_wire import HeadlessError
from simulator.community import ScriptedVoice
from simulator.content import Frozen, Lang, get_scenario, t
from simulator.errors import InputError, SimulatorError
from simulator.grading import RuleBasedAssessor
from simulator.protocols import Store
from simulator.store import create_learner, practice_session

FIRST_ERRORS = 5  # error messages kept in the report; the count covers them all


class WebSessionRun(Frozen):
    session_id: str
    sent: list[str]
    turn_s: list[float]
    error: str | None = None


class WebLoadReport(Frozen):
    sessions: int
    turns: int
    errors: int
    first_errors: list[str]
    wall_s: float
    turns_per_s: float
    turn_p50_s: float
    turn_p95_s: float
    runs: list[WebSessionRun]


def make_links(store: Store, base_url: str, count: int, lang_mix: bool = True) -> list[str]:
    """`count` new learners, each with a practice session in `store` (the server's database),
    and the resumable link of each: scenarios in turn, French and English alternating
    (English only without `lang_mix`)."""
    # The opening posts are the scenario's own lines: no model is needed to start a session.
    grader, voice = RuleBasedAssessor(), ScriptedVoice()
    links = []
    for index in range(count):
        lang: Lang = "fr" if lang_mix and index % 2 == 0 else "en"
        who, token = create_learner(store)
        scenario = get_scenario(SCENARIOS[index % len(SCENARIOS)])
        session_id = practice_session(store, who, scenario, lang, index, grader, voice)
        query = urlencode({"me": token, "s": session_id, "lang": lang})
        links.append(f"{base_url.rstrip('/')}/practice?{query}")
    return links


def _page_of(base_url: str, link: str) -> str:
    """The page and query of `link` (what follows the app's address)."""
    base = base_url.rstrip("/") + "/"
    if not link.startswith(base):
        raise InputError(f"{link} is not a page of {base_url}")
    return link[len(base) :]


def _reply(session_id: str, turn: int, lang: Lang) -> str:
    """A reply that names its session and turn, so any cross-talk shows in the store."""
    tag = f"[{session_id} t{turn}]"
    if lang == "fr":
        return f"Bonjour, désolés pour la gêne : on regarde et on écrit en MP. {tag}"
    return f"Hi, sorry for the trouble: we're checking and will DM you. {tag}"


def _left(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise HeadlessError("the load run's time limit was reached")
    return left


def _reply_field(tab: HeadlessPage, send: str) -> str | None:
    """The label of the field in the form that the send button submits; None when there is
    no such form (the session is over)."""
    widgets = tab.widgets().values()
    button = next((w for w in widgets if w.submits_form and w.label == send), None)
    if button is None:
        return None
    kinds = ("text_area", "text_input")
    field = next((w for w in widgets if w.kind in kinds and w.form_id == button.form_id), None)
    return field.label if field is not None else None


def _expect_turn(tab: HeadlessPage, lang: Lang, turn: int) -> None:
    # "Turn 2 of " cannot be read in "Turn 12 of 15": the prefix is enough.
    shown = t(lang, "app.turn", turn=turn, max="")
    texts = tab.texts()
    if not any(text.startswith(shown) for text in texts):
        # The page ends with the turn's outcome and any error the app showed.
        seen = " | ".join(text[:80] for text in texts[-6:])
        raise HeadlessError(f"after publishing, the page does not show {shown!r}…; it ends: {seen}")


def _play(base_url: str, link: str, turns: int, deadline: float) -> WebSessionRun:
    """One session, as a learner would play it from their link; its error, if any, stays
    in its own result."""
    query = parse_qs(urlsplit(link).query)
    session_id = query.get("s", [""])[0]
    lang: Lang = "en" if query.get("lang") == ["en"] else "fr"  # the app's default is French
    send = t(lang, "app.send")
    sent: list[str] = []
    timings: list[float] = []
    try:
        with HeadlessPage() as tab:
            tab.open(base_url, _page_of(base_url, link), timeout_s=_left(deadline))
            for turn in range(1, turns + 1):
                field = _reply_field(tab, send)
                if field is None:
                    break
                text = _reply(session_id, turn, lang)
                started = time.perf_counter()
                tab.submit_form(field, text, send, timeout_s=_left(deadline))
                _expect_turn(tab, lang, turn)
                timings.append(time.perf_counter() - started)
                sent.append(text)
    except SimulatorError as exc:
        error = f"{session_id} turn {len(sent) + 1}: {exc}"
        return WebSessionRun(session_id=session_id, sent=sent, turn_s=timings, error=error)
    return WebSessionRun(session_id=session_id, sent=sent, turn_s=timings)


def _p95(timings: list[float]) -> float:
    ordered = sorted(timings)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] if ordered else 0.0


def run_web_load(base_url: str, links: list[str], turns: int, timeout_s: float) -> WebLoadReport:
    """Open every link in its own thread, all together (a barrier), and play up to `turns`
    turns each. A failed session is counted and the others go on; everything stops by
    itself `timeout_s` after the start."""
    if not links:
        raise InputError("no links to play")
    for link in links:
        _page_of(base_url, link)  # a link of another app is refused before anything starts
    barrier = threading.Barrier(len(links))
    deadline = time.monotonic() + timeout_s

    def worker(link: str) -> WebSessionRun:
        # A session that could not start with the others still plays.
        with suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=timeout_s)
        return _play(base_url, link, turns, deadline)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=len(links)) as pool:
        runs = list(pool.map(worker, links))
    wall = time.perf_counter() - started
    timings = [s for run in runs for s in run.turn_s]
    errors = [run.error for run in runs if run.error is not None]
    return WebLoadReport(
        sessions=len(runs),
        turns=len(timings),
        errors=len(errors),
        first_errors=errors[:FIRST_ERRORS],
        wall_s=round(wall, 3),
        turns_per_s=round(len(timings) / wall, 2) if wall else 0.0,
        turn_p50_s=round(statistics.median(timings), 4) if timings else 0.0,
        turn_p95_s=round(_p95(timings), 4),
        runs=runs,
    )
