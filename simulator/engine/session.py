"""The session state machine: a scenario plus the trainee's replies make a transcript.

The engine decides what happens (moods, metrics, injects, the end) from each reply's
assessment and delay; the community voice only words it. Everything random is drawn
from generators seeded by (seed, turn, persona), so the same seed and replies give the
same session, and the state is plain data that can be stored and resumed.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from typing import Literal

from pydantic import Field

from simulator.content import (
    MAX_REPLY_CHARS,
    MOODS,
    Condition,
    Inject,
    Lang,
    Persona,
    Scenario,
    Strict,
    lines,
)
from simulator.engine.crowd import (
    MAX_POSTS_PER_TURN,
    CrowdTurn,
    Excitation,
    crowd_turn,
    inject_excitation,
    intensity,
    reply_excitation,
)
from simulator.engine.metrics import (
    MetricState,
    apply_effect,
    late_minutes,
    mood_steps,
    move_mood,
    step_metrics,
)
from simulator.errors import InputError, SimulatorError
from simulator.protocols import (
    Assessment,
    CommunityVoice,
    Grader,
    GradingContext,
    VoiceRequest,
)

log = logging.getLogger(__name__)

EndReason = Literal["resolved", "out_of_control", "turn_limit"]
TokenSink = Callable[[str, str], None]


class Event(Strict):
    """One post in the feed: an opening post, the trainee's reply, a reaction, an inject."""

    turn: int
    kind: Literal["post", "reply", "reaction", "dm", "share", "mention"]
    author: str  # persona id, "trainee", or "crowd" for a bystander
    name: str
    handle: str
    text: str
    mood: str | None = None
    likes: int = 0
    shares: int = 0
    minute: float = 0.0
    source: Literal["script", "voice", "trainee", "inject", "crowd"] = "script"
    inject: str | None = None


class TurnRecord(Strict):
    turn: int
    reply: str
    delay_s: float | None
    late_min: float
    choice: str | None = None
    choice_fit: float | None = None
    assessment: Assessment
    score: float
    metrics: dict[str, float]
    moods: dict[str, str]
    injects: list[str]
    crowd: CrowdTurn | None = None


class SessionState(Strict):
    scenario_id: str
    lang: Lang
    seed: int
    turn: int = 0
    minute: float = 0.0
    metrics: MetricState
    moods: dict[str, str]
    in_scene: list[str]
    responders: list[str]
    fired: list[str] = []
    used_lines: dict[str, list[int]] = {}
    events: list[Event] = []
    turns: list[TurnRecord] = []
    ended: bool = False
    end_reason: EndReason | None = None
    history: list[dict[str, float]] = Field(default_factory=list)
    excitations: list[Excitation] = Field(default_factory=list)


class SessionOver(SimulatorError, RuntimeError):
    pass


class ReplyRejected(InputError):
    """A reply the engine refuses before anything changes (too long, missing choice...)."""


class LanguageNotOffered(InputError):
    """A session asked in a language the scenario is not written in."""


def _rng(seed: int, *parts: object) -> random.Random:
    return random.Random(":".join([str(seed), *map(str, parts)]))


def holds(cond: Condition, metrics: MetricState, moods: dict[str, str]) -> bool:
    if cond.metric == "mood":
        mood = moods.get(cond.persona or "")
        if mood is None:
            return False
        value: float = MOODS.index(mood)
        low: float | None = MOODS.index(str(cond.at_least)) if cond.at_least is not None else None
        high: float | None = MOODS.index(str(cond.at_most)) if cond.at_most is not None else None
    else:
        value = getattr(metrics, cond.metric)
        low = float(cond.at_least) if cond.at_least is not None else None
        high = float(cond.at_most) if cond.at_most is not None else None
    return (low is None or value >= low) and (high is None or value <= high)


