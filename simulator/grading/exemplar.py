"""ExemplarGrader: the default grader. No large model needed, and it carries to scenarios it
has never seen.

For a reply it (1) cuts out anything addressed to the grader (injection.py), (2) checks what
this turn calls for: each expectation met or missed and each pitfall fallen into or avoided,
with the sentence that shows it (checks.py), (3) measures cues and closeness to the cards'
"do" and "don't" replies and to the model answers (features.py), (4) turns all this into
per-criterion and overall scores with a calibration fitted on other scenarios' graded
replies (calibration.py), (5) cites the practices that apply and shows the model answer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from simulator.content import LANGS, Criterion, Lang, Scenario, is_negated, t
from simulator.grading.addressee import MIN_WORDS, AddresseeModel, texts_for
from simulator.grading.calibration import Calibration, grade_to_score
from simulator.grading.checks import (
    Applicable,
    Match,
    Scale,
    applicable,
    best_match,
    calls_for,
    check_texts,
    cue_shown,
    found_cues,
    judge_checks,
    units,
)
from simulator.grading.exemplars import ExemplarBank, Matrix, check_key
from simulator.grading.features import (
    CRITERION_FEATURES,
    GLOBAL_FEATURES,
    as_row,
    criterion_features,
    global_features,
    sentence_features,
)
from simulator.grading.injection import Screening, assemble, screen
from simulator.grading.rules import better_reply, criterion_feedback, empty_assessment
from simulator.knowledge import Card
from simulator.protocols import (
    Assessment,
    CheckResult,
    CriterionScore,
    GradingContext,
    Retriever,
)

log = logging.getLogger(__name__)

# A reply caught talking to the grader loses this much and cannot pass: a manipulation
# attempt in an assessment is for a human to look at. One mostly talking to it scores 0.
INJECTION_PENALTY = 10.0
INJECTION_CAP = 40.0
OFF_TASK_SCORE = 0.0
# Below this a criterion is "to work on": its feedback cites the practice to revise.
WEAK = 60.0
RETRIEVED = 3
# The addressee model's probability above which a sentence counts as an injection attempt
# (below it, down to the model's threshold, the sentence is only left out of scoring).
SURE = 0.97
MIN_READING_WORDS = 3


@dataclass(frozen=True)
class ReplyFeatures:
    """Everything measured on one reply: the model's inputs and what feedback needs."""

    screening: Screening
    globals: dict[str, float]
    criteria: list[dict[str, float]]
    found: set[str]
    vector: Matrix
    checks: list[CheckResult] = field(default_factory=list)
    calls_for: list[str] = field(default_factory=list)

    def criterion_rows(self) -> list[list[float]]:
        g = as_row(self.globals, GLOBAL_FEATURES)
        return [as_row(c, CRITERION_FEATURES) + g for c in self.criteria]


@dataclass(frozen=True)
class Embedded:
    """A screened reply, its sentences and their embeddings."""

    screening: Screening
    context: GradingContext
    # The whole reply left to score, then each sentence long enough to be evidence.
    vector: Matrix
    units: list[str]
    unit_vectors: Matrix
    unit_negated: NDArray[np.bool_]


