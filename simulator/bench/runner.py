"""`cm-sim bench`: medians with spread over repeated runs, printed as JSON.

Benchmarks measure; tests never assert on their figures. Each figure is
`{"median": x, "min": lo, "max": hi, "runs": n}`; top-level keys of DESIGN.md hold the median.
"""

from __future__ import annotations

import resource
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from simulator.bench.launch import free_port, streamlit_command, wait_until_up
from simulator.bench.stats import spread, timed
from simulator.community import ScriptedVoice, anchor
from simulator.config import load_settings
from simulator.content import Lang, load_scenario, scenario_ids, shipped_scenario
from simulator.engine import Session
from simulator.factory import make_voice
from simulator.grading import RuleBasedAssessor
from simulator.paths import REPO_ROOT, shipped_scenarios_dir
from simulator.protocols import CommunityVoice, GradingContext, VoiceRequest

SAMPLE_REPLIES = [
    "Bonjour, vraiment désolée pour la gêne, je vérifie tout de suite et je vous écris en MP.",
    "Hi, so sorry about this, I understand how frustrating it is. I'm checking now, DM us.",
    "C'est faux, lisez les CGV.",
    "LOL not our problem, read the FAQ!!!!",
    "We don't know yet what happened; we are investigating and will post an update at 8pm.",
]


def bench_validate(runs: int) -> list[float]:
    shipped = shipped_scenarios_dir()
    paths = [shipped / f"{sid}.yaml" for sid in scenario_ids(shipped)]
    return timed(lambda: [load_scenario(p) for p in paths], runs)


def bench_grade(runs: int) -> tuple[list[float], list[float]]:
    """The default grader (with retrieval for citations) on 100 different dev-set replies of
    all scenarios and both languages: one batch call, and single replies one by one."""
    from simulator.evals import load_dev_set
    from simulator.factory import make_grader, make_knowledge_base

    kb = make_knowledge_base()
    kb.build()
    grader = make_grader(retriever=kb)
    items = load_dev_set()[:100]
    pairs = [
        (
            i.reply,
            GradingContext.model_validate(
                {"scenario": shipped_scenario(i.scenario), "lang": i.lang, "turn": i.turn}
            ),
        )
        for i in items
    ]
    many = getattr(grader, "assess_many", None)
    grader.assess(*pairs[0])  # load the models once, outside the timing
    batch = timed(lambda: many(pairs) if many else [grader.assess(r, c) for r, c in pairs], runs)
    single = timed(lambda: grader.assess(*pairs[7]), max(runs, 10))
    return batch, single


def bench_turn(runs: int) -> list[float]:
    scenario = shipped_scenario("angry-customer")
    samples = []
    for run in range(runs):
        session = Session.start(scenario, "fr", run, RuleBasedAssessor(), ScriptedVoice())
        started = time.perf_counter()
        session.submit(SAMPLE_REPLIES[0], delay_s=30)
        samples.append(time.perf_counter() - started)
    return samples


class _TimedVoice:
    """Wraps a voice to time each community post as the engine asks for it."""

    def __init__(self, voice: CommunityVoice) -> None:
        self.voice = voice
        self.name = voice.name
        self.samples: list[float] = []
        self.first: list[float] = []
        self.injects: list[float] = []

    def speak(self, request: VoiceRequest, on_token: Callable[[str], None] | None = None) -> str:
        started = time.perf_counter()
        seen: list[float] = []
        prefilled = [anchor(request.fallback)]

        def token(text: str) -> None:
            # The prefilled first words are shown at once; time the model's own first token.
            if prefilled and text == prefilled[0]:
                prefilled.clear()
                return
            if not seen:
                seen.append(time.perf_counter() - started)

        text = self.voice.speak(request, token)
        if request.kind == "inject":
            self.injects.append(time.perf_counter() - started)
        else:
            self.samples.append(time.perf_counter() - started)
            self.first.extend(seen[:1])
        return text


def bench_replies(provider: str, sessions: int) -> tuple[list[float], list[float], list[float]]:
    """Community post latency inside real sessions (both languages): reactions (full and
    first model token) and voiced injects apart."""
    timed = _TimedVoice(make_voice(provider))
    scenario = shipped_scenario("angry-customer")
    for run in range(sessions):
        lang: Lang = "fr" if run % 2 == 0 else "en"
        session = Session.start(scenario, lang, run, RuleBasedAssessor(), timed)
        for reply in SAMPLE_REPLIES[:3]:
            if not session.state.ended:
                session.submit(reply, delay_s=30)
    return timed.samples, timed.first, timed.injects


@contextmanager
def _fresh_app() -> Iterator[tuple[int, float]]:
    """A new `streamlit run` process on a free port, and the moment it was started."""
    port = free_port()
    started = time.perf_counter()
    proc = subprocess.Popen(
        streamlit_command(port), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=REPO_ROOT
    )
    try:
        yield port, started
    finally:
        proc.kill()
        proc.wait()


