"""The store: SQLAlchemy engine and schema, migrations, sessions (one turn = one commit), accounts,
campaigns and their results, stored play, progress.
"""

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
