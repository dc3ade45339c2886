"""`cm-sim bench` measures and prints JSON; figures are not asserted, their presence is."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from simulator.cli import app


@pytest.mark.slow
def test_bench_prints_the_figures() -> None:
    result = CliRunner().invoke(
        app, ["bench", "--runs", "1", "--provider", "fake", "--sizes", "100,400", "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    for key in ("reply_p50_s", "grade_batch100_s", "cold_start_s", "peak_rss_mb", "index_build_s"):
        assert isinstance(data[key], float | int), key
    assert data["overhead_ratio"] is None  # no raw model behind the fake provider
    assert set(data["retrieval_p95_ms"]) == {"100", "400"}
    sizes = data["details"]["retrieval_ms"]
    assert sizes["100"]["chunks"] <= 120 and 380 <= sizes["400"]["chunks"] <= 420
    if "Chromium" in data["details"]["cold_start_s"]["measured"]:
        assert 0 < data["home_warm_s"] <= data["details"]["home_warm_s"]["max"]
    load = data["details"]["load_20_sessions"]
    # Sessions may end before 3 turns (a crisis out of control): at least one turn each.
    assert load["sessions"] == 20 and load["turns"] >= 20
    for key, figure in data["details"].items():
        if "median" in figure:
            assert figure["min"] <= figure["median"] <= figure["max"], key
