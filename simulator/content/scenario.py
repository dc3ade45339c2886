"""The scenario format: pydantic models, loading with located errors, reference checks.

A scenario is data a trainer writes without code. Structure is checked by the models
(`extra="forbid"` so a typo is an error, not a silently ignored field); cross-references
(persona ids, moods, turns) are checked afterwards so that every problem of a file is
reported at once, each with its line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from simulator.content.base import Frozen
from simulator.content.problems import Problem, display_path
from simulator.content.yaml_safe import Loc, YamlDocument, format_loc, read_yaml, read_yaml_bytes
from simulator.errors import ContentError

Lang = Literal["fr", "en"]
LANGS: tuple[Lang, ...] = ("fr", "en")

# The mood ladder, worst to best. The engine moves a persona one or more rungs per turn.
MOODS: tuple[str, ...] = ("furious", "angry", "wary", "calm", "won_over")
Mood = Literal["furious", "angry", "wary", "calm", "won_over"]

# Reply features the rule-based assessor detects (see simulator/assessor_rules.py).
Feature = Literal[
    "leak",
    "apology",
    "empathy",
    "next_step",
    "private_channel",
    "transparency",
    "signature",
    "blame",
    "sarcasm",
    "over_promise",
    "personal_data_public",
    "denial",
    "speculation",
    "shouting",
    "too_short",
]

Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64)]
MetricName = Literal["sentiment", "reach", "escalation"]


LANGUAGE_NAMES: dict[str, str] = {"fr": "French", "en": "English"}
TEXT_KEYS = frozenset(LANGS)


def _text_schema(schema: dict[str, Any]) -> None:
    """Editors see two optional strings, at least one of them, never `null`."""
    for lang in LANGS:
        schema["properties"][lang] = {
            "type": "string",
            "minLength": 1,
            "maxLength": 4000,
            "title": LANGUAGE_NAMES[lang],
        }
    schema["minProperties"] = 1


class Text(Frozen):
    """A user-facing text, in French and English; a single-language scenario (see
    `Scenario.languages`) writes only its own. `get` falls back to the other language, so
    code reading a text never meets a hole."""

    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_extra=_text_schema)

    fr: Annotated[str, Field(min_length=1, max_length=4000)] | None = None
    en: Annotated[str, Field(min_length=1, max_length=4000)] | None = None

    @field_validator("fr", "en")
    @classmethod
    def _not_blank(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("must not be blank")
        return value

    @model_validator(mode="after")
    def _one_language(self) -> Text:
        if self.fr is None and self.en is None:
            raise ValueError("a text needs at least one language: fr or en")
        return self

    def get(self, lang: Lang) -> str:
        first, second = (self.fr, self.en) if lang == "fr" else (self.en, self.fr)
        found = first if first is not None else second
        assert found is not None  # the validator keeps one language at least
        return found

    def has(self, lang: Lang) -> bool:
        return (self.fr if lang == "fr" else self.en) is not None

    def texts(self) -> list[str]:
        """The texts written, French first (what a grader compares a reply with)."""
        return [value for value in (self.fr, self.en) if value is not None]


class BilingualText(Text):
    """A text that must be written in both languages: the knowledge base's cards and themes
    ship in French and English, whatever a scenario declares."""

    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_extra=None)

    fr: Annotated[str, Field(min_length=1, max_length=4000)]
    en: Annotated[str, Field(min_length=1, max_length=4000)]


class Brand(Frozen):
    name: Annotated[str, Field(min_length=1, max_length=80)]
    handle: Annotated[str, Field(pattern=r"^@\w{1,30}$")]
    sector: Text
    editorial_line: Text
    community_type: Text
    organisation_type: Text


class Persona(Frozen):
    id: Slug
    name: Annotated[str, Field(min_length=1, max_length=80)]
    handle: Annotated[str, Field(pattern=r"^@\w{1,30}$")]
    role: Literal["customer", "journalist", "influencer", "troll", "bystander", "follower"]
    profile: Text
    temperament: Text
    followers: Annotated[int, Field(ge=0, le=500_000_000)]
    initial_mood: Mood = "angry"
    # How strongly this persona's mood follows reply quality (1 = default).
    sensitivity: Annotated[float, Field(gt=0, le=3)] = 1.0


class Post(Frozen):
    persona: Slug
    text: Text
    likes: Annotated[int, Field(ge=0)] = 0
    shares: Annotated[int, Field(ge=0)] = 0
    minutes_ago: Annotated[int, Field(ge=0, le=10_000)] = 0


class Condition(Frozen):
    """A threshold on a metric, or on a persona's mood (then `persona` is required)."""

    metric: Literal["sentiment", "reach", "escalation", "mood"]
    persona: Slug | None = None
    at_least: float | Mood | None = None
    at_most: float | Mood | None = None