class Session:
    """One trainee in one scenario. `submit` plays a turn; `state` is all there is to keep."""

    def __init__(
        self, scenario: Scenario, grader: Grader, voice: CommunityVoice, state: SessionState
    ) -> None:
        if state.scenario_id != scenario.id:
            raise ValueError("state belongs to another scenario")
        self.scenario = scenario
        self.grader = grader
        self.voice = voice
        self.state = state

    @classmethod
    def start(
        cls,
        scenario: Scenario,
        lang: Lang,
        seed: int,
        grader: Grader,
        voice: CommunityVoice,
    ) -> Session:
        if lang not in scenario.languages:
            raise LanguageNotOffered(
                f"lang: {scenario.id} is offered in {', '.join(scenario.languages)} only, "
                f"not {lang!r}"
            )
        metrics = MetricState(
            sentiment=scenario.metrics.sentiment.initial,
            reach=scenario.metrics.reach.initial,
            escalation=scenario.metrics.escalation.initial,
        )
        authors = {post.persona for post in scenario.opening} | {scenario.lead_persona}
        in_scene = [p.id for p in scenario.personas if p.id in authors]
        state = SessionState(
            scenario_id=scenario.id,
            lang=lang,
            seed=seed,
            metrics=metrics,
            moods={pid: scenario.persona(pid).initial_mood for pid in in_scene},
            in_scene=in_scene,
            responders=[scenario.lead_persona],
            history=[metrics.rounded()],
        )
        session = cls(scenario, grader, voice, state)
        latest = max(post.minutes_ago for post in scenario.opening)
        for post in scenario.opening:
            persona = scenario.persona(post.persona)
            state.events.append(
                Event(
                    turn=0,
                    kind="post",
                    author=persona.id,
                    name=persona.name,
                    handle=persona.handle,
                    text=post.text.get(lang),
                    mood=state.moods.get(persona.id),
                    likes=post.likes,
                    shares=post.shares,
                    minute=float(latest - post.minutes_ago),
                )
            )
        state.minute = float(latest)
        return session

    # ------------------------------------------------------------------ a turn

    @property
    def decision_due(self) -> bool:
        decision = self.scenario.decision
        return decision is not None and decision.at_turn == self.state.turn + 1

    def submit(
        self,
        reply: str,
        delay_s: float | None = None,
        choice: str | None = None,
        on_token: TokenSink | None = None,
    ) -> TurnRecord:
        """Play one turn. Nothing changes when the reply is refused.

        `on_token(persona_id, text)` receives the community's words as they are written.
        """
        state, scenario = self.state, self.scenario
        choice_fit = self.check(reply, choice)
        turn = state.turn + 1
        context = GradingContext(
            scenario=scenario,
            lang=state.lang,
            turn=turn,
            thread=[e.text for e in state.events[-8:]],
            fired=list(state.fired),
        )
        assessment = self.grader.assess(reply, context)
        score = assessment.score
        if choice_fit is not None and scenario.decision is not None:
            weight = scenario.decision.weight
            score = round((1 - weight) * score + weight * choice_fit, 1)
        late = late_minutes(delay_s, scenario.reply_time_limit_s)
        state.minute += (delay_s if delay_s is not None else scenario.reply_time_limit_s / 2) / 60
        state.events.append(
            Event(
                turn=turn,
                kind="reply",
                author="trainee",
                name=scenario.brand.name,
                handle=scenario.brand.handle,
                text=reply,
                minute=round(state.minute, 1),
                source="trainee",
            )
        )
        g = score / 100
        dyn = scenario.metrics.dynamics
        state.excitations.append(reply_excitation(turn, g, late, dyn))
        reply_event = state.events[-1]
        state.metrics = step_metrics(state.metrics, g, late, dyn)
        for pid in state.in_scene:
            steps = mood_steps(g, scenario.persona(pid).sensitivity, late > 0)
            state.moods[pid] = move_mood(state.moods[pid], steps)
        for pid in state.responders:
            self._react(scenario.persona(pid), turn, reply, on_token)
        fired = self._fire_injects(turn, reply, on_token)
        crowd = self._crowd(turn, g, reply_event)
        state.turn = turn
        state.history.append(state.metrics.rounded())
        record = TurnRecord(
            turn=turn,
            reply=reply,
            delay_s=delay_s,
            late_min=round(late, 2),
            choice=choice,
            choice_fit=choice_fit,
            assessment=assessment,
            score=score,
            metrics=state.metrics.rounded(),
            moods=dict(state.moods),
            injects=[inj.id for inj in fired],
            crowd=crowd,
        )
        state.turns.append(record)
        self._check_end()
        return record

    def check(self, reply: str, choice: str | None = None) -> float | None:
        """Refuse a reply before anything is stored or changed; return the choice's fit."""
        if self.state.ended:
            raise SessionOver(f"session ended: {self.state.end_reason}")
        if len(reply) > MAX_REPLY_CHARS:
            raise ReplyRejected(f"reply is {len(reply)} characters; the limit is {MAX_REPLY_CHARS}")
        return self._choice_fit(choice)

    def _choice_fit(self, choice: str | None) -> float | None:
        decision = self.scenario.decision
        if decision is None or not self.decision_due:
            if choice is not None:
                raise ReplyRejected("no choice is expected at this turn")
            return None
        if choice is None:
            return 0.0
        for option in decision.options:
            if option.id == choice:
                return float(option.fit)
        known = ", ".join(o.id for o in decision.options)
        raise ReplyRejected(f"unknown choice {choice!r}; expected one of: {known}")

    def _pick_line(self, persona: Persona, mood: str, turn: int) -> tuple[str, list[str]]:
        """A scripted line for this mood, never one already used in this session."""
        reactions = self.scenario.reactions[persona.id]
        lines = [text.get(self.state.lang) for text in reactions.lines(mood)]
        key = f"{persona.id}:{mood}"
        used = self.state.used_lines.setdefault(key, [])
        fresh = [i for i in range(len(lines)) if i not in used]
        if not fresh:
            # Every line of this mood was said: borrow an unused one from the nearest mood.
            for other in sorted(MOODS, key=lambda m: abs(MOODS.index(m) - MOODS.index(mood))):
                other_lines = [text.get(self.state.lang) for text in reactions.lines(other)]
                other_used = self.state.used_lines.setdefault(f"{persona.id}:{other}", [])
                options = [i for i in range(len(other_lines)) if i not in other_used]
                if options:
                    pick = _rng(self.state.seed, turn, persona.id, other).choice(options)
                    other_used.append(pick)
                    return other_lines[pick], lines
            used.clear()
            fresh = list(range(len(lines)))
        pick = _rng(self.state.seed, turn, persona.id, mood).choice(fresh)
        used.append(pick)
        return lines[pick], lines

    def _react(self, persona: Persona, turn: int, reply: str, on_token: TokenSink | None) -> None:
        state = self.state
        mood = state.moods[persona.id]
        fallback, examples = self._pick_line(persona, mood, turn)
        text = self._voiced(persona, mood, reply, fallback, examples, on_token)
        rng = _rng(state.seed, turn, persona.id, "engagement")
        # Bystander engagement grows with the audience the thread already has.
        audience = max(1.0, state.metrics.reach) ** 0.5
        state.minute += 1 + rng.random() * 2
        state.events.append(
            Event(
                turn=turn,
                kind="reaction",
                author=persona.id,
                name=persona.name,
                handle=persona.handle,
                text=text,
                mood=mood,
                likes=int(audience * rng.uniform(0.05, 0.4)),
                shares=int(audience * rng.uniform(0.0, 0.1) * (MOODS.index(mood) < 2)),
                minute=round(state.minute, 1),
                source="script" if text == fallback else "voice",
            )
        )

    def _voiced(
        self,
        persona: Persona,
        mood: str,
        reply: str,
        fallback: str,
        examples: list[str],
        on_token: TokenSink | None,
        kind: Literal["reaction", "inject"] = "reaction",
    ) -> str:
        """The persona's words for this post: the voice's, or the scripted line if it fails."""
        request = VoiceRequest(
            scenario=self.scenario,
            lang=self.state.lang,
            persona=persona,
            mood=mood,
            trainee_reply=reply,
            thread=[e.text for e in self.state.events[-6:]],
            examples=examples,
            fallback=fallback,
            kind=kind,
        )
        sink = (lambda token: on_token(persona.id, token)) if on_token is not None else None
        try:
            return self.voice.speak(request, sink)
        except Exception:
            # A voice must not break the scene; the scripted line is always there.
            log.warning(
                "voice %s failed for %s; scripted line shown",
                self.voice.name,
                persona.id,
                exc_info=True,
            )
            return fallback

    def _due(self, inject: Inject, turn: int) -> bool:
        if inject.id in self.state.fired:
            return False
        if inject.at_turn is not None:
            return inject.at_turn == turn
        return all(holds(c, self.state.metrics, self.state.moods) for c in inject.when or [])

    def _fire_injects(
        self, turn: int, reply: str = "", on_token: TokenSink | None = None
    ) -> list[Inject]:
        state, scenario = self.state, self.scenario
        fired = [inj for inj in scenario.injects if self._due(inj, turn)]
        responders = [scenario.lead_persona]
        for inj in fired:
            persona = scenario.persona(inj.persona)
            state.fired.append(inj.id)
            state.excitations.append(
                inject_excitation(turn, inj.effect.reach, scenario.metrics.dynamics)
            )
            if persona.id not in state.in_scene:
                state.in_scene.append(persona.id)
                state.moods[persona.id] = inj.mood
            if persona.id not in responders:
                responders.append(persona.id)
            state.metrics = apply_effect(state.metrics, inj.effect)
            rng = _rng(state.seed, turn, inj.id)
            authored = inj.text.get(state.lang)
            # Injects are voiced like reactions: the authored text is the draft and fallback.
            text = self._voiced(
                persona, state.moods[persona.id], reply, authored, [authored], on_token, "inject"
            )
            state.minute += 1 + rng.random() * 3
            state.events.append(
                Event(
                    turn=turn,
                    kind=inj.kind,
                    author=persona.id,
                    name=persona.name,
                    handle=persona.handle,
                    text=text,
                    mood=state.moods[persona.id],
                    likes=int(persona.followers**0.5 * rng.uniform(0.2, 1.0)),
                    shares=int(persona.followers**0.5 * rng.uniform(0.0, 0.3)),
                    minute=round(state.minute, 1),
                    source="inject",
                    inject=inj.id,
                )
            )
        state.responders = responders
        return fired

    def _crowd(self, turn: int, g: float, reply_event: Event) -> CrowdTurn:
        """Bystanders react to the turn: counted on the reply, a few shown as posts."""
        state = self.state
        dyn = self.scenario.metrics.dynamics
        rng = _rng(state.seed, turn, "crowd")
        lam = intensity(turn, state.metrics.reach, state.excitations, dyn)
        crowd = crowd_turn(rng, lam, g, state.metrics.escalation)
        reply_event.likes += crowd.support + crowd.likes
        reply_event.shares += crowd.shares + crowd.pile_on // 2
        names = lines(state.lang, "crowd.names")
        for kind in crowd.order[:MAX_POSTS_PER_TURN]:
            pool = lines(state.lang, f"crowd.{kind}")
            used = state.used_lines.setdefault(f"crowd:{kind}", [])
            fresh = [i for i in range(len(pool)) if i not in used] or list(range(len(pool)))
            if len(fresh) == len(pool):
                used.clear()
            pick = rng.choice(fresh)
            used.append(pick)
            name, handle = rng.choice(names).split("|")
            state.minute += 0.5 + rng.random()
            state.events.append(
                Event(
                    turn=turn,
                    kind="reaction",
                    author="crowd",
                    name=name,
                    handle=handle,
                    text=pool[pick],
                    likes=rng.randint(0, 12),
                    minute=round(state.minute, 1),
                    source="crowd",
                )
            )
        return crowd

    def _check_end(self) -> None:
        state, end = self.state, self.scenario.end
        if any(holds(c, state.metrics, state.moods) for c in end.out_of_control):
            state.ended, state.end_reason = True, "out_of_control"
        elif all(holds(c, state.metrics, state.moods) for c in end.resolved):
            state.ended, state.end_reason = True, "resolved"
        elif state.turn >= end.max_turns:
            state.ended, state.end_reason = True, "turn_limit"
