"""Practice: the brand's feed, a countdown, live metrics; one stored turn per publish.

The session lives in the store, not in the browser: each reply is committed before it is
graded, a reply left half-played by a stopped server is played on the next visit, and a
candidate plays the campaign's scenarios in order, without scores or model answers.
"""

from __future__ import annotations

import time

import streamlit as st

from app_pages.common import (
    SESSION_KEY,
    cards_by_id,
    current_lang,
    grader,
    keep_in_url,
    learner,
    moved_here,
    own_session,
    participant,
    store,
    voice,
)
from app_pages.textsafe import escape_markdown
from app_pages.widgets import (
    criterion_bar,
    flags_warning,
    metrics_panel,
    post,
    timer_html,
    turn_checks,
)
from simulator.content import get_scenario, t
from simulator.engine import ReplyRejected, SessionOver, build_report
from simulator.errors import StoreError
from simulator.store import (
    StaleTurn,
    StoredSession,
    StoredTurn,
    assessment_session,
    finish_pending,
    play_turn,
    practice_session,
    scenario_for,
)

lang = current_lang()
who = participant()
if who is None and st.session_state.get("scenario_id"):
    who = learner()  # a newcomer's first session makes them a self-learner
candidate = who is not None and who.is_candidate
FORM_TURN = "form_turn"
# The reply box keeps its text until the turn is played (then it is emptied), so a reply
# whose server died before storing it is still there, on whichever replica serves next.
REPLY_KEY = "reply_text"
PLAYED_KEY = "reply_played"


def load(session_id: str) -> StoredSession | None:
    return own_session(session_id, who)


def choose_session() -> StoredSession:
    session_id = st.session_state.get(SESSION_KEY)
    stored = load(str(session_id)) if session_id else None
    if candidate and who is not None:
        if stored is None:
            session_id = assessment_session(store(), who, grader(), voice())
            if session_id is None:
                st.success(t(lang, "assessment.complete"))
                st.stop()
            st.session_state[SESSION_KEY] = session_id
            stored = load(str(session_id))
        assert stored is not None
        return stored
    scenario_id = st.session_state.get("scenario_id")
    if stored is not None and scenario_id is None:
        scenario_id = st.session_state["scenario_id"] = stored.summary.scenario_id
    if scenario_id is None:
        st.info(t(lang, "app.no_scenario"))
        st.stop()
    # An assignment plays in its cohort's language: switching the page's does not restart it.
    other_lang = stored is not None and stored.summary.lang != lang and not stored.summary.cohort_id
    if stored is None or stored.summary.scenario_id != scenario_id or other_lang:
        assert who is not None
        session_id = practice_session(
            store(),
            who,
            get_scenario(str(scenario_id)),
            lang,
            int(time.time()) % 100_000,
            grader(),
            voice(),
        )
        st.session_state[SESSION_KEY] = session_id
        stored = load(session_id)
    assert stored is not None
    return stored


# Read before the form is drawn again: the turn the submitted form was drawn for.
submitted_turn = st.session_state.get(FORM_TURN)
stored = choose_session()
keep_in_url()  # from now on, a reload or a restarted server comes back to this session
scenario = scenario_for(stored, store())
owner = who.id if who else None
live = st.empty()
written: dict[str, str] = {}


def show(persona_id: str, token: str) -> None:
    # Community posts appear as they are written (escaped, never HTML).
    written[persona_id] = written.get(persona_id, "") + token
    name = scenario.persona(persona_id).name
    live.caption(escape_markdown(f"{t(lang, 'app.writing', name=name)} {written[persona_id]}"))


if moved_here():
    st.toast(t(lang, "app.moved_replica"), duration="long")

if stored.pending is not None:
    # The server stopped after this reply was saved: play it now, exactly once (a copy of
    # it still in the box and published again is not a second reply: the box is emptied).
    st.info(t(lang, "app.resuming", turn=stored.pending.turn))
    finish_pending(store(), stored.id, grader(), voice(), show, owner)
    st.session_state[PLAYED_KEY] = True
    st.rerun()

state = stored.state
turn_started = stored.summary.updated_at.timestamp()
session_lang = state.lang

st.title(scenario.title.get(session_lang))
st.caption(f"{scenario.brand.name} · {t(lang, f'channel.{scenario.channel}')}")
if candidate:
    st.caption(t(lang, "assessment.banner"))
with st.expander(t(lang, "app.brief"), expanded=state.turn == 0):
    st.write(scenario.brief.get(session_lang))
    st.caption(t(lang, "app.time_limit", seconds=scenario.reply_time_limit_s))


def countdown() -> None:
    """Seconds left for this reply, counted down in the browser (no reruns while typing)."""
    left = int(scenario.reply_time_limit_s - (time.time() - turn_started))
    st.iframe(timer_html(left, t(lang, "app.countdown"), t(lang, "app.overtime")), height=34)