class Effect(Frozen):
    """Immediate change to metrics when an inject fires."""

    sentiment: Annotated[float, Field(ge=-200, le=200)] = 0
    reach: Annotated[float, Field(ge=0, le=100)] = 1.0  # multiplier
    escalation: Annotated[float, Field(ge=-100, le=100)] = 0


class Inject(Frozen):
    """An event the trainee did not ask for: a journalist asks, an influencer shares."""

    id: Slug
    persona: Slug
    kind: Literal["post", "dm", "share", "mention"] = "post"
    at_turn: Annotated[int, Field(ge=1, le=50)] | None = None
    when: list[Condition] | None = None
    text: Text
    effect: Effect = Effect()
    # The mood the persona enters the scene with.
    mood: Mood = "wary"


class ReactionSet(Frozen):
    """Scripted lines for one persona: fallbacks for the LLM and few-shot examples."""

    furious: Annotated[list[Text], Field(min_length=1)]
    angry: Annotated[list[Text], Field(min_length=1)]
    wary: Annotated[list[Text], Field(min_length=1)]
    calm: Annotated[list[Text], Field(min_length=1)]
    won_over: Annotated[list[Text], Field(min_length=1)]

    def lines(self, mood: str) -> list[Text]:
        lines: list[Text] = getattr(self, mood)
        return lines


class Metric(Frozen):
    initial: float


class Dynamics(Frozen):
    """Per-scenario coefficients of the metric model documented in simulator/metrics.py."""

    sentiment_gain: Annotated[float, Field(ge=0, le=100)] = 30.0
    escalation_gain: Annotated[float, Field(ge=0, le=100)] = 30.0
    virality: Annotated[float, Field(ge=0, le=5)] = 0.6
    decay: Annotated[float, Field(ge=0, le=1)] = 0.3
    late_sentiment_per_min: Annotated[float, Field(ge=0, le=100)] = 5.0
    late_reach_per_min: Annotated[float, Field(ge=0, le=1)] = 0.05
    # The bystander crowd (simulator/crowd.py): baseline, excitation per poor reply, decay.
    crowd_base: Annotated[float, Field(ge=0, le=100)] = 1.5
    crowd_excitation: Annotated[float, Field(ge=0, le=200)] = 8.0
    crowd_decay: Annotated[float, Field(gt=0, le=10)] = 0.7


class Metrics(Frozen):
    sentiment: Metric
    reach: Metric
    escalation: Metric
    dynamics: Dynamics = Dynamics()

    @field_validator("sentiment")
    @classmethod
    def _sentiment_range(cls, value: Metric) -> Metric:
        if not -100 <= value.initial <= 100:
            raise ValueError("initial sentiment must be between -100 and 100")
        return value

    @field_validator("escalation")
    @classmethod
    def _escalation_range(cls, value: Metric) -> Metric:
        if not 0 <= value.initial <= 100:
            raise ValueError("initial escalation must be between 0 and 100")
        return value

    @field_validator("reach")
    @classmethod
    def _reach_range(cls, value: Metric) -> Metric:
        if value.initial < 0:
            raise ValueError("initial reach must not be negative")
        return value


class EndConditions(Frozen):
    max_turns: Annotated[int, Field(ge=1, le=30)]
    resolved: Annotated[list[Condition], Field(min_length=1)]
    out_of_control: Annotated[list[Condition], Field(min_length=1)]


class Criterion(Frozen):
    id: Slug
    title: Text
    description: Text
    weight: Annotated[float, Field(gt=0, le=1)]
    practices: Annotated[list[Slug], Field(min_length=1)]
    rewards: list[Feature] = []
    penalises: list[Feature] = []


class DecisionOption(Frozen):
    id: Slug
    label: Text
    fit: Annotated[int, Field(ge=0, le=100)]
    feedback: Text


class Decision(Frozen):
    """A choice the trainee makes besides writing (e.g. how the account signs)."""

    id: Slug
    at_turn: Annotated[int, Field(ge=1, le=30)] = 1
    prompt: Text
    options: Annotated[list[DecisionOption], Field(min_length=2)]
    # Share of the turn's score that the choice decides (0..1).
    weight: Annotated[float, Field(ge=0, le=1)] = 0.3


