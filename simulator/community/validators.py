"""Checks every LLM-written community post must pass before a trainee sees it.

Each validator returns None when the post is fine, or a short reason. The voice
cleans the raw output first (quotes, speaker prefixes, extra paragraphs), then runs
them all; any failure means the scripted line is shown instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from difflib import SequenceMatcher

from simulator.content import FRENCH_GRAMMAR_WORDS, SEARCH_STOPWORDS, fold

MIN_CHARS = 12
MIN_WORDS = 3
MAX_CHARS = 320
MAX_WORDS = 60

_FR_WORDS = set(
    "le la les un une des du de et est pas je tu il elle on nous vous ils elles que qui "
    "ce cette ces mon ma mes ton ta tes son sa ses notre votre leur au aux avec pour dans sur "
    "mais ou donc car ne plus tres rien tout toujours jamais encore deja merci bonjour oui "
    "non c'est j'ai d'un d'une qu'il n'est ca ete etre avoir fait faut chez depuis moi toi "
    "lui eux quoi quand comment pourquoi si bien aussi alors ici y en va vais suis es sont "
    "ont avez avons sommes etes faire voir dire attends attend vraiment juste enfin bon "
    "quelqu'un personne autre meme comme sans sous entre apres avant".split()
)
_EN_WORDS = set(
    "the a an and is are was were not i you he she we they it this that these those my "
    "your his her our their to of in on for with at by from but or so no yes very nothing "
    "always never still already thanks thank hello it's i'm don't can't what when why how "
    "have has had be been just about again us me him them we're you're they're isn't "
    "doesn't didn't won't wasn't there here who which will would could should can do does "
    "did get got show waiting wait still really if then than too also out up all any some "
    "one two three days weeks last next now".split()
)

_ASSISTANT_SPEAK = re.compile(
    r"\b(as an ai|as a language model|language model|i am an assistant|i'm an assistant"
    r"|ai assistant|i cannot (help|assist)|i can't (help|assist)|how can i (help|assist)"
    r"|here is (a|the|my) (reply|response|post|tweet)|here's (a|the|my) (reply|response|post)"
    r"|sure[,!] here|certainly[,!]|en tant qu'(ia|intelligence artificielle|assistant)"
    r"|je suis (un|une) (ia|assistant|assistante|modele)|modele de langage"
    r"|voici (une|la|ma|un|le|mon)\b|je ne peux pas (vous )?aider|comment puis-je vous aider"
    r"|this (post|statement|reply|response|message) (is|was|expresses|shows)"
    r"|cette (publication|reponse) (est|montre|exprime|reunit)|\bnext post\b"
    r"|prochaine publication|^(hey|hi|hello|dear)\b.{0,40}\b(it looks like|i understand))",
    re.IGNORECASE,
)
# A customer does not speak for the brand: that is the trainee's role.
_BRAND_VOICE = re.compile(
    r"\b(our (team|customer service|technicians) (is|are|will)|dear customer"
    r"|we apologi[sz]e|cher client|chere cliente|notre equipe (va|est)|nous nous excusons"
    r"|le service client vous)\b",
    re.IGNORECASE,
)
_LEAK = re.compile(
    r"(<\|im_(start|end)\|>|\[/?INST\]|<\|(system|user|assistant)\|>|\bsystem prompt\b"
    r"|\brubric\b|\bgrille d'evaluation\b|\bmodel answer\b|\breponse modele\b"
    r"|\bpersona\b|\bmood\b|\bhumeur\s*:|\binstructions?\s*:|\bexamples?\s*:|\bexemples?\s*:"
    r"|\bcriteri(on|a)\b|\bcritere\b)",
    re.IGNORECASE,
)
_PREFIX = re.compile(r"^\s*(\*\*)?([@\w .'\u00c0-\u00ff-]{1,40})(\*\*)?\s*:\s+")
_LABELS = {"assistant", "post", "reply", "answer", "response", "reponse", "publication", "tweet"}


@dataclass(frozen=True)
class PostContext:
    lang: str
    trainee_reply: str
    persona_name: str
    persona_handle: str
    secrets: tuple[str, ...]
    previous: tuple[str, ...] = ()
    # The prompt's own wording (without the example posts): it must not come back.
    instructions: str = ""
    # The provider stopped at its token limit: the post may end mid-sentence.
    truncated: bool = False


def clean(raw: str, ctx: PostContext) -> str:
    """Undo the usual packaging of small models: quotes, 'Name:' prefixes, extra paragraphs."""
    text = raw.strip()
    for _ in range(2):
        # Only a speaker label is stripped ("Julie:", "@julie_m:", "Reply:"), not a phrase.
        match = _PREFIX.match(text)
        if not match or len(match.group(0)) >= len(text):
            break
        label = set(words(match.group(2))) | set(re.findall(r"@\w+", fold(match.group(2)).lower()))
        if not label & (set(_names(ctx)) | _LABELS):
            break
        text = text[match.end() :]
    for left, right in (('"', '"'), ("\u201c", "\u201d"), ("\u00ab", "\u00bb")):
        if text.startswith(left) and text.endswith(right) and len(text) > 2:
            text = text[1:-1].strip()
    if text.count("\u00bb") > text.count("\u00ab"):
        # The closing quote of our prefill: the post ends there, a comment may follow.
        text = text[: text.rindex("\u00bb")].strip()
    if text.count("\u00ab") == 1 and "\u00bb" not in text:
        text = text.replace("\u00ab", "").strip()
    text = re.sub(r"^([-*\u2022\u00b7]\s+)", "", text)
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    text = paragraphs[0] if paragraphs else ""
    return " ".join(text.split())


def similarity(a: str, b: str) -> float:
    return SequenceMatcher(None, fold(a).lower(), fold(b).lower()).ratio()


def words(text: str) -> list[str]:
    return re.findall(r"[a-z']+", fold(text).lower())


def detect_lang(text: str) -> str | None:
    tokens = words(text)
    fr = sum(t in _FR_WORDS for t in tokens) + 2 * len(re.findall(r"[éèêàçùâîôû]", text))
    en = sum(t in _EN_WORDS for t in tokens)
    if fr == en:
        return None
    return "fr" if fr > en else "en"


def check_length(text: str, ctx: PostContext) -> str | None:
    if len(text) < MIN_CHARS or len(text.split()) < MIN_WORDS:
        return "too short"
    if len(text) > MAX_CHARS or len(text.split()) > MAX_WORDS:
        return "too long"
    return None


def check_finished(text: str, ctx: PostContext) -> str | None:
    """A post cut by the token limit ends mid-word; a finished one ends like a sentence."""
    if ctx.truncated and not re.search(r"[.!?\u2026)\]\u00bb\"'*]\s*$|[^\w\s]\s*$|#\w+\s*$", text):
        return "cut off"
    return None


def check_language(text: str, ctx: PostContext) -> str | None:
    found = detect_lang(text)
    if found is not None and found != ctx.lang:
        return f"wrong language ({found})"
    if found is None and len(words(text)) >= 10:
        return "language unclear"
    return None


def check_echo(text: str, ctx: PostContext) -> str | None:
    if not ctx.trainee_reply.strip():
        return None
    a, b = fold(text).lower(), fold(ctx.trainee_reply).lower()
    if SequenceMatcher(None, a, b).ratio() > 0.6:
        return "echoes the trainee"
    reply_words = words(ctx.trainee_reply)
    grams = {tuple(reply_words[i : i + 6]) for i in range(len(reply_words) - 5)}
    post_words = words(text)
    if any(tuple(post_words[i : i + 6]) in grams for i in range(len(post_words) - 5)):
        return "copies the trainee's words"
    return None


def check_repeat(text: str, ctx: PostContext) -> str | None:
    low = fold(text).lower()
    for earlier in ctx.previous:
        if SequenceMatcher(None, low, fold(earlier).lower()).ratio() > 0.8:
            return "repeats an earlier post"
    return None


_MARKUP = re.compile(r"(\*\*|__|^#+\s|^\s*(\d+[.)]|[-*\u2022])\s)", re.MULTILINE)


def _names(ctx: PostContext) -> list[str]:
    """The words that name the persona: an organisation's name ("Les Rayons de Garonne")
    holds grammar words that any post may use, and those do not count."""
    parts = [fold(p).lower() for p in re.split(r"[\s.]+", ctx.persona_name) if len(p) > 2]
    names = [p for p in parts if p not in SEARCH_STOPWORDS | FRENCH_GRAMMAR_WORDS]
    return [*names, fold(ctx.persona_handle).lower()]


def check_character(text: str, ctx: PostContext) -> str | None:
    folded = fold(text)
    if _ASSISTANT_SPEAK.search(folded):
        return "assistant-speak"
    if _MARKUP.search(text):
        return "formatted like a document, not a post"
    if re.search(r"[\u2014\u2013-]\s*[A-Z][a-z]+\s*$", folded):
        return "signs like the brand"
    if text.count("\u00ab") != text.count("\u00bb") or text.count('"') % 2:
        return "broken quotation"
    claimed = re.search(r"\b(?i:i am|i'm|je suis|moi c'est|c'est moi,?)\s+([A-Z][a-z]+)\b", folded)
    if claimed and fold(claimed.group(1)).lower() not in _names(ctx):
        return "claims to be someone else"
    tokens = set(words(text)) | set(re.findall(r"@\w+", folded.lower()))
    if any(name in tokens for name in _names(ctx)):
        # People do not name themselves in their own posts; models narrating them do.
        return "narrates the persona in the third person"
    if _BRAND_VOICE.search(folded):
        return "speaks for the brand"
    return None


def _grams(text: str, n: int) -> set[tuple[str, ...]]:
    tokens = words(text)
    return {tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)}


def check_leak(text: str, ctx: PostContext) -> str | None:
    folded = fold(text)
    if _LEAK.search(folded):
        return "leaks prompt vocabulary"
    if ctx.instructions and _grams(text, 4) & _grams(ctx.instructions, 4):
        return "repeats the instructions"
    low = folded.lower()
    post_grams = _grams(text, 5)
    for secret in ctx.secrets:
        secret_low = fold(secret).lower()
        if len(secret_low) > 20 and (
            SequenceMatcher(None, low, secret_low).ratio() > 0.75 or post_grams & _grams(secret, 5)
        ):
            return "leaks a model answer or rubric text"
    return None


VALIDATORS: dict[str, Callable[[str, PostContext], str | None]] = {
    "length": check_length,
    "finished": check_finished,
    "language": check_language,
    "echo": check_echo,
    "repeat": check_repeat,
    "character": check_character,
    "leak": check_leak,
}


def validate(text: str, ctx: PostContext) -> dict[str, str]:
    """Every failing validator with its reason; empty when the post may be shown."""
    failures = {}
    for name, check in VALIDATORS.items():
        reason = check(text, ctx)
        if reason is not None:
            failures[name] = reason
    return failures