def bench_cold_start(runs: int) -> list[float]:
    """Process start to the first page's HTML served by a fresh `streamlit run`."""
    samples = []
    for _ in range(runs):
        with _fresh_app() as (port, started):
            if wait_until_up(f"http://127.0.0.1:{port}/", pause=0.1):
                samples.append(time.perf_counter() - started)
    return samples


def bench_home_browser(runs: int) -> tuple[list[float], list[float]]:
    """Home drawn in headless Chromium, to its last scenario card: from process start (cold),
    then on reloads of the running app (warm)."""
    from playwright.sync_api import sync_playwright

    from simulator.bench.browser import CHROMIUM_ARGS, chromium_path
    from simulator.content import all_scenarios
    from simulator.store import path_order

    last_card = f".st-key-start-{path_order(all_scenarios()[0])[-1].id} button"
    cold: list[float] = []
    warm: list[float] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            for _ in range(runs):
                with _fresh_app() as (port, started):
                    if not wait_until_up(f"http://127.0.0.1:{port}/_stcore/health", pause=0.05):
                        continue
                    page = browser.new_page()
                    page.goto(f"http://127.0.0.1:{port}/")
                    page.locator(last_card).wait_for(timeout=120_000)
                    cold.append(time.perf_counter() - started)
                    for _ in range(3):
                        began = time.perf_counter()
                        page.reload()
                        page.locator(last_card).wait_for(timeout=60_000)
                        warm.append(time.perf_counter() - began)
                    page.close()
        finally:
            browser.close()
    return cold, warm


def _cold_start(runs: int, details: dict[str, Any]) -> float:
    try:
        cold, warm = bench_home_browser(runs)
        details["cold_start_s"] = spread(cold)
        details["cold_start_s"]["measured"] = "home page drawn in Chromium, to its last card"
        details["home_warm_s"] = spread(warm)
        details["home_warm_s"]["measured"] = "home page reloaded in Chromium, to its last card"
    except Exception as exc:  # no browser here: the first HTML served instead
        details["cold_start_s"] = spread(bench_cold_start(runs))
        details["cold_start_s"]["measured"] = f"first HTML served ({type(exc).__name__})"
    return float(details["cold_start_s"]["median"])


def _load(details: dict[str, Any]) -> None:
    import tempfile
    from pathlib import Path

    from simulator.bench.load import run_concurrent
    from simulator.factory import make_grader
    from simulator.store import SqlStore

    with tempfile.TemporaryDirectory(prefix="cm-sim-load-") as folder:
        store = SqlStore.at_path(Path(folder) / "load.db")
        report = run_concurrent(store, 20, 3, make_grader(), make_voice("fake"))
        store.dispose()
    details["load_20_sessions"] = report.model_dump(exclude={"runs"})


def run_all(
    runs: int = 5,
    progress: Callable[[str], None] = lambda _: None,
    provider: str = "local",
    sizes: tuple[int, ...] = (100, 1_000, 10_000),
) -> dict[str, Any]:
    from simulator.bench.scale import build_times, retrieval_latencies
    from simulator.factory import load_knowledge_content

    details: dict[str, Any] = {}
    progress(f"community replies in sessions ({provider})")
    full, first, injects = bench_replies(provider, max(2, runs // 2))
    details["reply_s"] = spread(full)
    if first:
        details["reply_first_token_s"] = spread(first)
    if injects:
        details["inject_s"] = spread(injects)
    overhead_ratio = None
    if provider == "local":
        from simulator.bench.llm import overhead

        progress("our pipeline against raw llama.cpp, same prompts and token counts")
        details["overhead"] = overhead(load_settings(provider="local"), max(8, runs))
        overhead_ratio = details["overhead"]["overhead_ratio"]
    progress("validate scenarios")
    details["validate_all_s"] = spread(bench_validate(runs))
    progress("grade a batch of 100 replies")
    batch, single = bench_grade(runs)
    details["grade_batch100_s"] = spread(batch)
    details["grade_reply_s"] = spread(single)
    progress("play one engine turn")
    details["turn_s"] = spread(bench_turn(max(runs, 20)))
    progress("build the knowledge index from scratch, then refresh it")
    content = load_knowledge_content()
    builds = [build_times(content) for _ in range(runs)]
    details["index_build_s"] = spread([b[0] for b in builds])
    details["index_refresh_s"] = spread([b[1] for b in builds])
    progress(f"hybrid retrieval at {', '.join(map(str, sizes))} chunks")
    details["retrieval_ms"] = retrieval_latencies(content, sizes)
    progress("20 concurrent sessions through the engine and the store")
    _load(details)
    progress("cold start of the app")
    cold = _cold_start(runs, details)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "overhead_ratio": overhead_ratio,
        "reply_p50_s": details["reply_s"]["median"],
        "provider": provider,
        "grade_batch100_s": details["grade_batch100_s"]["median"],
        "retrieval_p95_ms": {k: v["p95_ms"] for k, v in details["retrieval_ms"].items()},
        "index_build_s": details["index_build_s"]["median"],
        "cold_start_s": cold,
        "home_warm_s": details.get("home_warm_s", {}).get("median"),
        "peak_rss_mb": round(peak_kb / 1024, 1),
        "grader": load_settings().grader,
        "details": details,
    }