class ModelAnswer(Frozen):
    turn: Annotated[int, Field(ge=1, le=30)] = 1
    text: Text
    why: Text


Turn = Annotated[int, Field(ge=1, le=30)]
Channel = Literal["x", "facebook", "instagram", "linkedin", "tiktok", "forum", "discord", "reviews"]


class When(Frozen):
    """Which replies a situation concerns: by turn, and by injects fired before the reply.
    Every key given must hold; an empty `when` holds at every turn."""

    turns: list[Turn] | None = None
    from_turn: Turn | None = None
    to_turn: Turn | None = None
    injects: list[Slug] = []

    def holds(self, turn: int, fired: Iterable[str]) -> bool:
        if self.turns is not None and turn not in self.turns:
            return False
        if self.from_turn is not None and turn < self.from_turn:
            return False
        if self.to_turn is not None and turn > self.to_turn:
            return False
        return set(self.injects) <= set(fired)


class Check(Frozen):
    """What a reply does or must not do now, tied to one rubric criterion and its cards;
    `examples` are phrasings a reply could use (for a pitfall: phrasings that fall in it);
    `cues` name the generic reply features that show it."""

    id: Slug
    criterion: Slug
    practices: Annotated[list[Slug], Field(min_length=1)]
    text: Text
    examples: Annotated[list[Text], Field(min_length=1, max_length=8)]
    cues: list[Feature] = []


class Expectation(Check):
    weight: Annotated[float, Field(gt=0, le=3)] = 1.0


class Pitfall(Check):
    # A harmful pitfall sinks a reply whatever else it does; a minor one costs its criterion.
    severity: Literal["harmful", "minor"] = "harmful"


class Situation(Frozen):
    """What a strong reply does (expectations) and must not do (pitfalls) when `when` holds."""

    id: Slug
    when: When = When()
    calls_for: Text
    expectations: list[Expectation] = []
    pitfalls: list[Pitfall] = []


class Scenario(Frozen):
    id: Slug
    schema_version: Literal[1] = 1
    # The languages the scenario is offered in; every text is written in each of them.
    languages: Annotated[
        list[Lang], Field(min_length=1, max_length=2, json_schema_extra={"uniqueItems": True})
    ] = ["fr", "en"]
    title: Text
    brief: Text
    difficulty: Literal["beginner", "intermediate", "advanced"]
    skills: Annotated[list[Slug], Field(min_length=1)]
    channel: Channel
    brand: Brand
    reply_time_limit_s: Annotated[int, Field(ge=10, le=3600)]
    personas: Annotated[list[Persona], Field(min_length=1)]
    lead_persona: Slug
    opening: Annotated[list[Post], Field(min_length=1)]
    injects: list[Inject] = []
    reactions: dict[Slug, ReactionSet]
    metrics: Metrics
    end: EndConditions
    decision: Decision | None = None
    rubric: Annotated[list[Criterion], Field(min_length=1)]
    model_answers: Annotated[list[ModelAnswer], Field(min_length=2)]
    # What each turn calls for; several situations may hold at once (their checks add up).
    situations: list[Situation] = []

    @field_validator("languages")
    @classmethod
    def _distinct_languages(cls, value: list[Lang]) -> list[Lang]:
        if len(set(value)) != len(value):
            raise ValueError("a language is listed twice")
        return value

    def offers(self, lang: str) -> bool:
        return lang in self.languages

    def persona(self, persona_id: str) -> Persona:
        for persona in self.personas:
            if persona.id == persona_id:
                return persona
        raise KeyError(persona_id)

    def situations_at(self, turn: int, fired: Iterable[str] = ()) -> list[Situation]:
        fired = list(fired)
        return [s for s in self.situations if s.when.holds(turn, fired)]

    def timed_injects_before(self, turn: int) -> list[str]:
        """Injects that have surely fired before reply `turn` (those set by turn): what a
        grader assumes when only the turn number is known."""
        return [inj.id for inj in self.injects if inj.at_turn is not None and inj.at_turn < turn]

    def cited_practices(self) -> list[str]:
        """Every practice card the scenario teaches: cited by its rubric or by a check."""
        cited = [p for criterion in self.rubric for p in criterion.practices]
        for situation in self.situations:
            for check in (*situation.expectations, *situation.pitfalls):
                cited.extend(check.practices)
        return sorted(set(cited))

    def criterion(self, criterion_id: str) -> Criterion:
        for criterion in self.rubric:
            if criterion.id == criterion_id:
                return criterion
        raise KeyError(criterion_id)


