"""The reference replies the grader compares a reply with, embedded once.

Exemplars are content we already ship: each scenario's model answers (what good looks like
at each turn) and each practice card's "do" and "don't" replies. Their embeddings are
cached on disk under the data directory, keyed by the model name and the texts, so a
`cm-sim grade` call does not re-embed ~800 sentences every time.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from simulator.content import LANGS, Scenario
from simulator.grading.checks import check_texts, sentences
from simulator.knowledge import KnowledgeContent

Matrix = NDArray[np.float32]
EncodeFn = Callable[[list[str]], Matrix]


def exemplar_texts(
    content: KnowledgeContent, scenarios: Sequence[Scenario]
) -> dict[str, list[str]]:
    """Every exemplar text by key: `answer:<scenario>:<turn>:<lang>`, `do|dont:<card>:<lang>`,
    `criterion:<scenario>:<criterion>:<lang>` and `check:<scenario>:<check>` (an expectation or
    pitfall's text and examples, both languages)."""
    texts: dict[str, list[str]] = {}
    for scenario in scenarios:
        texts.update(scenario_exemplar_texts(scenario))
    for card in content.cards:
        for lang in LANGS:
            texts[f"do:{card.id}:{lang}"] = [example.get(lang) for example in card.do]
            texts[f"dont:{card.id}:{lang}"] = [example.get(lang) for example in card.dont]
    return texts


def scenario_exemplar_texts(scenario: Scenario) -> dict[str, list[str]]:
    """The exemplars one scenario brings: its model answers (whole and sentence by
    sentence), its criteria's descriptions and its checks."""
    texts: dict[str, list[str]] = {}
    for answer in scenario.model_answers:
        for lang in LANGS:
            key = f"answer:{scenario.id}:{answer.turn}:{lang}"
            texts.setdefault(key, []).append(answer.text.get(lang))
            # Sentence by sentence too: how much of the answer a reply covers.
            texts.setdefault(f"answer-units:{scenario.id}:{answer.turn}", []).extend(
                sentences(answer.text.get(lang))
            )
    for criterion in scenario.rubric:
        for lang in LANGS:
            texts[f"criterion:{scenario.id}:{criterion.id}:{lang}"] = [
                criterion.description.get(lang)
            ]
    for situation in scenario.situations:
        for check in (*situation.expectations, *situation.pitfalls):
            texts[check_key(scenario.id, check.id)] = check_texts(check)
    return texts


def _digest(texts: dict[str, list[str]]) -> str:
    return hashlib.sha256(json.dumps(texts, sort_keys=True).encode()).hexdigest()[:16]


_SCENARIO_KINDS = ("answer", "answer-units", "criterion", "check")


def check_key(scenario: str, check: str) -> str:
    return f"check:{scenario}:{check}"


@dataclass
class ExemplarBank:
    """Normalised embeddings of the exemplars, by key; cosine similarity is a dot product."""

    vectors: dict[str, Matrix] = field(default_factory=dict)
    # Scenario id -> digest of the exemplar texts its keys hold (see `ensure`).
    fingerprints: dict[str, str] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @classmethod
    def build(
        cls, texts: dict[str, list[str]], encode: EncodeFn, cache_dir: Path | None, model: str
    ) -> ExemplarBank:
        keys = sorted(texts)
        flat = [text for key in keys for text in texts[key]]
        digest = hashlib.sha256(json.dumps([model, keys, flat]).encode()).hexdigest()[:16]
        cache = cache_dir / f"exemplars-{digest}.npy" if cache_dir else None
        if cache is not None and cache.exists():
            matrix = np.load(cache)
        else:
            matrix = np.asarray(encode(flat), dtype=np.float32)
            if cache is not None:
                cache.parent.mkdir(parents=True, exist_ok=True)
                # Write then rename: a reader never sees half a file.
                tmp = cache.with_suffix(".tmp.npy")
                np.save(tmp, matrix)
                tmp.replace(cache)
        vectors: dict[str, Matrix] = {}
        start = 0
        for key in keys:
            end = start + len(texts[key])
            vectors[key] = matrix[start:end]
            start = end
        return cls(vectors)

    def remember(self, scenarios: Sequence[Scenario]) -> None:
        """Note which version of each scenario the bank was built from."""
        for scenario in scenarios:
            self.fingerprints[scenario.id] = _digest(scenario_exemplar_texts(scenario))

    def ensure(self, scenario: Scenario, encode: EncodeFn) -> bool:
        """Hold this scenario's exemplars, as written now: a scenario the bank was not built
        with (a trainer's, from the store) or one edited since (a new version) is embedded
        here, in place of any older keys. True when something was embedded."""
        texts = scenario_exemplar_texts(scenario)
        digest = _digest(texts)
        if self.fingerprints.get(scenario.id) == digest:
            return False
        with self._lock:
            if self.fingerprints.get(scenario.id) == digest:
                return False
            keys = sorted(texts)
            flat = [text for key in keys for text in texts[key]]
            matrix = np.asarray(encode(flat), dtype=np.float32) if flat else None
            vectors = dict(self.vectors)
            for key in list(vectors):
                kind, _, rest = key.partition(":")
                if kind in _SCENARIO_KINDS and rest.split(":", 1)[0] == scenario.id:
                    del vectors[key]
            start = 0
            for key in keys:
                end = start + len(texts[key])
                if matrix is not None:
                    vectors[key] = matrix[start:end]
                start = end
            # One assignment: a reader sees the old keys or the new ones, not a mixture.
            self.vectors = vectors
            self.fingerprints[scenario.id] = digest
        return True

    def best(self, vector: Matrix, key: str) -> float:
        """Highest cosine similarity between the reply and the exemplars under `key` (0 if none)."""
        found = self.vectors.get(key)
        if found is None or not len(found):
            return 0.0
        return float(np.max(found @ vector))

    def best_of(self, vector: Matrix, keys: Sequence[str]) -> float:
        values = [self.best(vector, key) for key in keys if key in self.vectors]
        return max(values) if values else 0.0

    def mean_best(self, vector: Matrix, keys: Sequence[str]) -> float:
        values = [self.best(vector, key) for key in keys if key in self.vectors]
        return float(np.mean(values)) if values else 0.0

    def answer_keys(self, scenario: str) -> list[str]:
        """The scenario's model answers, every turn, both languages."""
        prefix = f"answer:{scenario}:"
        return [k for k in self.vectors if k.startswith(prefix)]

    def turn_answer_keys(self, scenario: str, turn: int) -> list[str]:
        """The model answers of this turn (or the latest turn before it), both languages."""
        turns = sorted({int(k.split(":")[2]) for k in self.answer_keys(scenario)})
        chosen = next((t for t in reversed(turns) if t <= turn), turns[0] if turns else None)
        if chosen is None:
            return []
        return [f"answer:{scenario}:{chosen}:{lang}" for lang in LANGS]

    def turn_unit_key(self, scenario: str, turn: int) -> str | None:
        """The sentences of this turn's model answers (or the latest turn's before it)."""
        keys = self.turn_answer_keys(scenario, turn)
        if not keys:
            return None
        return f"answer-units:{scenario}:{keys[0].split(':')[2]}"

    def criterion_keys(self, scenario: str, criterion: str) -> list[str]:
        return [f"criterion:{scenario}:{criterion}:{lang}" for lang in LANGS]

    def get(self, key: str) -> Matrix:
        """The embeddings under a key (an empty matrix when there are none)."""
        found = self.vectors.get(key)
        if found is None:
            dim = next(iter(self.vectors.values())).shape[1] if self.vectors else 1
            return np.zeros((0, dim), dtype=np.float32)
        return found
