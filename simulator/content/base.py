"""The two pydantic bases every data model of the package starts from."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Strict(BaseModel):
    """Unknown fields are errors, not silently ignored: a typo in a file is reported."""

    model_config = ConfigDict(extra="forbid")


class Frozen(BaseModel):
    """Strict and immutable: shared values (scenarios, verdicts) cannot be changed in place."""

    model_config = ConfigDict(extra="forbid", frozen=True)