# ---------------------------------------------------------------- reference checks


def _duplicates(items: Iterable[str]) -> Iterator[tuple[int, str]]:
    seen: set[str] = set()
    for index, item in enumerate(items):
        if item in seen:
            yield index, item
        seen.add(item)


def _check_condition(cond: Condition, loc: Loc, persona_ids: set[str]) -> Iterator[tuple[Loc, str]]:
    if cond.at_least is None and cond.at_most is None:
        yield loc, "a condition needs at_least or at_most"
    bounds = [("at_least", cond.at_least), ("at_most", cond.at_most)]
    if cond.metric == "mood":
        if cond.persona is None:
            yield (*loc, "persona"), "a mood condition names its persona"
        elif cond.persona not in persona_ids:
            yield (*loc, "persona"), f"unknown persona {cond.persona!r}"
        for name, value in bounds:
            if value is not None and value not in MOODS:
                yield (*loc, name), f"must be a mood: {', '.join(MOODS)}"
    else:
        if cond.persona is not None:
            yield (*loc, "persona"), "only mood conditions name a persona"
        for name, value in bounds:
            if isinstance(value, str):
                yield (*loc, name), f"must be a number for metric {cond.metric!r}"


def reference_problems(
    s: Scenario, expected_id: str | None, practice_ids: set[str] | None = None
) -> Iterator[tuple[Loc, str]]:
    """Cross-field rules the models cannot express; each with the path it concerns."""
    if expected_id is not None and s.id != expected_id:
        yield ("id",), f"must equal the file name {expected_id!r}, got {s.id!r}"
    ids = [p.id for p in s.personas]
    persona_ids = set(ids)
    for i, dup in _duplicates(ids):
        yield ("personas", i, "id"), f"duplicate persona id {dup!r}"
    for i, dup in _duplicates(p.handle.lower() for p in s.personas):
        yield ("personas", i, "handle"), f"duplicate handle {dup!r}"
    if s.lead_persona not in persona_ids:
        yield ("lead_persona",), f"unknown persona {s.lead_persona!r}"
    for i, post in enumerate(s.opening):
        if post.persona not in persona_ids:
            yield ("opening", i, "persona"), f"unknown persona {post.persona!r}"
    for i, dup in _duplicates(inj.id for inj in s.injects):
        yield ("injects", i, "id"), f"duplicate inject id {dup!r}"
    for i, inj in enumerate(s.injects):
        loc: Loc = ("injects", i)
        if inj.persona not in persona_ids:
            yield (*loc, "persona"), f"unknown persona {inj.persona!r}"
        if (inj.at_turn is None) == (inj.when is None):
            yield loc, "an inject needs exactly one of at_turn or when"
        if inj.at_turn is not None and inj.at_turn > s.end.max_turns:
            yield (*loc, "at_turn"), f"after the last turn ({s.end.max_turns})"
        for j, cond in enumerate(inj.when or []):
            yield from _check_condition(cond, (*loc, "when", j), persona_ids)
    for key in s.reactions:
        if key not in persona_ids:
            yield ("reactions", key), f"unknown persona {key!r}"
    speakers = {s.lead_persona, *(inj.persona for inj in s.injects)}
    for speaker in sorted(speakers & persona_ids):
        if speaker not in s.reactions:
            yield ("reactions",), f"persona {speaker!r} speaks but has no reaction lines"
    for part in ("resolved", "out_of_control"):
        for j, cond in enumerate(getattr(s.end, part)):
            yield from _check_condition(cond, ("end", part, j), persona_ids)
    for i, dup in _duplicates(c.id for c in s.rubric):
        yield ("rubric", i, "id"), f"duplicate criterion id {dup!r}"
    total = sum(c.weight for c in s.rubric)
    if abs(total - 1.0) > 0.011:
        yield ("rubric",), f"criterion weights must add up to 1.0, they add up to {total:.3f}"
    for i, criterion in enumerate(s.rubric):
        for j, practice in enumerate(criterion.practices):
            if practice_ids is not None and practice not in practice_ids:
                yield ("rubric", i, "practices", j), f"unknown practice id {practice!r}"
        clash = set(criterion.rewards) & set(criterion.penalises)
        if clash:
            yield (
                ("rubric", i, "penalises"),
                f"features both rewarded and penalised: {', '.join(sorted(clash))}",
            )
    yield from _situation_problems(s, practice_ids)
    yield from _language_problems(s)
    for i, answer in enumerate(s.model_answers):
        if answer.turn > s.end.max_turns:
            yield ("model_answers", i, "turn"), f"after the last turn ({s.end.max_turns})"
    if s.decision is not None:
        if s.decision.at_turn > s.end.max_turns:
            yield ("decision", "at_turn"), f"after the last turn ({s.end.max_turns})"
        for i, dup in _duplicates(o.id for o in s.decision.options):
            yield ("decision", "options", i, "id"), f"duplicate option id {dup!r}"


