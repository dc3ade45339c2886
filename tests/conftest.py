"""Tests run on the deterministic fake provider unless they ask for another one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _fake_provider_by_default(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("CM_SIM_PROVIDER", "fake")
    monkeypatch.delenv("CM_SIM_CONFIG", raising=False)
    yield