@dataclass
class Featurizer:
    """Turns replies into features; encodes all the texts of a batch in one call."""

    bank: ExemplarBank
    encode: Callable[[list[str]], Matrix]
    guarded_ids: frozenset[str]
    addressee: AddresseeModel | None = None
    # An English-trained encoder reads French badly: a word-by-word English gist of each
    # French sentence (knowledge/glossary.py) gives the injection screen a second reading. A
    # multilingual encoder places French next to English on its own.
    gist: bool = False
    scale: Scale = field(default_factory=Scale)

    def segment_features(self, segments: Sequence[str]) -> Matrix:
        """What the addressee model reads: the embedding of the normalised segment (and of
        its English gist, side by side, when the encoder needs one)."""
        pairs = [texts_for(seg, self.gist) for seg in segments]
        if not self.gist:
            return np.asarray(self.encode([p for p, _ in pairs]), dtype=np.float32)
        vectors = np.asarray(
            self.encode([p for p, _ in pairs] + [g for _, g in pairs]), dtype=np.float32
        )
        n = len(segments)
        return np.hstack([vectors[:n], vectors[n:]])

    def second_opinion(self, screenings: list[Screening]) -> list[Screening]:
        """Cut the kept sentences the addressee model says are written to the grader."""
        if self.addressee is None:
            return screenings
        where = [
            (i, j, seg)
            for i, s in enumerate(screenings)
            for j, (seg, reason) in enumerate(s.segments)
            if reason is None and len(seg.split()) >= MIN_WORDS
        ]
        if not where:
            return screenings
        features = self.segment_features([seg for _, _, seg in where]).astype(np.float64)
        probs = self.addressee.probability(features)
        hits: dict[int, dict[int, str]] = {}
        for (i, j, _), p in zip(where, probs, strict=True):
            if p >= self.addressee.threshold:
                # Sure enough to call it an attempt, or only enough not to score it.
                hits.setdefault(i, {})[j] = "semantic" if p >= SURE else "doubtful"
        out = list(screenings)
        for i, cut in hits.items():
            marked = [
                (seg, cut.get(j, reason)) for j, (seg, reason) in enumerate(screenings[i].segments)
            ]
            out[i] = assemble(screenings[i].original, marked)
        return out

    def ensure_exemplars(self, scenarios: Sequence[Scenario]) -> None:
        """Embed the exemplars of scenarios the bank does not hold as they are written now
        (a trainer's scenario from the store, a new version of one)."""
        seen: set[str] = set()
        for scenario in scenarios:
            if scenario.id not in seen:
                seen.add(scenario.id)
                if self.bank.ensure(scenario, self.encode):
                    log.info("exemplars of scenario %s embedded", scenario.id)

    def embed(
        self, replies: Sequence[tuple[str, GradingContext]], screened: bool = True
    ) -> list[Embedded]:
        self.ensure_exemplars([context.scenario for _, context in replies])
        screenings = [
            screen(reply, self.guarded_ids) if screened else Screening(reply, reply)
            for reply, _ in replies
        ]
        if screened:
            screenings = self.second_opinion(screenings)
        if not screenings:
            return []
        texts = [s.clean or "-" for s in screenings]
        pieces = [units(text) for text in texts]
        flat = texts + [u for part in pieces for u in part]
        vectors = np.asarray(self.encode(flat), dtype=np.float32)
        out = []
        start = len(texts)
        for i, (screening, (_, context)) in enumerate(zip(screenings, replies, strict=True)):
            end = start + len(pieces[i])
            out.append(
                Embedded(
                    screening=screening,
                    context=context,
                    vector=vectors[i],
                    units=pieces[i],
                    unit_vectors=vectors[start:end],
                    unit_negated=np.array([is_negated(u) for u in pieces[i]], dtype=bool),
                )
            )
            start = end
        return out

    def references(self, ctx: GradingContext) -> tuple[Matrix | None, Matrix | None]:
        """(good, bad) references of this turn: the model answer, the expectations and the
        rubric cards' "do" replies; the pitfalls and the cards' "don't" replies."""
        scenario = ctx.scenario
        items = applicable(scenario, ctx.turn, ctx.fired)
        practices = sorted({p for c in scenario.rubric for p in c.practices})
        bank = self.bank
        good = [bank.get(k) for k in bank.turn_answer_keys(scenario.id, ctx.turn)]
        good += [
            bank.get(check_key(scenario.id, a.check.id)) for a in items if a.kind == "expectation"
        ]
        good += [bank.get(f"do:{p}:{lang}") for p in practices for lang in LANGS]
        bad = [bank.get(check_key(scenario.id, a.check.id)) for a in items if a.kind == "pitfall"]
        bad += [bank.get(f"dont:{p}:{lang}") for p in practices for lang in LANGS]
        return _stack(good), _stack(bad)

    def check_matches(self, embedded: Embedded, found: set[str]) -> list[tuple[Applicable, Match]]:
        """Each check of this turn with its best match in the reply (scale-free). The other
        side of an expectation is this turn's pitfalls; of a pitfall, the turn's model answer
        and expectations."""
        ctx = embedded.context
        items = applicable(ctx.scenario, ctx.turn, ctx.fired)
        scenario = ctx.scenario.id
        examples = {a.check.id: self.bank.get(check_key(scenario, a.check.id)) for a in items}
        good = [self.bank.get(k) for k in self.bank.turn_answer_keys(ctx.scenario.id, ctx.turn)]
        good += [examples[a.check.id] for a in items if a.kind == "expectation"]
        bad = [examples[a.check.id] for a in items if a.kind == "pitfall"]
        sides = {"expectation": _stack(bad), "pitfall": _stack(good)}
        out = []
        for item in items:
            if not len(examples[item.check.id]):
                continue
            match = best_match(
                embedded.unit_vectors,
                embedded.unit_negated,
                examples[item.check.id],
                check_texts(item.check),
                cue_shown(item.check, found),
                sides[item.kind],
            )
            out.append((item, match))
        return out

    def measure(self, embedded: Embedded, scale: Scale | None = None) -> ReplyFeatures:
        """Features of one embedded reply, its checks read on `scale` (default: its own)."""
        ctx = embedded.context
        scenario, lang, turn = ctx.scenario, ctx.lang, ctx.turn
        text = embedded.screening.clean
        found = found_cues(text)
        matched = self.check_matches(embedded, found)
        checks = judge_checks(
            scenario,
            lang,
            [item for item, _ in matched],
            [match for _, match in matched],
            embedded.units,
            scale or self.scale,
        )
        vector = embedded.vector
        good, bad = self.references(ctx)
        unit_key = self.bank.turn_unit_key(scenario.id, turn)
        signals = sentence_features(
            embedded.unit_vectors[:-1],  # the sentences (the last unit is the whole reply)
            good,
            bad,
            self.bank.get(unit_key) if unit_key else None,
        )
        globals_ = global_features(
            text, found, vector, scenario, lang, turn, self.bank, checks, signals
        )
        per_criterion = [
            criterion_features(c, found, vector, scenario, lang, self.bank, checks)
            for c in scenario.rubric
        ]
        return ReplyFeatures(
            screening=embedded.screening,
            globals=globals_,
            criteria=per_criterion,
            found=found,
            vector=vector,
            checks=checks,
            calls_for=calls_for(scenario, turn, ctx.fired, lang),
        )

    def many(
        self, replies: Sequence[tuple[str, GradingContext]], screened: bool = True
    ) -> list[ReplyFeatures]:
        return [self.measure(e) for e in self.embed(replies, screened)]


