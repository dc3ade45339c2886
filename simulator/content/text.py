"""Text helpers every room shares: accent folding, stopwords, Snowball stems.

Posts are typed fast and often without accents, so matching (cues, search, the glossary)
happens on a folded form; stems let "rembourser" meet "remboursement".
"""

from __future__ import annotations

import threading
import unicodedata
from functools import lru_cache
from typing import Any

from simulator.content.scenario import Lang


def fold(text: str) -> str:
    """Accent-free with straight apostrophes (case kept): the form cues are written for."""
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold_lower(text: str) -> str:
    return fold(text).lower()


# Words a search ignores, in both languages (a query may mix them).
SEARCH_STOPWORDS = frozenset(
    "le la les un une des du de et est pas je tu il elle on nous vous ils que qui ce cette "
    "ces mon ma mes son sa ses notre votre leur au aux avec pour dans sur mais ou donc ne "
    "se en y a the an and is are was to of in on for with at by from but or so it this that "
    "be as we you they i our your their its".split()
)
# French grammar words, elided forms included ("l'", "qu'"): no meaning a gist needs.
FRENCH_GRAMMAR_WORDS = frozenset(
    """le la les l de du des d un une et a au aux en dans sur pour par avec ce cet cette ces
    je j tu il elle on nous vous ils elles me m te t se s y ne n que qu qui quoi dont ou
    mon ma mes ton ta tes son sa ses notre nos votre vos leur leurs est sont ete etre avoir
    ai as avons avez ont c ca cela ceci bien tres plus comme si mais donc or ni car""".split()
)


# A Snowball stemmer keeps its work in the instance: one per thread, or two sessions
# stemming at once (the app's script threads) corrupt each other's words.
_stemmers = threading.local()


def _stemmer(lang: Lang) -> Any:
    import snowballstemmer

    found = getattr(_stemmers, lang, None)
    if found is None:
        found = snowballstemmer.stemmer("french" if lang == "fr" else "english")
        setattr(_stemmers, lang, found)
    return found


@lru_cache(maxsize=200_000)
def stem(lang: Lang, word: str) -> str:
    """The Snowball stem of one word (cached: the same words come back all the time)."""
    result: str = _stemmer(lang).stemWord(word)
    return result
