"""Learning records as xAPI 1.0.3 statements: plain dicts, built from what the store knows.

Every statement id is derived from what it records (uuid5 of session, turn and kind), so a
statement sent twice is the same statement, and an LRS keeps it once. The learner appears
only as a pseudonymous account (the participant id), never by name or e-mail.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from simulator.content import Frozen
from simulator.engine import TurnRecord

HOME = "urn:cm-sim"
# The namespace of every id derived here (statements, registrations).
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, HOME)

VERBS: dict[str, dict[str, Any]] = {
    "initialized": {
        "id": "http://adlnet.gov/expapi/verbs/initialized",
        "display": {"en-US": "initialized", "fr-FR": "a commencé"},
    },
    "responded": {
        "id": "http://adlnet.gov/expapi/verbs/responded",
        "display": {"en-US": "responded", "fr-FR": "a répondu"},
    },
    "scored": {
        "id": "http://adlnet.gov/expapi/verbs/scored",
        "display": {"en-US": "scored", "fr-FR": "a obtenu"},
    },
    "overrode": {
        "id": "https://w3id.org/xapi/dod-isd/verbs/overrode",
        "display": {"en-US": "overrode", "fr-FR": "a corrigé"},
    },
}

SIMULATION = "http://adlnet.gov/expapi/activities/simulation"
INTERACTION = "http://adlnet.gov/expapi/activities/cmi.interaction"
COHORT = "http://id.tincanapi.com/activitytype/group"

EXT = f"{HOME}:extension:"
EXT_SESSION = EXT + "session-id"
EXT_COHORT = EXT + "cohort-id"
EXT_LEARNER = EXT + "learner"
EXT_CRITERIA = EXT + "criteria"
EXT_PRACTICES = EXT + "practices"
EXT_METRICS = EXT + "metrics"
EXT_ENDED = EXT + "session-ended"
EXT_CHOICE = EXT + "choice"
EXT_OVERRIDE = EXT + "override"


class XapiSession(Frozen):
    """What every statement of a session repeats: who, which scenario, in which language."""

    session_id: str
    scenario_id: str
    lang: str
    participant_id: str | None = None
    cohort_id: str | None = None


def statement_id(session_id: str, *kind: object) -> str:
    """The statement's id: the same record always gets the same id."""
    return str(uuid.uuid5(NAMESPACE, ":".join(["statement", session_id, *map(str, kind)])))


def registration(session_id: str) -> str:
    """The xAPI registration of a session (a UUID, as xAPI wants, derived from its id)."""
    return str(uuid.uuid5(NAMESPACE, f"registration:{session_id}"))


def learner(participant_id: str | None) -> dict[str, Any]:
    return {
        "objectType": "Agent",
        "account": {"homePage": HOME, "name": participant_id or "anonymous"},
    }


def trainer(trainer_id: int | str) -> dict[str, Any]:
    return {"objectType": "Agent", "account": {"homePage": HOME, "name": f"trainer:{trainer_id}"}}


def scenario_activity(scenario_id: str) -> dict[str, Any]:
    return {
        "objectType": "Activity",
        "id": f"{HOME}:scenario:{scenario_id}",
        "definition": {
            "type": SIMULATION,
            "name": {"en-US": f"Scenario {scenario_id}", "fr-FR": f"Scénario {scenario_id}"},
        },
    }


def turn_activity(scenario_id: str, turn: int) -> dict[str, Any]:
    return {
        "objectType": "Activity",
        "id": f"{HOME}:scenario:{scenario_id}:turn:{turn}",
        "definition": {
            "type": INTERACTION,
            "interactionType": "long-fill-in",
            "name": {
                "en-US": f"Scenario {scenario_id}, reply {turn}",
                "fr-FR": f"Scénario {scenario_id}, réponse {turn}",
            },
        },
    }


def _stamp(at: datetime | None) -> str:
    moment = at or datetime.now(UTC)
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()


def _context(session: XapiSession, turn: int | None = None) -> dict[str, Any]:
    extensions: dict[str, Any] = {EXT_SESSION: session.session_id}
    if session.cohort_id is not None:
        extensions[EXT_COHORT] = session.cohort_id
    context: dict[str, Any] = {
        "registration": registration(session.session_id),
        "language": session.lang,
        "platform": "CM Simulator",
        "extensions": extensions,
    }
    activities: dict[str, Any] = {}
    if turn is not None:
        activities["parent"] = [scenario_activity(session.scenario_id)]
    if session.cohort_id is not None:
        activities["grouping"] = [
            {
                "objectType": "Activity",
                "id": f"{HOME}:cohort:{session.cohort_id}",
                "definition": {"type": COHORT},
            }
        ]
    if activities:
        context["contextActivities"] = activities
    return context


