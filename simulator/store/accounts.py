"""Who owns what: participants (self-learners and candidates) hold a random token, employers
a password. Only hashes are stored: sha256 for random tokens (they carry 190 bits, so a
fast hash is enough), scrypt for passwords (people choose them)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from functools import cache

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session as OrmSession

from simulator.content import Frozen
from simulator.errors import InputError
from simulator.protocols import Store
from simulator.store.schema import EmployerRow, ParticipantRow

MIN_PASSWORD = 10
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class AccountError(InputError):
    """Bad account input (a short password, a taken e-mail); the message says which."""


class Participant(Frozen):
    id: str
    kind: str  # "learner" | "candidate" | "student"
    display_name: str | None
    campaign_id: str | None
    cohort_id: str | None = None

    @property
    def is_candidate(self) -> bool:
        return self.kind == "candidate"


ROLES = ("employer", "trainer")


class Employer(Frozen):
    """A staff account: an employer runs campaigns, a trainer runs cohorts."""

    id: int
    email: str
    role: str = "employer"


def _staff(row: EmployerRow) -> Employer:
    return Employer(id=row.id, email=row.email, role=row.role)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(24)


def _participant(row: ParticipantRow) -> Participant:
    return Participant(
        id=row.id,
        kind=row.kind,
        display_name=row.display_name,
        campaign_id=row.campaign_id,
        cohort_id=row.cohort_id,
    )


def add_participant(
    orm: OrmSession,
    kind: str,
    campaign_id: str | None = None,
    display_name: str | None = None,
    cohort_id: str | None = None,
) -> tuple[ParticipantRow, str]:
    """A participant row in an open transaction, and the token to give its owner (once)."""
    token = new_token()
    row = ParticipantRow(
        id=secrets.token_hex(8),
        token_hash=token_hash(token),
        kind=kind,
        campaign_id=campaign_id,
        cohort_id=cohort_id,
        display_name=(display_name or "").strip()[:100] or None,
    )
    orm.add(row)
    return row, token


def create_learner(store: Store) -> tuple[Participant, str]:
    with store.session() as orm:
        row, token = add_participant(orm, "learner")
        orm.commit()
        return _participant(row), token


def participant_by_token(store: Store, token: str) -> Participant | None:
    if not token:
        return None
    with store.session() as orm:
        row = orm.scalar(
            select(ParticipantRow).where(ParticipantRow.token_hash == token_hash(token))
        )
        return _participant(row) if row is not None else None


# ---------------------------------------------------------------------- employers


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, dklen=32, **_SCRYPT)
    encode = base64.b64encode
    return f"scrypt${_SCRYPT['n']}${encode(salt).decode()}${encode(digest).decode()}"


@cache
def _dummy_hash() -> str:
    return hash_password("timing-equaliser")


def check_password(password: str, stored: str) -> bool:
    try:
        scheme, n, salt, digest = stored.split("$")
        expected = base64.b64decode(digest)
        got = hashlib.scrypt(
            password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n), r=8, p=1, dklen=32
        )
    except (ValueError, TypeError):
        return False
    return scheme == "scrypt" and hmac.compare_digest(got, expected)


def create_staff(store: Store, email: str, password: str | None, role: str) -> Employer:
    """A staff account of `role`; `password=None` makes an SSO-only account (st.login)."""
    if role not in ROLES:
        raise AccountError(f"role: expected one of {', '.join(ROLES)}, got {role!r}")
    email = email.strip().lower()
    if not EMAIL.match(email):
        raise AccountError(f"not an e-mail address: {email!r}")
    if password is not None and len(password) < MIN_PASSWORD:
        raise AccountError(f"the password needs at least {MIN_PASSWORD} characters")
    hashed = hash_password(password) if password else None
    row = EmployerRow(email=email, password_hash=hashed, role=role)
    with store.session() as orm:
        orm.add(row)
        try:
            orm.commit()
        except IntegrityError:
            raise AccountError(f"an account {email!r} already exists") from None
        return _staff(row)


def create_employer(store: Store, email: str, password: str | None) -> Employer:
    return create_staff(store, email, password, "employer")


def create_trainer(store: Store, email: str, password: str | None) -> Employer:
    return create_staff(store, email, password, "trainer")


def staff_by_email(store: Store, email: str, role: str | None = None) -> Employer | None:
    """The account with that e-mail (and that role, when given)."""
    with store.session() as orm:
        row = orm.scalar(select(EmployerRow).where(EmployerRow.email == email.strip().lower()))
    if row is None or (role is not None and row.role != role):
        return None
    return _staff(row)


def employer_by_email(store: Store, email: str) -> Employer | None:
    return staff_by_email(store, email, "employer")


def verify_staff(store: Store, email: str, password: str, role: str) -> Employer | None:
    """The account when the password matches and the role is `role`; None otherwise (same
    answer for an unknown e-mail, so the form does not tell which accounts exist)."""
    with store.session() as orm:
        row = orm.scalar(select(EmployerRow).where(EmployerRow.email == email.strip().lower()))
    if row is None or row.password_hash is None or row.role != role:
        check_password(password, _dummy_hash())  # as slow as a real check: no account probing
        return None
    if not check_password(password, row.password_hash):
        return None
    return _staff(row)


def verify_employer(store: Store, email: str, password: str) -> Employer | None:
    return verify_staff(store, email, password, "employer")
