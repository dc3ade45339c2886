"""Playing a stored session: the one code path of the app, `cm-sim play --save` and tests.

Order matters: a reply is checked, then committed, then graded and answered. If the
process dies after the commit, `finish_pending` plays the stored reply on the next visit,
so an acknowledged reply is never lost and never graded twice.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.exc import IntegrityError

from simulator.content import Lang, ReplyItem, Scenario, get_scenario
from simulator.engine import Session, SessionState, TokenSink, TurnRecord
from simulator.errors import InputError
from simulator.protocols import CommunityVoice, Grader, Store
from simulator.store.accounts import Participant
from simulator.store.campaigns import get_campaign
from simulator.store.cohorts import assignment_for, assignment_statuses, get_cohort
from simulator.store.log_context import session_context
from simulator.store.scenario_library import published_version, stored_scenario
from simulator.store.sessions import StoredSession, StoredTurn


class StaleTurn(InputError):
    """A reply for a turn that is neither the next one nor one already played."""


def scenario_for(stored: StoredSession, store: Store | None = None) -> Scenario:
    """The scenario as this session plays it: the stored scenario's version it started on
    (from `store`, else from the registered one), and a campaign may set its own reply time
    limit."""
    summary = stored.summary
    if summary.scenario_version is None:
        scenario = get_scenario(summary.scenario_id)
    elif store is not None:
        scenario = stored_scenario(store, summary.scenario_id, summary.scenario_version)
    else:
        scenario = get_scenario(summary.scenario_id, version=summary.scenario_version)
    if scenario.reply_time_limit_s == stored.reply_time_limit_s:
        return scenario
    return scenario.model_copy(update={"reply_time_limit_s": stored.reply_time_limit_s})


def start_session(
    store: Store,
    scenario: Scenario,
    lang: Lang,
    seed: int,
    grader: Grader,
    voice: CommunityVoice,
    participant_id: str | None = None,
    campaign_id: str | None = None,
    reply_time_limit_s: int | None = None,
    cohort_id: str | None = None,
    scenario_version: int | None = None,
) -> str:
    """A new stored session. A stored scenario plays its latest published version (or
    `scenario_version`), recorded with the session so that it replays on it after edits."""
    version = scenario_version or published_version(store, scenario.id)
    if version is not None:
        scenario = stored_scenario(store, scenario.id, version)
    limit = reply_time_limit_s or scenario.reply_time_limit_s
    if limit != scenario.reply_time_limit_s:
        scenario = scenario.model_copy(update={"reply_time_limit_s": limit})
    session = Session.start(scenario, lang, seed, grader, voice)
    return store.create_session(
        session.state, voice.name, limit, participant_id, campaign_id, cohort_id, version
    )


def _record(stored: StoredSession, turn: int) -> TurnRecord:
    record = stored.turns[turn - 1].record
    if record is None:  # pragma: no cover - a played turn always has its record
        raise StaleTurn(f"turn {turn} has no record")
    return record


def _play(
    store: Store,
    stored: StoredSession,
    received: StoredTurn,
    grader: Grader,
    voice: CommunityVoice,
    on_token: TokenSink | None,
) -> TurnRecord:
    session = Session(scenario_for(stored, store), grader, voice, stored.state)
    record = session.submit(
        received.reply, delay_s=received.delay_s, choice=received.choice, on_token=on_token
    )
    if store.complete(stored.id, record, session.state):
        return record
    # Another process (a second replica, a rerun) completed this turn first: its stands.
    return _record(store.get(stored.id), received.turn)


def play_turn(
    store: Store,
    session_id: str,
    turn: int,
    reply: str,
    grader: Grader,
    voice: CommunityVoice,
    *,
    delay_s: float | None = None,
    choice: str | None = None,
    on_token: TokenSink | None = None,
    on_received: Callable[[StoredTurn], None] | None = None,
    participant_id: str | None = None,
) -> TurnRecord:
    """Play `turn` of a stored session, exactly once.

    A turn already played returns its record (nothing is graded again). The reply is
    committed before grading; `on_received` is called once it is safe on disk.
    """
    with session_context(session_id):
        stored = store.get(session_id, participant_id)
        state = stored.state
        if turn <= state.turn:
            return _record(stored, turn)
        if turn != state.turn + 1:
            raise StaleTurn(f"turn {turn} is not the next turn ({state.turn + 1})")
        pending = stored.pending
        if pending is None:
            Session(scenario_for(stored, store), grader, voice, state).check(reply, choice)
            pending = store.receive(session_id, turn, reply, choice, delay_s)
        if on_received is not None:
            on_received(pending)
        return _play(store, stored, pending, grader, voice, on_token)


def finish_pending(
    store: Store,
    session_id: str,
    grader: Grader,
    voice: CommunityVoice,
    on_token: TokenSink | None = None,
    participant_id: str | None = None,
) -> TurnRecord | None:
    """Play a reply that was stored but not played (the server stopped in between)."""
    with session_context(session_id):
        stored = store.get(session_id, participant_id)
        pending = stored.pending
        if pending is None or pending.turn != stored.state.turn + 1:
            return None
        return _play(store, stored, pending, grader, voice, on_token)


def assessment_session(
    store: Store, participant: Participant, grader: Grader, voice: CommunityVoice
) -> str | None:
    """A candidate's next session: the campaign's first scenario they have not finished,
    created on demand under the campaign's conditions (language, seed, time limit). None
    when every scenario is done. One attempt: a scenario once ended is never replayed."""
    campaign = get_campaign(store, participant.campaign_id or "")
    if campaign is None:
        return None
    for scenario_id in campaign.scenarios:
        existing = store.attempt(participant.id, scenario_id)
        if existing is None:
            try:
                return start_session(
                    store,
                    get_scenario(scenario_id),
                    "en" if campaign.lang == "en" else "fr",
                    campaign.seed,
                    grader,
                    voice,
                    participant_id=participant.id,
                    campaign_id=campaign.id,
                    reply_time_limit_s=campaign.reply_time_limit_s,
                )
            except IntegrityError:
                # The same candidate in two tabs: the other tab created it first.
                existing = store.attempt(participant.id, scenario_id)
                assert existing is not None
        if not store.get(existing).summary.ended:
            return existing
    return None


def practice_session(
    store: Store,
    participant: Participant,
    scenario: Scenario,
    lang: Lang,
    seed: int,
    grader: Grader,
    voice: CommunityVoice,
) -> str:
    """The session a participant plays when they pick a scenario. For a student's
    assignment: their unfinished attempt if there is one (coming back does not spend an
    attempt), else a new attempt in the cohort's language (AttemptsUsed when none is left).
    Anything else is free practice in the page's language."""
    for status in assignment_statuses(store, participant):
        if status.scenario_id != scenario.id:
            continue
        for session_id in reversed(status.session_ids):
            if not store.get(session_id).summary.ended:
                return session_id
        break
    cohort_id = assignment_for(store, participant, scenario.id)
    cohort = get_cohort(store, cohort_id) if cohort_id else None
    return start_session(
        store,
        scenario,
        cohort.session_lang if cohort else lang,
        seed,
        grader,
        voice,
        participant_id=participant.id,
        cohort_id=cohort_id,
    )


def play_stored(
    store: Store,
    scenario: Scenario,
    lang: Lang,
    replies: list[ReplyItem],
    seed: int,
    grader: Grader,
    voice: CommunityVoice,
    participant: Participant | None = None,
) -> tuple[str, SessionState, int]:
    """Headless play the app's way: each reply committed, then graded and answered; as
    `participant` when given (within their cohort's assignment when the scenario is one).
    Returns (session id, final state, replies used)."""
    cohort_id = assignment_for(store, participant, scenario.id) if participant else None
    cohort = get_cohort(store, cohort_id) if cohort_id else None
    if cohort is not None:
        lang = cohort.session_lang
    session_id = start_session(
        store,
        scenario,
        lang,
        seed,
        grader,
        voice,
        participant_id=participant.id if participant else None,
        cohort_id=cohort_id,
    )
    used = 0
    for turn, item in enumerate(replies, start=1):
        if store.get(session_id).summary.ended:
            break
        play_turn(
            store,
            session_id,
            turn,
            item.text,
            grader,
            voice,
            delay_s=item.delay_s,
            choice=item.choice,
        )
        used += 1
    return session_id, store.get(session_id).state, used
