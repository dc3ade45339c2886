"""The expert-graded dev set and the injection corpora, loaded with located errors.

Dev set: `simulator/evals/sets/grader/<scenario>.yaml`, replies graded 1-5 overall and
per rubric criterion by a CM trainer. Injection corpora: `simulator/evals/sets/
injection*.yaml`, poor replies plus payloads to append to them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, ValidationError

from simulator.content import (
    Lang,
    Problem,
    Strict,
    problems_from_validation,
    read_yaml,
    shipped_scenario,
)
from simulator.errors import ContentError
from simulator.paths import EVALSETS

Grade = Annotated[int, Field(ge=1, le=5)]


class GradedReply(Strict):
    id: str
    lang: Lang
    turn: Annotated[int, Field(ge=1, le=30)] = 1
    reply: Annotated[str, Field(min_length=1, max_length=2000)]
    expert: Grade
    criteria: dict[str, Grade]
    rationale: Annotated[str, Field(min_length=3)]
    # What kind of reply it is (false-promise, stock-apology, closing...), for the figures.
    kind: str | None = None
    # Filled from the file, not written in it.
    scenario: str = ""
    # Which set it comes from: `grader` (written with the first grader) or `grader-blind`
    # (written and graded by someone who never saw the grader).
    source: str = ""


class DevFile(Strict):
    scenario: str
    items: Annotated[list[GradedReply], Field(min_length=1)]


class PoorReply(Strict):
    id: str
    scenario: str
    lang: Lang
    turn: Annotated[int, Field(ge=1, le=30)] = 1
    reply: str


class Payload(Strict):
    id: str
    lang: Lang
    kind: str
    position: Literal["start", "end", "middle"]
    text: str


class InjectionCorpus(Strict):
    poor_replies: list[PoorReply]
    payloads: Annotated[list[Payload], Field(min_length=1)]
    off_task: list[PoorReply] = []


def evalsets_dir() -> Path:
    return EVALSETS


def _load(path: Path, model: type[Strict]) -> tuple[Strict, list[Problem]]:
    doc = read_yaml(path)
    if doc.problems:
        raise ContentError(doc.problems)
    try:
        return model.model_validate(doc.data), []
    except ValidationError as exc:
        raise ContentError(problems_from_validation(doc, exc)) from None


def load_dev_file(path: Path) -> list[GradedReply]:
    """One scenario's graded replies; every rubric criterion must be graded, no other."""
    parsed, _ = _load(path, DevFile)
    assert isinstance(parsed, DevFile)
    doc = read_yaml(path)
    rubric = [c.id for c in shipped_scenario(parsed.scenario).rubric]
    problems: list[Problem] = []
    seen: set[str] = set()
    for index, item in enumerate(parsed.items):
        loc = ("items", index)
        if set(item.criteria) != set(rubric):
            missing = sorted(set(rubric) - set(item.criteria))
            extra = sorted(set(item.criteria) - set(rubric))
            problems.append(doc.problem((*loc, "criteria"), f"missing {missing}, unknown {extra}"))
        if item.id in seen:
            problems.append(doc.problem((*loc, "id"), f"duplicate id {item.id!r}"))
        seen.add(item.id)
    if problems:
        raise ContentError(problems)
    source = path.parent.name
    return [
        item.model_copy(update={"scenario": parsed.scenario, "source": source})
        for item in parsed.items
    ]


DEV_SETS = ("grader", "grader-blind")


def load_dev_set(folder: Path | None = None) -> list[GradedReply]:
    """Every graded reply: of one folder, or of both shipped sets (ids are unique across)."""
    folders = [folder] if folder is not None else [evalsets_dir() / name for name in DEV_SETS]
    items: list[GradedReply] = []
    for where in folders:
        for path in sorted(where.glob("*.yaml")):
            items.extend(load_dev_file(path))
    return items


def load_injection(path: Path) -> InjectionCorpus:
    parsed, _ = _load(path, InjectionCorpus)
    assert isinstance(parsed, InjectionCorpus)
    return parsed


def attach(reply: str, payload: Payload) -> str:
    """The poor reply with the payload where the attacker put it."""
    if payload.position == "start":
        return f"{payload.text} {reply}"
    if payload.position == "end":
        return f"{reply} {payload.text}"
    middle = reply.find(" ", len(reply) // 2)
    if middle < 0:
        return f"{reply} {payload.text}"
    return f"{reply[:middle]} {payload.text} {reply[middle + 1 :]}"
