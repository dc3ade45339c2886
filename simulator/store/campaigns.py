"""Assessment campaigns: an employer fixes the scenarios, language, seed and reply time
limit; each candidate joins once with an invite code and plays under those conditions.

Invite codes are shown once, at creation, and stored hashed. Redeeming one is a single
conditional UPDATE, so two people racing with the same code cannot both get in.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from pydantic import Field
from sqlalchemy import select, update

from simulator.content import LANGS, Frozen, UnknownScenario, get_scenario
from simulator.errors import InputError
from simulator.protocols import Store
from simulator.store.accounts import Participant, add_participant, token_hash
from simulator.store.schema import CampaignRow, InviteRow, utcnow
from simulator.store.sessions import aware

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud, typed by hand
CODE_LENGTH = 12
MAX_CANDIDATES = 500


class CampaignError(InputError):
    """A campaign that cannot be created as asked; the message names the field."""


class InviteError(InputError):
    """An invite code that does not let anyone in: unknown, used, or its campaign expired."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Campaign(Frozen):
    id: str
    name: str
    employer_id: int | None
    scenarios: list[str]
    lang: str
    seed: int
    reply_time_limit_s: int | None
    expires_at: datetime | None
    created_at: datetime


class NewCampaign(Frozen):
    campaign: Campaign
    codes: list[str] = Field(description="shown once; only their hashes are stored")


def normalise_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def _new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def _campaign(row: CampaignRow) -> Campaign:
    return Campaign(
        id=row.id,
        name=row.name,
        employer_id=row.employer_id,
        scenarios=list(row.scenarios),
        lang=row.lang,
        seed=row.seed,
        reply_time_limit_s=row.reply_time_limit_s,
        expires_at=aware(row.expires_at) if row.expires_at else None,
        created_at=aware(row.created_at),
    )


def scenarios_problem(scenarios: list[str], lang: str) -> str | None:
    """What is wrong with a list of scenarios to play in `lang` ("field: message"), if
    anything: campaigns and cohorts share these rules."""
    if not scenarios:
        return "scenarios: at least one scenario is needed"
    found = []
    for scenario_id in scenarios:
        try:
            found.append(get_scenario(scenario_id))
        except UnknownScenario as exc:
            return f"scenarios: {exc}"
    if len(set(scenarios)) != len(scenarios):
        return "scenarios: a scenario is listed twice"
    if lang not in LANGS:
        return f"lang: expected one of {', '.join(LANGS)}, got {lang!r}"
    for scenario in found:
        if lang not in scenario.languages:
            return (
                f"scenarios: {scenario.id} is written in {', '.join(scenario.languages)} "
                f"only, not {lang}"
            )
    return None


def _check(scenarios: list[str], lang: str, candidates: int, limit: int | None) -> None:
    problem = scenarios_problem(scenarios, lang)
    if problem is not None:
        raise CampaignError(problem)
    if not 1 <= candidates <= MAX_CANDIDATES:
        raise CampaignError(f"candidates: between 1 and {MAX_CANDIDATES}, got {candidates}")
    if limit is not None and not 15 <= limit <= 3600:
        raise CampaignError(f"reply_time_limit_s: between 15 and 3600 seconds, got {limit}")


def create_campaign(
    store: Store,
    name: str,
    scenarios: list[str],
    lang: str,
    seed: int,
    candidates: int,
    reply_time_limit_s: int | None = None,
    expires_in_days: float | None = None,
    employer_id: int | None = None,
) -> NewCampaign:
    _check(scenarios, lang, candidates, reply_time_limit_s)
    now = utcnow()
    row = CampaignRow(
        id=f"c-{secrets.token_hex(5)}",
        name=name.strip()[:200] or ", ".join(scenarios),
        employer_id=employer_id,
        scenarios=scenarios,
        lang=lang,
        seed=seed,
        reply_time_limit_s=reply_time_limit_s,
        expires_at=now + timedelta(days=expires_in_days) if expires_in_days else None,
        created_at=now,
    )
    codes = [_new_code() for _ in range(candidates)]
    with store.session() as orm:
        orm.add(row)
        orm.flush()
        for code in codes:
            plain = normalise_code(code)
            orm.add(InviteRow(campaign_id=row.id, code_hash=token_hash(plain), hint=plain[:4]))
        orm.commit()
        return NewCampaign(campaign=_campaign(row), codes=codes)


def get_campaign(store: Store, campaign_id: str) -> Campaign | None:
    with store.session() as orm:
        row = orm.get(CampaignRow, campaign_id)
        return _campaign(row) if row is not None else None


def list_campaigns(store: Store, employer_id: int | None) -> list[Campaign]:
    with store.session() as orm:
        query = select(CampaignRow).order_by(CampaignRow.created_at.desc())
        if employer_id is not None:
            query = query.where(CampaignRow.employer_id == employer_id)
        return [_campaign(row) for row in orm.scalars(query).all()]


def redeem(
    store: Store, code: str, display_name: str = "", now: datetime | None = None
) -> tuple[Participant, str]:
    """Let a candidate in with a code: a new participant and the token that proves it.

    Raises InviteError("unknown" | "used" | "expired"); nothing changes in those cases.
    """
    plain = normalise_code(code)
    now = now or utcnow()
    with store.session() as orm:
        invite = orm.scalar(select(InviteRow).where(InviteRow.code_hash == token_hash(plain)))
        if invite is None:
            raise InviteError("unknown")
        if invite.participant_id is not None:
            raise InviteError("used")
        campaign = orm.get(CampaignRow, invite.campaign_id)
        if campaign is None:  # pragma: no cover - a foreign key keeps the campaign
            raise InviteError("unknown")
        if campaign.expires_at is not None and aware(campaign.expires_at) <= now:
            raise InviteError("expired")
        row, token = add_participant(orm, "candidate", campaign.id, display_name)
        orm.flush()
        taken = orm.execute(
            update(InviteRow)
            .where(InviteRow.id == invite.id, InviteRow.participant_id.is_(None))
            .values(participant_id=row.id, used_at=now)
        )
        if getattr(taken, "rowcount", 0) != 1:
            orm.rollback()
            raise InviteError("used")
        orm.commit()
        return (
            Participant(
                id=row.id,
                kind=row.kind,
                display_name=row.display_name,
                campaign_id=row.campaign_id,
            ),
            token,
        )


class InviteStatus(Frozen):
    hint: str
    participant_id: str | None
    used_at: datetime | None


def invites(store: Store, campaign_id: str) -> list[InviteStatus]:
    with store.session() as orm:
        rows = orm.scalars(
            select(InviteRow).where(InviteRow.campaign_id == campaign_id).order_by(InviteRow.id)
        ).all()
        return [
            InviteStatus(
                hint=row.hint,
                participant_id=row.participant_id,
                used_at=aware(row.used_at) if row.used_at else None,
            )
            for row in rows
        ]