def _situation_problems(s: Scenario, practice_ids: set[str] | None) -> Iterator[tuple[Loc, str]]:
    criteria = {c.id for c in s.rubric}
    injects = {inj.id for inj in s.injects}
    last = s.end.max_turns
    for i, dup in _duplicates(sit.id for sit in s.situations):
        yield ("situations", i, "id"), f"duplicate situation id {dup!r}"
    seen_checks: set[str] = set()
    for i, sit in enumerate(s.situations):
        loc: Loc = ("situations", i)
        when = sit.when
        for j, turn in enumerate(when.turns or []):
            if turn > last:
                yield (*loc, "when", "turns", j), f"after the last turn ({last})"
        for name in ("from_turn", "to_turn"):
            value = getattr(when, name)
            if value is not None and value > last:
                yield (*loc, "when", name), f"after the last turn ({last})"
        if when.from_turn and when.to_turn and when.from_turn > when.to_turn:
            yield (*loc, "when", "to_turn"), "to_turn comes before from_turn"
        for j, inject in enumerate(when.injects):
            if inject not in injects:
                yield (*loc, "when", "injects", j), f"unknown inject {inject!r}"
        if not sit.expectations and not sit.pitfalls:
            yield loc, "a situation needs at least one expectation or pitfall"
        for part in ("expectations", "pitfalls"):
            for j, check in enumerate(getattr(sit, part)):
                where: Loc = (*loc, part, j)
                if check.id in seen_checks:
                    yield (*where, "id"), f"duplicate check id {check.id!r} in this scenario"
                seen_checks.add(check.id)
                if check.criterion not in criteria:
                    yield (*where, "criterion"), f"unknown rubric criterion {check.criterion!r}"
                for k, practice in enumerate(check.practices):
                    if practice_ids is not None and practice not in practice_ids:
                        yield (*where, "practices", k), f"unknown practice id {practice!r}"


def _texts(value: Any, loc: Loc) -> Iterator[tuple[Loc, Text]]:
    """Every Text inside a model, list or mapping, with the path an author reads."""
    if isinstance(value, Text):
        yield loc, value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _texts(getattr(value, name), (*loc, name))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _texts(item, (*loc, index))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _texts(item, (*loc, str(key)))


def _language_problems(s: Scenario) -> Iterator[tuple[Loc, str]]:
    """A text lacking one of the scenario's languages, at the path of the missing one."""
    for loc, text in _texts(s, ()):
        present = [lang for lang in LANGS if text.has(lang)]
        for lang in s.languages:
            if text.has(lang):
                continue
            message = f"missing {LANGUAGE_NAMES[lang]} text; write it"
            if len(s.languages) > 1:
                message += f" or declare `languages: [{', '.join(present)}]`"
            yield (*loc, lang), message


def language_gaps(data: Any) -> dict[str, list[str]]:
    """For "fr" and "en", the paths (`personas[2].bio`) of the texts lacking that language.

    Reads the raw parsed YAML, so it answers while the scenario does not validate yet: a
    text is any mapping whose keys are `fr` and/or `en`; a blank value counts as missing."""
    gaps: dict[str, list[str]] = {lang: [] for lang in LANGS}

    def walk(value: Any, loc: Loc) -> None:
        if isinstance(value, dict):
            keys = set(value)
            if keys and keys <= TEXT_KEYS:
                for lang in LANGS:
                    written = value.get(lang)
                    if not isinstance(written, str) or not written.strip():
                        gaps[lang].append(format_loc(loc))
                return
            for key, item in value.items():
                walk(item, (*loc, key if isinstance(key, str | int) else str(key)))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, (*loc, index))

    walk(data, ())
    return gaps


# ---------------------------------------------------------------- loading