def draw_side() -> None:
    st.caption(t(lang, "app.turn", turn=state.turn, max=scenario.end.max_turns))
    if not state.ended:
        countdown()
    metrics_panel(state, lang)


def draw_feed() -> None:
    with posts:
        for event in state.events:
            post(event, scenario, session_lang)
    if state.turns and not candidate:
        last = state.turns[-1]
        with last_score:
            st.info(t(lang, "app.last_score", score=f"{last.score:.0f}"))
            flags_warning(last.assessment.flags, lang)
            if last.assessment.checks or last.assessment.calls_for:
                with st.expander(t(lang, "checks.heading"), expanded=True):
                    turn_checks(last.assessment, lang, cards_by_id())
            with st.expander(t(lang, "app.criteria")):
                for criterion in last.assessment.criteria:
                    criterion_bar(scenario.criterion(criterion.id).title.get(lang), criterion.score)
                    st.caption(escape_markdown(criterion.feedback))


def draw_end() -> None:
    """The session is over: the final score and what comes next (this run stops here)."""
    st.session_state.pop(FORM_TURN, None)
    if candidate:
        st.success(t(lang, "assessment.scenario_done"))
        if st.button(t(lang, "assessment.next"), type="primary"):
            st.session_state.pop(SESSION_KEY, None)
            st.rerun()
        st.stop()
    report = build_report(scenario, state)
    st.success(f"{t(lang, 'app.the_end')} {report.end_message}")
    st.subheader(t(lang, "app.final_score", score=f"{report.score:.0f}"))
    debrief, again = st.columns(2)
    if debrief.button(t(lang, "app.see_debrief"), type="primary"):
        st.switch_page("app_pages/debrief.py")
    if again.button(t(lang, "app.restart")):
        st.session_state.pop(SESSION_KEY, None)
        st.rerun()
    st.stop()


def draw_form() -> tuple[str, str | None, bool]:
    """The reply form: the reply, the decision taken (if this turn has one), whether sent.
    The box keeps its text until the turn is played (so a reply whose server died before
    storing it is still there on the next one), then the next run empties it."""
    if st.session_state.pop(PLAYED_KEY, False):
        st.session_state[REPLY_KEY] = ""
    with st.form("reply", clear_on_submit=False):
        choice: str | None = None
        decision = scenario.decision
        # Always there, empty on most turns, for the same reason as the containers below.
        decision_slot = st.container()
        if decision is not None and decision.at_turn == state.turn + 1:
            labels = {o.id: o.label.get(session_lang) for o in decision.options}
            choice = decision_slot.radio(
                f"{t(lang, 'app.decision')}: {decision.prompt.get(session_lang)}",
                options=list(labels),
                format_func=lambda oid: labels[oid],
            )
        reply = st.text_area(
            t(lang, "app.your_reply", brand=scenario.brand.name), height=120, key=REPLY_KEY
        )
        sent = st.form_submit_button(t(lang, "app.send"), type="primary")
    return reply, choice, sent


feed, side = st.columns([3, 1])
with feed:
    # The posts and the last score each sit in one container, so the reply form below keeps
    # its place from turn to turn however many posts there are: the browser keeps the same
    # box, and what is typed while the page redraws after a turn stays in it.
    posts, last_score, action = st.container(), st.container(), st.container()

if state.ended:
    with side:
        draw_side()
    draw_feed()
    with action:
        draw_end()

# The form is drawn first, above in the page but before the new turn's posts and number in
# time: the box a played reply leaves is emptied before the trainee sees the next turn, so
# nothing typed for it is emptied after.
with action:
    reply, choice, sent = draw_form()
draw_feed()
with side:
    draw_side()
st.session_state[FORM_TURN] = state.turn + 1


def saved(received: StoredTurn) -> None:
    st.toast(t(lang, "app.reply_saved", turn=received.turn))


if sent:
    turn = int(submitted_turn or state.turn + 1)
    with action:
        if not reply.strip() and turn > state.turn:
            st.warning(t(lang, "app.empty_reply"))
        else:
            try:
                play_turn(
                    store(),
                    stored.id,
                    turn,
                    reply,
                    grader(),
                    voice(),
                    delay_s=time.time() - turn_started,
                    choice=choice,
                    on_token=show,
                    on_received=saved,
                    participant_id=owner,
                )
            except ReplyRejected as exc:
                st.error(t(lang, "app.reply_rejected", reason=str(exc)))
            except StoreError as exc:
                st.error(t(lang, "app.store_unreachable", reason=str(exc)))
            except (SessionOver, StaleTurn):
                st.session_state[PLAYED_KEY] = True
                st.rerun()
            else:
                st.session_state[PLAYED_KEY] = True
                st.rerun()
