"""Fixtures of the page tests on the store: the per-test database conftest sets up."""

from __future__ import annotations

import pytest

from simulator.factory import make_store
from simulator.store import Employer, SqlStore, create_staff

TRAINER_PASSWORD = "a long enough password"


@pytest.fixture
def store() -> SqlStore:
    made = make_store()
    assert isinstance(made, SqlStore)
    return made


@pytest.fixture
def trainer(store: SqlStore) -> Employer:
    return create_staff(store, "trainer@school.example", TRAINER_PASSWORD, "trainer")
