"""Word-by-word French to English, for an English-trained embedding model.

The packaged sentence model reads English well and French poorly. Rendering a French text
through a domain glossary (knowledge_base/glossary-fr-en.yaml: phrases first, longest
match, then single words by their Snowball stem) gives an English gist the model can place
next to the English exemplars and cards. It is not a translation for people to read.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from simulator.content import FRENCH_GRAMMAR_WORDS, fold_lower, read_yaml, stem
from simulator.errors import ContentError
from simulator.paths import knowledge_dir

MAX_PHRASE = 4
_WORD = re.compile(r"[\w@#'-]+")


def _fr_stem(word: str) -> str:
    return stem("fr", word)


def glossary_path() -> Path:
    return knowledge_dir() / "glossary-fr-en.yaml"


@cache
def _tables(path: Path) -> tuple[dict[tuple[str, ...], str], dict[str, str]]:
    """Phrases keyed by their accent-folded words (posts often drop accents), and single
    words by their stem, taken before folding (the stemmer knows French accents)."""
    doc = read_yaml(path)
    if doc.problems:
        raise ContentError(doc.problems)
    phrases: dict[tuple[str, ...], str] = {}
    stems: dict[str, str] = {}
    for key, value in (doc.data or {}).items():
        words = _split_words(str(key).lower())
        if not words:
            continue
        phrases.setdefault(tuple(fold_lower(w) for w in words), str(value))
        if len(words) == 1:
            stems.setdefault(fold_lower(_fr_stem(words[0])), str(value))
    return phrases, stems


def _split_words(text: str) -> list[str]:
    out: list[str] = []
    for token in _WORD.findall(text.replace("\u2019", "'")):
        # "l'attente" -> "l", "attente": elided articles are separate words.
        out.extend(part for part in token.split("'") if part)
    return out


def to_english(text: str, path: Path | None = None) -> str:
    """The English gist of a French text; unknown words (names, handles) are kept."""
    phrases, stems = _tables(path or glossary_path())
    words = _split_words(text.lower())
    folded = [fold_lower(w) for w in words]
    out: list[str] = []
    i = 0
    while i < len(words):
        for size in range(min(MAX_PHRASE, len(words) - i), 0, -1):
            chunk = tuple(folded[i : i + size])
            if chunk in phrases:
                out.append(phrases[chunk])
                i += size
                break
        else:
            if folded[i] not in FRENCH_GRAMMAR_WORDS:
                out.append(stems.get(fold_lower(_fr_stem(words[i])), folded[i]))
            i += 1
    return " ".join(out)