def _stack(parts: Sequence[Matrix]) -> Matrix | None:
    kept = [p for p in parts if len(p)]
    return np.vstack(kept) if kept else None


class ExemplarGrader:
    """Calibrated, evidence-checking grading (the engine's default Grader)."""

    name = "exemplar"

    def __init__(
        self,
        featurizer: Featurizer,
        calibration: Calibration,
        cards: dict[str, Card],
        retriever: Retriever | None = None,
    ) -> None:
        self.featurizer = featurizer
        self.calibration = calibration
        self.cards = cards
        self.retriever = retriever

    def assess(self, reply: str, context: GradingContext) -> Assessment:
        return self.assess_many([(reply, context)])[0]

    def assess_many(self, replies: Sequence[tuple[str, GradingContext]]) -> list[Assessment]:
        to_score = [(r, c) for r, c in replies if r.strip()]
        measured = self.featurizer.many(to_score)
        # Replies with text for the grader are also read whole, and as the part before and
        # after the payload: the lowest reading stands (injection.py).
        readings: list[tuple[int, tuple[str, GradingContext]]] = []
        for i, f in enumerate(measured):
            if f.screening.injected:
                ctx = to_score[i][1]
                readings.append((i, (f.screening.original, ctx)))
                around = f"{f.screening.before} {f.screening.after}".strip()
                for part in (f.screening.before, f.screening.after, around):
                    if len(part.split()) >= MIN_READING_WORDS:
                        readings.append((i, (part, ctx)))
        read = self.featurizer.many([r for _, r in readings], screened=False)
        raw: dict[int, list[ReplyFeatures]] = {}
        for (i, _), features in zip(readings, read, strict=True):
            raw.setdefault(i, []).append(features)
        out = []
        index = 0
        for reply, context in replies:
            if not reply.strip():
                out.append(empty_assessment(context, self.name))
                continue
            out.append(self._assess(context, measured[index], raw.get(index)))
            index += 1
        return out

    def predict(
        self, features: ReplyFeatures, rubric: Sequence[Criterion]
    ) -> tuple[list[float], float]:
        """(criterion grades 1-5, overall grade 1-5) before any injection policy."""
        return self.calibration.predict(features.criterion_rows(), rubric, features.globals)

    def _assess(
        self, context: GradingContext, f: ReplyFeatures, raw: list[ReplyFeatures] | None
    ) -> Assessment:
        scenario, lang = context.scenario, context.lang
        grades, overall = self.predict(f, scenario.rubric)
        score = grade_to_score(overall)
        scores = [grade_to_score(g) for g in grades]
        flags: list[str] = []
        if f.screening.off_task:
            flags = ["off_task", "injection"]
            score = OFF_TASK_SCORE
            scores = [OFF_TASK_SCORE for _ in scores]
        elif f.screening.injected:
            flags = ["injection"]
            # What was cut can never help: the reply is also scored whole, and the lower of
            # the two readings, minus the penalty, stands.
            for reading in raw or []:
                raw_grades, raw_overall = self.predict(reading, scenario.rubric)
                score = min(score, grade_to_score(raw_overall))
                scores = [
                    min(s, grade_to_score(g)) for s, g in zip(scores, raw_grades, strict=True)
                ]
            score = min(INJECTION_CAP, max(0.0, score - INJECTION_PENALTY))
            scores = [min(INJECTION_CAP, max(0.0, s - INJECTION_PENALTY)) for s in scores]
        criteria = [
            CriterionScore(
                id=c.id,
                score=round(s, 1),
                feedback=self._feedback(c, s, f, lang, flags),
                practices=self._ranked_practices(c, f, lang, weak=s < WEAK),
            )
            for c, s in zip(scenario.rubric, scores, strict=True)
        ]
        return Assessment(
            score=round(score, 1),
            criteria=criteria,
            practices=self._cited(criteria, f, lang),
            better_reply=better_reply(scenario, lang, context.turn),
            features=sorted(f.found),
            flags=flags,
            grader=self.name,
            calls_for=f.calls_for,
            checks=f.checks,
        )

    def _ranked_practices(
        self, criterion: Criterion, f: ReplyFeatures, lang: Lang, weak: bool
    ) -> list[str]:
        """A weak criterion cites first the cards of what it missed or fell into, then the
        card whose "do" replies the reply is furthest from; a strong one, the card it follows
        most closely."""
        bank = self.featurizer.bank

        def closeness(practice: str) -> float:
            do = bank.best(f.vector, f"do:{practice}:{lang}")
            dont = bank.best(f.vector, f"dont:{practice}:{lang}")
            return do - dont

        ordered = sorted(criterion.practices, key=closeness, reverse=not weak)
        if not weak:
            return ordered
        missed = [
            p
            for r in f.checks
            if r.criterion == criterion.id and r.status in ("missed", "violated")
            for p in r.practices
        ]
        return list(dict.fromkeys([*missed, *ordered]))

    def _feedback(
        self, criterion: Criterion, score: float, f: ReplyFeatures, lang: Lang, flags: list[str]
    ) -> str:
        if "off_task" in flags:
            return t(lang, "grading.off_task")
        level = "strong" if score >= 75 else "fair" if score >= WEAK else "weak"
        parts = [t(lang, f"grading.level.{level}")]
        mine = [r for r in f.checks if r.criterion == criterion.id]
        violated = [r for r in mine if r.status == "violated"]
        missed = [r for r in mine if r.status == "missed"]
        met = [r for r in mine if r.status == "met"]
        if violated:
            parts.append(t(lang, "grading.violated", items="; ".join(r.text for r in violated)))
        if missed:
            parts.append(t(lang, "grading.missed", items="; ".join(r.text for r in missed)))
        if met and level != "weak":
            parts.append(t(lang, "grading.met", items="; ".join(r.text for r in met)))
        if not mine:
            parts.append(criterion_feedback(criterion, f.found, lang))
        if level != "strong":
            first = self._ranked_practices(criterion, f, lang, weak=True)[0]
            card = self.cards.get(first)
            if card is not None:
                parts.append(t(lang, "grading.revise", title=card.title.get(lang), id=card.id))
        if "injection" in flags:
            parts.append(t(lang, "grading.injection"))
        return " ".join(parts)

    def _cited(self, criteria: list[CriterionScore], f: ReplyFeatures, lang: Lang) -> list[str]:
        """The practices of the verdict: weak criteria's cards first, then retrieved ones."""
        cited: list[str] = []
        for criterion in sorted(criteria, key=lambda c: c.score):
            for practice in criterion.practices[:2]:
                if practice not in cited:
                    cited.append(practice)
        text = f.screening.clean
        if self.retriever is not None and text.strip():
            try:
                retrieved = self.retriever.card_ids(text, lang, k=RETRIEVED)
            except RuntimeError as exc:
                # No index yet (it is built by `cm-sim index` or the app): cite the rubric's
                # cards only rather than fail the grade.
                log.info("no retrieved citations: %s", exc)
                retrieved = []
            for practice in retrieved:
                if practice not in cited:
                    cited.append(practice)
        return cited
