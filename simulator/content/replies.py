"""Replies for headless play, from a file a trainer can write by hand.

Formats: `.txt`/`.md` (replies separated by a line `---`), `.json` (a list), `.jsonl`
(one item per line), `.yaml`/`.yml` (a list). An item is a string or
`{"text": ..., "delay_s": seconds, "choice": option-id}`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, ValidationError

from simulator.content.base import Strict
from simulator.content.problems import Problem, display_path
from simulator.content.yaml_safe import read_yaml
from simulator.errors import ContentError

# Longer than any social post a trainee would publish; longer is refused before anything
# is stored, graded or answered.
MAX_REPLY_CHARS = 2000


class ReplyItem(Strict):
    text: str
    delay_s: Annotated[float, Field(ge=0)] | None = None
    choice: str | None = None


def _item(raw: Any, where: str, line: int) -> ReplyItem:
    if isinstance(raw, str):
        return ReplyItem(text=raw)
    try:
        return ReplyItem.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"]) or "(item)"
        raise ContentError([Problem(where, line, field, err["msg"])]) from None


def _from_text(text: str) -> list[tuple[str, int]]:
    chunks: list[tuple[str, int]] = []
    current: list[str] = []
    start = 1
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip() == "---":
            if "".join(current).strip():
                chunks.append(("\n".join(current).strip(), start))
            current, start = [], number + 1
        else:
            current.append(line)
    if "".join(current).strip():
        chunks.append(("\n".join(current).strip(), start))
    return chunks


def read_replies(path: Path) -> list[ReplyItem]:
    where = display_path(path)
    if not path.is_file():
        raise ContentError([Problem(where, 1, "", "no such file")])
    suffix = path.suffix.lower()
    if suffix in {".yaml", ".yml"}:
        doc = read_yaml(path)
        if doc.problems:
            raise ContentError(doc.problems)
        if not isinstance(doc.data, list):
            raise ContentError([doc.problem((), "expected a list of replies")])
        return [_item(raw, where, doc.line_of((i,))) for i, raw in enumerate(doc.data)]
    text = path.read_text(encoding="utf-8")
    if suffix == ".jsonl":
        items = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ContentError(
                    [Problem(where, number, "", f"invalid JSON: {exc.msg}")]
                ) from None
            items.append(_item(raw, where, number))
        return items
    if suffix == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ContentError(
                [Problem(where, exc.lineno, "", f"invalid JSON: {exc.msg}")]
            ) from None
        if not isinstance(data, list):
            raise ContentError([Problem(where, 1, "", "expected a list of replies")])
        return [_item(raw, where, 1) for raw in data]
    return [ReplyItem(text=chunk) for chunk, _ in _from_text(text)]
