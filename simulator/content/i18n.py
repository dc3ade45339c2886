"""The user-facing text catalogue: one YAML file per language in simulator/content/locales/.

Pages and the engine ask for texts by key; no user-facing sentence lives anywhere else.
A missing key is a bug caught by tests (both catalogues must have the same keys).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from simulator.content.scenario import Lang
from simulator.content.yaml_safe import read_yaml
from simulator.errors import ContentError
from simulator.paths import LOCALES

LOCALES_DIR = LOCALES


def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in data.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{path}."))
        else:
            flat[path] = str(value)
    return flat


@cache
def catalogue(lang: Lang) -> dict[str, str]:
    doc = read_yaml(LOCALES_DIR / f"{lang}.yaml")
    if doc.problems or not isinstance(doc.data, dict):
        raise ContentError(doc.problems)
    return _flatten(doc.data)


def t(lang: Lang, key: str, **values: object) -> str:
    """The text for `key` in `lang`, with `{name}` placeholders filled."""
    text = catalogue(lang)[key]
    return text.format(**values) if values else text


def t_or(lang: Lang, key: str, default: str) -> str:
    """The text for `key`, or `default` when the catalogue has none (e.g. a scenario's own
    skill slug that no catalogue names yet)."""
    return catalogue(lang).get(key, default)


def lines(lang: Lang, prefix: str) -> list[str]:
    """The numbered texts under `prefix` (e.g. crowd.support.1, .2, ...), in order."""
    found = [
        (int(key.rsplit(".", 1)[1]), value)
        for key, value in catalogue(lang).items()
        if key.startswith(f"{prefix}.") and key.rsplit(".", 1)[1].isdigit()
    ]
    return [value for _, value in sorted(found)]
