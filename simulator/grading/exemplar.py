"""ExemplarGrader: the default grader, calibrated on expert grades, no large model needed.

For a reply it (1) cuts out anything addressed to the grader (simulator/injection.py),
(2) measures cues and closeness to the shipped exemplars (model answers, the "do" and
"don't" replies of each criterion's practice cards), (3) turns them into per-criterion and
overall scores with the calibrated ridge model, (4) cites the practices that apply: the
criterion's pinned cards, best-matching first, plus the cards the knowledge base retrieves
for the reply, and (5) shows the scenario's model answer as the better reply.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from simulator.content import Criterion, Lang, t
from simulator.grading.addressee import MIN_WORDS, AddresseeModel, texts_for
from simulator.grading.calibration import Calibration, grade_to_score
from simulator.grading.exemplars import ExemplarBank, Matrix
from simulator.grading.features import (
    CRITERION_FEATURES,
    GLOBAL_FEATURES,
    as_row,
    criterion_features,
    english_criterion_features,
    english_features,
    global_features,
)
from simulator.grading.injection import Screening, assemble, screen
from simulator.grading.neighbours import Neighbours
from simulator.grading.rules import better_reply, criterion_feedback, empty_assessment
from simulator.knowledge import Card, to_english
from simulator.protocols import Assessment, CriterionScore, GradingContext, Retriever

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

    def criterion_rows(self) -> list[list[float]]:
        g = as_row(self.globals, GLOBAL_FEATURES)
        return [as_row(c, CRITERION_FEATURES) + g for c in self.criteria]


def criterion_columns() -> list[str]:
    return [*CRITERION_FEATURES, *GLOBAL_FEATURES]


def overall_columns() -> list[str]:
    return ["weighted", "weakest", *GLOBAL_FEATURES]


def overall_row(
    criterion_grades: Sequence[float], weights: Sequence[float], globals_: dict[str, float]
) -> list[float]:
    weighted = float(np.dot(criterion_grades, weights) / max(sum(weights), 1e-9))
    return [weighted, float(min(criterion_grades)), *as_row(globals_, GLOBAL_FEATURES)]


@dataclass(frozen=True)
class Embedded:
    """A screened reply and the embedding of what is left to score."""

    screening: Screening
    vector: Matrix
    context: GradingContext
    # The embedding of the English gist (simulator/glossary.py); the same vector for English.
    vector_en: Matrix


@dataclass
class Featurizer:
    """Turns replies into features; encodes all the texts of a batch in one call."""

    bank: ExemplarBank
    encode: Callable[[list[str]], Matrix]
    guarded_ids: frozenset[str]
    neighbours: Neighbours | None = None
    addressee: AddresseeModel | None = None
    # An English-trained encoder reads French badly: a word-by-word English gist of each
    # French text (knowledge/glossary.py) gives it a second reading. A multilingual encoder
    # places French next to English on its own, and the gist only adds noise.
    gist: bool = False

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

    def embed(
        self, replies: Sequence[tuple[str, GradingContext]], screened: bool = True
    ) -> list[Embedded]:
        screenings = [
            screen(reply, self.guarded_ids) if screened else Screening(reply, reply)
            for reply, _ in replies
        ]
        if screened:
            screenings = self.second_opinion(screenings)
        if not screenings:
            return []
        texts = [s.clean or "-" for s in screenings]
        french = [i for i, (_, ctx) in enumerate(replies) if ctx.lang == "fr" and self.gist]
        gists = [to_english(texts[i]) or "-" for i in french]
        vectors = np.asarray(self.encode(texts + gists), dtype=np.float32)
        english = dict(zip(french, vectors[len(texts) :], strict=True))
        return [
            Embedded(screening, vectors[i], context, english.get(i, vectors[i]))
            for i, (screening, (_, context)) in enumerate(zip(screenings, replies, strict=True))
        ]

    def measure(
        self, embedded: Embedded, allowed: Callable[[str], bool] | None = None
    ) -> ReplyFeatures:
        """Features of one embedded reply; `allowed` limits which graded replies count as
        its neighbours (cross-validation)."""
        scenario, lang, turn = (
            embedded.context.scenario,
            embedded.context.lang,
            embedded.context.turn,
        )
        vector, text = embedded.vector, embedded.screening.clean
        nearest = (
            self.neighbours.nearest(vector, scenario.id, lang, allowed) if self.neighbours else []
        )
        globals_, found = global_features(text, vector, scenario, lang, turn, self.bank, nearest)
        globals_.update(english_features(embedded.vector_en, scenario, turn, self.bank))
        per_criterion = [
            {
                **criterion_features(c, found, vector, scenario, lang, self.bank, nearest),
                **english_criterion_features(c, embedded.vector_en, self.bank),
            }
            for c in scenario.rubric
        ]
        return ReplyFeatures(embedded.screening, globals_, per_criterion, found, vector)

    def many(
        self, replies: Sequence[tuple[str, GradingContext]], screened: bool = True
    ) -> list[ReplyFeatures]:
        return [self.measure(e) for e in self.embed(replies, screened)]


class ExemplarGrader:
    """Calibrated exemplar- and feature-based grading (the engine's default Grader)."""

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
        # after the payload: the lowest reading stands (simulator/injection.py).
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
        rows = np.asarray(features.criterion_rows(), dtype=np.float64)
        grades = np.clip(self.calibration.criterion.predict(rows), 1.0, 5.0).tolist()
        weights = [c.weight for c in rubric]
        row = np.asarray([overall_row(grades, weights, features.globals)], dtype=np.float64)
        overall = float(np.clip(self.calibration.overall.predict(row)[0], 1.0, 5.0))
        return grades, overall

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
            practices=self._cited(criteria, f.screening.clean, lang),
            better_reply=better_reply(scenario, lang, context.turn),
            features=sorted(f.found),
            flags=flags,
            grader=self.name,
        )

    def _ranked_practices(
        self, criterion: Criterion, f: ReplyFeatures, lang: Lang, weak: bool
    ) -> list[str]:
        """A weak criterion cites first the card whose "do" replies the reply is furthest
        from; a strong one, the card it follows most closely."""
        bank = self.featurizer.bank

        def closeness(practice: str) -> float:
            do = bank.best(f.vector, f"do:{practice}:{lang}")
            dont = bank.best(f.vector, f"dont:{practice}:{lang}")
            return do - dont

        return sorted(criterion.practices, key=closeness, reverse=not weak)

    def _feedback(
        self, criterion: Criterion, score: float, f: ReplyFeatures, lang: Lang, flags: list[str]
    ) -> str:
        if "off_task" in flags:
            return t(lang, "grading.off_task")
        level = "strong" if score >= 75 else "fair" if score >= WEAK else "weak"
        parts = [t(lang, f"grading.level.{level}"), criterion_feedback(criterion, f.found, lang)]
        if level != "strong":
            first = self._ranked_practices(criterion, f, lang, weak=True)[0]
            card = self.cards.get(first)
            if card is not None:
                parts.append(t(lang, "grading.revise", title=card.title.get(lang), id=card.id))
        if "injection" in flags:
            parts.append(t(lang, "grading.injection"))
        return " ".join(parts)

    def _cited(self, criteria: list[CriterionScore], text: str, lang: Lang) -> list[str]:
        """The practices of the verdict: weak criteria's cards first, then retrieved ones."""
        cited: list[str] = []
        for criterion in sorted(criteria, key=lambda c: c.score):
            for practice in criterion.practices[:2]:
                if practice not in cited:
                    cited.append(practice)
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