def _pydantic_message(err: dict[str, Any]) -> str:
    kind = err.get("type", "")
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field (not part of the scenario format)"
    if kind == "string_pattern_mismatch":
        pattern = str(err.get("ctx", {}).get("pattern", ""))
        return _PATTERN_HINTS.get(pattern, f"does not match {pattern}")
    message = str(err.get("msg", "invalid value"))
    return message.removeprefix("Value error, ")


_PATTERN_HINTS = {
    r"^[a-z0-9][a-z0-9_-]*$": "must be a lowercase id: letters a-z, digits, '-' or '_'",
    r"^@\w{1,30}$": "must be a handle such as @name (letters, digits, '_'; 30 at most)",
}


def _clean_loc(loc: tuple[Any, ...]) -> Loc:
    # Pydantic inserts validator names (e.g. "function-after[...]") and union branch names.
    return tuple(
        part for part in loc if isinstance(part, int) or not re.search(r"[\[\]()]", str(part))
    )


def problems_from_validation(doc: YamlDocument, exc: ValidationError) -> list[Problem]:
    problems = []
    seen: set[tuple[Loc, str]] = set()
    for err in exc.errors():
        loc = _clean_loc(tuple(err["loc"]))
        message = _pydantic_message(dict(err))
        if (loc, message) in seen:
            continue
        seen.add((loc, message))
        problems.append(doc.problem(loc, message))
    return problems


def _merge(yaml_problems: list[Problem], model_problems: list[Problem]) -> list[Problem]:
    """All problems at once, but not a second message for a value YAML already refused."""
    refused = {p.field for p in yaml_problems}
    return [
        *yaml_problems,
        *(p for p in model_problems if not any(_under(p.field, f) for f in refused)),
    ]


def _under(field: str, parent: str) -> bool:
    return field == parent or field.startswith((f"{parent}.", f"{parent}["))


def load_scenario(path: Path, practice_ids: set[str] | None = None) -> Scenario:
    """Load and check one scenario file; raise ContentError with every problem found.

    With `practice_ids`, rubric criteria must cite known knowledge-base practices.
    """
    return scenario_from_document(read_yaml(path), path.stem, practice_ids)


def load_scenario_text(
    text: str, name: str, scenario_id: str | None = None, practice_ids: set[str] | None = None
) -> Scenario:
    """Check a scenario typed or uploaded rather than read from a file: the same limits,
    the same located problems, named `name` (e.g. "my-scenario.yaml"). Its id must be
    `scenario_id` when given, like a file's must match its name."""
    doc = read_yaml_bytes(text.encode("utf-8"), YamlDocument(path=Path(name)))
    expected = scenario_id
    if expected is None and isinstance(doc.data, dict) and isinstance(doc.data.get("id"), str):
        expected = doc.data["id"]
    return scenario_from_document(doc, expected or Path(name).stem, practice_ids)


def scenario_from_document(
    doc: YamlDocument, scenario_id: str, practice_ids: set[str] | None = None
) -> Scenario:
    """A parsed document checked as a scenario whose id must be `scenario_id`."""
    if doc.data is None:
        raise ContentError(doc.problems)
    if not isinstance(doc.data, dict):
        raise ContentError([*doc.problems, doc.problem((), "a scenario is a mapping of fields")])
    try:
        scenario = Scenario.model_validate(doc.data)
    except ValidationError as exc:
        raise ContentError(_merge(doc.problems, problems_from_validation(doc, exc))) from None
    if doc.problems:
        raise ContentError(doc.problems)
    problems = [
        doc.problem(loc, msg)
        for loc, msg in reference_problems(scenario, scenario_id, practice_ids)
    ]
    if problems:
        raise ContentError(problems)
    return scenario


def scenario_files(paths: Iterable[Path]) -> list[Path]:
    """Expand directories to their *.yaml / *.yml files, keep files as given."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted([*path.glob("*.yaml"), *path.glob("*.yml")]))
        else:
            files.append(path)
    return files


def validate_paths(paths: Iterable[Path], practice_ids: set[str] | None = None) -> list[Problem]:
    problems: list[Problem] = []
    for path in scenario_files(paths):
        if not path.exists():
            problems.append(Problem(display_path(path), 1, "", "no such file or directory"))
            continue
        try:
            load_scenario(path, practice_ids)
        except ContentError as exc:
            problems.extend(exc.problems)
    return problems


def json_schema() -> dict[str, Any]:
    schema = Scenario.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "CM Simulator scenario"
    return schema