def _score(value: float) -> dict[str, Any]:
    raw = round(min(100.0, max(0.0, float(value))), 2)
    return {"scaled": round(raw / 100, 4), "raw": raw, "min": 0, "max": 100}


def _statement(
    sid: str,
    actor: dict[str, Any],
    verb: str,
    obj: dict[str, Any],
    context: dict[str, Any],
    at: datetime | None,
    result: dict[str, Any] | None = None,
) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "id": sid,
        "actor": actor,
        "verb": VERBS[verb],
        "object": obj,
        "context": context,
        "timestamp": _stamp(at),
    }
    if result is not None:
        statement["result"] = result
    return statement


def session_started(session: XapiSession, *, at: datetime | None = None) -> dict[str, Any]:
    """The learner opened a scenario (a new session)."""
    return _statement(
        statement_id(session.session_id, "started"),
        learner(session.participant_id),
        "initialized",
        scenario_activity(session.scenario_id),
        _context(session),
        at,
    )


def reply_sent(
    session: XapiSession,
    turn: int,
    reply: str,
    *,
    delay_s: float | None = None,
    choice: str | None = None,
    at: datetime | None = None,
) -> dict[str, Any]:
    """The learner's reply for `turn`, as stored (before it is graded)."""
    result: dict[str, Any] = {"response": reply}
    if delay_s is not None:
        result["duration"] = f"PT{max(0.0, delay_s):.2f}S"
    if choice is not None:
        result["extensions"] = {EXT_CHOICE: choice}
    return _statement(
        statement_id(session.session_id, "reply", turn),
        learner(session.participant_id),
        "responded",
        turn_activity(session.scenario_id, turn),
        _context(session, turn),
        at,
        result,
    )


def turn_graded(
    session: XapiSession,
    record: TurnRecord,
    *,
    end_reason: str | None = None,
    at: datetime | None = None,
) -> dict[str, Any]:
    """The grade of one reply: overall 0-100 and per criterion; `end_reason` when the
    session ended with this turn."""
    assessment = record.assessment
    extensions: dict[str, Any] = {
        EXT_CRITERIA: {c.id: round(c.score, 2) for c in assessment.criteria},
        EXT_PRACTICES: list(assessment.practices),
        EXT_METRICS: {k: round(v, 4) for k, v in record.metrics.items()},
    }
    if end_reason is not None:
        extensions[EXT_ENDED] = end_reason
    return _statement(
        statement_id(session.session_id, "graded", record.turn),
        learner(session.participant_id),
        "scored",
        turn_activity(session.scenario_id, record.turn),
        _context(session, record.turn),
        at,
        {"score": _score(record.score), "completion": True, "extensions": extensions},
    )


def grade_overridden(
    session: XapiSession,
    *,
    override_id: int,
    turn: int,
    criterion: str,
    machine: float | None,
    before: float | None,
    after: float,
    reason: str,
    trainer_id: int | str,
    comment: str | None = None,
    at: datetime | None = None,
) -> dict[str, Any]:
    """A trainer changed one criterion's grade of a turn (one row of the override audit
    trail, `override_id`). The trainer is the actor; the learner's graded statement is the
    context (`context.statement`), and the learner's account is in the extensions."""
    override: dict[str, Any] = {
        "criterion": criterion,
        "machine": machine,
        "before": before,
        "after": after,
    }
    if comment:
        override["comment"] = comment
    context = _context(session, turn)
    context["statement"] = {
        "objectType": "StatementRef",
        "id": statement_id(session.session_id, "graded", turn),
    }
    context["extensions"][EXT_LEARNER] = learner(session.participant_id)["account"]
    return _statement(
        statement_id(session.session_id, "override", turn, override_id),
        trainer(trainer_id),
        "overrode",
        turn_activity(session.scenario_id, turn),
        context,
        at,
        {"score": _score(after), "response": reason, "extensions": {EXT_OVERRIDE: override}},
    )
