"""The store: SQLAlchemy engine and schema, migrations, sessions (one turn = one commit), accounts,
campaigns and their results, stored play, progress. Names load on first use, so importing the
room costs nothing until then.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simulator.store.accounts import (
        AccountError,
        Employer,
        Participant,
        create_employer,
        create_learner,
        employer_by_email,
        participant_by_token,
        verify_employer,
    )
    from simulator.store.campaigns import (
        CampaignError,
        InviteError,
        create_campaign,
        get_campaign,
        invites,
        list_campaigns,
        redeem,
    )
    from simulator.store.engine import current_revision, head_revision
    from simulator.store.progress import progress, radar_svg
    from simulator.store.results import campaign_results, results_csv, results_markdown
    from simulator.store.schema import Base, ParticipantRow, TurnRow, utcnow
    from simulator.store.session_view import session_view
    from simulator.store.sessions import (
        NotYourSession,
        SessionSummary,
        SqlStore,
        StoredSession,
        StoredTurn,
        UnknownSession,
    )
    from simulator.store.stored_play import (
        StaleTurn,
        assessment_session,
        finish_pending,
        play_stored,
        play_turn,
        scenario_for,
        start_session,
    )

_WHERE = {
    "AccountError": "simulator.store.accounts",
    "Base": "simulator.store.schema",
    "CampaignError": "simulator.store.campaigns",
    "Employer": "simulator.store.accounts",
    "InviteError": "simulator.store.campaigns",
    "NotYourSession": "simulator.store.sessions",
    "Participant": "simulator.store.accounts",
    "ParticipantRow": "simulator.store.schema",
    "SessionSummary": "simulator.store.sessions",
    "SqlStore": "simulator.store.sessions",
    "StaleTurn": "simulator.store.stored_play",
    "StoredSession": "simulator.store.sessions",
    "StoredTurn": "simulator.store.sessions",
    "TurnRow": "simulator.store.schema",
    "UnknownSession": "simulator.store.sessions",
    "assessment_session": "simulator.store.stored_play",
    "campaign_results": "simulator.store.results",
    "create_campaign": "simulator.store.campaigns",
    "create_employer": "simulator.store.accounts",
    "create_learner": "simulator.store.accounts",
    "current_revision": "simulator.store.engine",
    "employer_by_email": "simulator.store.accounts",
    "finish_pending": "simulator.store.stored_play",
    "get_campaign": "simulator.store.campaigns",
    "head_revision": "simulator.store.engine",
    "invites": "simulator.store.campaigns",
    "list_campaigns": "simulator.store.campaigns",
    "participant_by_token": "simulator.store.accounts",
    "play_stored": "simulator.store.stored_play",
    "play_turn": "simulator.store.stored_play",
    "progress": "simulator.store.progress",
    "radar_svg": "simulator.store.progress",
    "redeem": "simulator.store.campaigns",
    "results_csv": "simulator.store.results",
    "results_markdown": "simulator.store.results",
    "scenario_for": "simulator.store.stored_play",
    "session_view": "simulator.store.session_view",
    "start_session": "simulator.store.stored_play",
    "utcnow": "simulator.store.schema",
    "verify_employer": "simulator.store.accounts",
}
__all__ = [
    "AccountError",
    "Base",
    "CampaignError",
    "Employer",
    "InviteError",
    "NotYourSession",
    "Participant",
    "ParticipantRow",
    "SessionSummary",
    "SqlStore",
    "StaleTurn",
    "StoredSession",
    "StoredTurn",
    "TurnRow",
    "UnknownSession",
    "assessment_session",
    "campaign_results",
    "create_campaign",
    "create_employer",
    "create_learner",
    "current_revision",
    "employer_by_email",
    "finish_pending",
    "get_campaign",
    "head_revision",
    "invites",
    "list_campaigns",
    "participant_by_token",
    "play_stored",
    "play_turn",
    "progress",
    "radar_svg",
    "redeem",
    "results_csv",
    "results_markdown",
    "scenario_for",
    "session_view",
    "start_session",
    "utcnow",
    "verify_employer",
]


def __getattr__(name: str) -> object:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
