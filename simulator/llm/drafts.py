"""Draft assistance for the scenario studio: from a short description of a situation, a chat
model proposes one complete scenario in the YAML format of a template; the validator checks
it and the trainer edits it. Nothing in the answer is executed: it is text, parsed by the
safe YAML loader only.

With the embedded model, drafts are offered only if measured useful (`DRAFT_MEASURES`,
`draft_offered`).
"""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage

from simulator.content import Frozen, Lang, load_scenario_text, practice_ids
from simulator.errors import ContentError, InputError

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from simulator.config import Settings

MAX_DESCRIPTION = 2000
DRAFT_MAX_TOKENS = 6000
LOCAL_DRAFT_MAX_TOKENS = 2000
LOCAL_DRAFT_CONTEXT = 8192
_STOPS = ["<|im_end|>", "<|endoftext|>"]


class DraftRefused(InputError):
    """The description cannot be drafted from (empty or too long)."""


class Draft(Frozen):
    """A proposed scenario: its YAML, the validator's located problems (empty: valid), and
    how long the model took."""

    yaml: str
    problems: list[str]
    seconds: float

    @property
    def valid(self) -> bool:
        return not self.problems


# Measured with `cm-sim eval draft --provider local --n 2 --json` on 2 shared CPU cores
# (n=2: a draft runs to the 300 s deadline). Neither draft finished within 300 s
# (about 6 tokens/s, a scenario is about 3000 tokens), so neither could be valid.
DRAFT_MEASURES: dict[str, dict[str, object]] = {
    "qwen2.5-0.5b": {
        "label": "Qwen2.5-Coder-0.5B",
        "valid": 0,
        "tried": 2,
        "median_s": 300.0,
        "note": "both drafts reached the 300 s deadline before the YAML was complete",
        "date": "2026-12-01",
        "command": "cm-sim eval draft --provider local --n 2 --json",
    },
}


def _measure_for(model: str | None) -> tuple[str, dict[str, object]] | None:
    from simulator.llm.local_models import DEFAULT_LOCAL_MODEL

    name = model or DEFAULT_LOCAL_MODEL
    measure = DRAFT_MEASURES.get(name)
    return (name, measure) if measure is not None else None


def draft_offered(provider: str, model: str | None) -> tuple[bool, str]:
    """Whether the studio offers drafts with this provider and model, and why not if not."""
    if provider in ("openai", "ollama"):
        return True, f"drafts by the configured {provider} model"
    if provider != "local":
        return False, f"the {provider} provider cannot write scenarios"
    found = _measure_for(model)
    if found is None:
        return False, f"the embedded model {model or 'default'} was not measured on drafts"
    key, m = found
    valid, tried = int(str(m["valid"])), int(str(m["tried"]))
    label = str(m.get("label", key))
    if tried and valid * 2 >= tried:
        return True, f"the embedded {label} produced {valid} valid drafts out of {tried}"
    return False, (
        f"the embedded {label} produced {valid} valid drafts out of {tried} "
        f"({m['command']}, {m['date']}; {m.get('note', '')}); "
        "configure a capable model (openai or ollama)"
    )


def draft_chat_model(settings: Settings, timeout_s: float = 180) -> BaseChatModel:
    """The configured chat model, allowed the length of a whole scenario."""
    from simulator.llm.local_models import resolve_model_path
    from simulator.llm.providers import LlamaCppChatModel, make_chat_model

    if settings.provider == "local":
        return LlamaCppChatModel(
            model_path=str(resolve_model_path(settings.model, settings.data_dir)),
            threads=settings.threads,
            n_ctx=LOCAL_DRAFT_CONTEXT,
            temperature=0.2,
            max_tokens=LOCAL_DRAFT_MAX_TOKENS,
        )
    # model_copy does not re-validate: the draft's budget may exceed a post's bounds.
    return make_chat_model(
        settings.model_copy(
            update={"max_tokens": DRAFT_MAX_TOKENS, "timeout_s": timeout_s, "temperature": 0.2}
        )
    )


def _prompt(description: str, lang: Lang, template: str, scenario_id: str) -> list[BaseMessage]:
    other = "en" if lang == "fr" else "fr"
    system = (
        "You write training scenarios for community managers, as YAML. Answer with ONE "
        "complete scenario in exactly the format of the example: the same fields, every text "
        f"in both languages ({lang} first, then {other}), valid YAML, no comments, no prose."
    )
    user = (
        f"Example scenario:\n```yaml\n{template.strip()}\n```\n\n"
        f"Write a new scenario with `id: {scenario_id}` for this situation "
        f"(described in {lang}):\n<<<\n{description.strip()}\n>>>\n"
        "Keep the practice ids, cues and moods of the example; invent the brand, personas, "
        "posts, reactions, rubric and model answers for the situation. Answer with the YAML "
        "only, in one ```yaml block."
    )
    return [SystemMessage(content=system), HumanMessage(content=user)]


_FENCE = re.compile(r"```[a-zA-Z]*[ \t]*\n(.*?)(?:\n```|\Z)", re.DOTALL)
_ID_LINE = re.compile(r"^id\s*:.*$", re.MULTILINE)


def extract_yaml(answer: str, scenario_id: str) -> str:
    """The YAML in a model's answer: the fenced block if any, else from the first top-level
    key; its `id:` line forced to scenario_id."""
    text = answer.replace("\r\n", "\n")
    blocks = _FENCE.findall(text)
    if blocks:
        text = max(blocks, key=len)
    else:
        start = re.search(r"^[a-z_]+\s*:", text, re.MULTILINE)
        text = text[start.start() :] if start else text
    text = text.strip("\n") + "\n"
    if _ID_LINE.search(text):
        text = _ID_LINE.sub(f"id: {scenario_id}", text, count=1)
    else:
        text = f"id: {scenario_id}\n{text}"
    return text


def draft_scenario(
    description: str,
    lang: Lang,
    template: str,
    chat_model: BaseChatModel,
    scenario_id: str = "my-draft",
    timeout_s: float = 180,
) -> Draft:
    """Ask the model for one complete scenario for the situation described, then validate it.

    Provider failures raise `LLMError`; a bad answer is a draft with problems.
    """
    from simulator.llm.providers import LlamaCppChatModel, stream_with_retries

    if not description.strip():
        raise DraftRefused("describe the situation to draft a scenario from")
    if len(description) > MAX_DESCRIPTION:
        raise DraftRefused(
            f"the description has {len(description)} characters; at most {MAX_DESCRIPTION}"
        )
    started = time.monotonic()
    answer = stream_with_retries(
        chat_model,
        _prompt(description, lang, template, scenario_id),
        timeout_s=timeout_s,
        max_retries=0,
        # llama.cpp stops at a newline unless told otherwise: a scenario has many.
        stop=_STOPS if isinstance(chat_model, LlamaCppChatModel) else None,
    )
    seconds = round(time.monotonic() - started, 2)
    text = extract_yaml(answer, scenario_id)
    try:
        load_scenario_text(text, f"{scenario_id}.yaml", practice_ids=practice_ids())
    except ContentError as error:
        return Draft(yaml=text, problems=[str(p) for p in error.problems], seconds=seconds)
    return Draft(yaml=text, problems=[], seconds=seconds)
