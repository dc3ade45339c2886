"""`cm-sim bench` measures and prints JSON; figures are not asserted, their presence is."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from simulator.cli import app


@pytest.mark.slow
def test_bench_prints_the_figures() -> None:
    result = CliRunner().invoke(app, ["bench", "--runs", "1", "--provider", "fake", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    for key in ("reply_p50_s", "grade_batch100_s", "cold_start_s", "peak_rss_mb"):
        assert isinstance(data[key], float | int), key
    for figure in data["details"].values():
        assert figure["min"] <= figure["median"] <= figure["max"]
