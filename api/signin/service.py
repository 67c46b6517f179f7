"""Sign-in, registration with an invitation, token rotation with reuse detection, sign-out."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from flask_jwt_extended import create_access_token, create_refresh_token
from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from api.audit.service import audit_sign_in_denied
from api.auth.models import Device, RefreshToken, TokenFamily
from api.auth.passwords import hash_password, needs_rehash, verify_password
from api.config import ACCESS_TOKEN_TTL, REFRESH_TOKEN_TTL
from api.db import utcnow
from api.errors import InvalidInput, NotFound, Unauthorized
from api.invitations.models import ACTIVATE, RESET
from api.invitations.service import (
    BAD_RESET_CODE,
    code_holder,
    register_with_invitation,
    reset_with_code,
)
from api.users.models import User


@dataclass(frozen=True)
class AccountRef:
    """Who has signed in, so the app needs no second call to greet them."""

    id: uuid.UUID
    role: str
    name: str


@dataclass(frozen=True)
class TokenPair:
    """What a client keeps after signing in."""

    access_token: str
    refresh_token: str
    role: str
    expires_in: int  # seconds the access token is valid
    account: AccountRef


ACCESS_SECONDS = int(ACCESS_TOKEN_TTL.total_seconds())


class RefreshReuse(Unauthorized):
    """A spent refresh token came back: the family is revoked and must be committed."""


def _claims(user: User, family_id: uuid.UUID) -> dict[str, str | None]:
    return {
        "role": user.role,
        "mun": str(user.municipality_id),
        "team": str(user.team_id) if user.team_id else None,
        "fam": str(family_id),
    }


def _issue(session: Session, user: User, family_id: uuid.UUID, now: datetime) -> TokenPair:
    jti = uuid.uuid4()
    claims = _claims(user, family_id)
    access = create_access_token(identity=str(user.id), additional_claims=claims)
    refresh = create_refresh_token(
        identity=str(user.id), additional_claims={**claims, "jti": str(jti)}
    )
    session.add(RefreshToken(jti=jti, family_id=family_id, expires_at=now + REFRESH_TOKEN_TTL))
    session.flush()
    account = AccountRef(user.id, user.role, user.name)
    return TokenPair(access, refresh, user.role, ACCESS_SECONDS, account)


def login(session: Session, *, email: str, password: str) -> TokenPair:
    """Check the password and start a new token family."""
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.is_active:
        audit_sign_in_denied(session, account=user)
        raise Unauthorized("E-mail address or password is not correct.")
    if user.password_hash and needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return start_session(session, user)


def register(session: Session, *, code: str, email: str, password: str) -> TokenPair:
    """Activate an invited account with its one-time code and sign the person in."""
    user = register_with_invitation(session, code=code, email=email, password=password)
    return start_session(session, user)


def reset(session: Session, *, code: str, password: str) -> TokenPair:
    """Choose a new password with a one-time reset code: every sign-in ends, a new one starts."""
    user = reset_with_code(session, code=code, password=password)
    revoke_all_for_user(session, user_id=user.id, reason="password-reset")
    return start_session(session, user)


def set_password_with_code(session: Session, *, code: str, email: str, password: str) -> User:
    """One form for any one-time code (the console's): activate a new account with its invitation
    code, or choose a new password with a reset code (every sign-in of the account ends).

    A code that is unknown, spent, expired or not for this e-mail address is a 400 naming `code`.
    """
    holder = code_holder(session, code=code)
    email = email.strip().lower()
    if holder is not None and holder[0] == RESET and holder[1] == email:
        user = reset_with_code(session, code=code, password=password)
        revoke_all_for_user(session, user_id=user.id, reason="password-reset")
        return user
    if holder is not None and holder[0] == ACTIVATE and holder[1] in (None, email):
        try:
            return register_with_invitation(session, code=code, email=email, password=password)
        except NotFound:
            pass
    raise InvalidInput.field("code", BAD_RESET_CODE)


def start_session(session: Session, user: User) -> TokenPair:
    """Open a new token family for a user who has just proven who they are."""
    now = utcnow()
    user.last_login_at = now
    family = TokenFamily(user_id=user.id)
    session.add(family)
    session.flush()
    return _issue(session, user, family.id, now)


def refresh(session: Session, *, claims: dict[str, object]) -> TokenPair:
    """Exchange a refresh token once; a second use revokes the whole family."""
    now = utcnow()
    jti = uuid.UUID(str(claims["jti"]))
    token = session.scalar(select(RefreshToken).where(RefreshToken.jti == jti).with_for_update())
    if token is None:
        raise Unauthorized("This refresh token is not known.")
    family = session.get(TokenFamily, token.family_id, with_for_update=True)
    if family is None or family.revoked_at is not None:
        raise Unauthorized("This session has ended. Please sign in again.")
    if token.spent_at is not None:
        family.revoked_at = now
        family.revoked_reason = "refresh-reuse"
        session.flush()
        raise RefreshReuse("This refresh token was already used; please sign in again.")
    user = session.get(User, family.user_id)
    if user is None or not user.is_active:
        raise Unauthorized("This account is not active.")
    token.spent_at = now
    return _issue(session, user, family.id, now)


def logout(
    session: Session,
    *,
    family_id: uuid.UUID,
    user_id: uuid.UUID,
    device_id: uuid.UUID | None = None,
) -> None:
    """End the sign-in: every token of the family stops working, and its phone gets no pushes.

    The device registered under this sign-in goes, and the one the app names (its own).
    """
    mine = [Device.family_id == family_id]
    if device_id is not None:
        mine.append(Device.id == device_id)
    session.execute(delete(Device).where(Device.user_id == user_id, or_(*mine)))
    session.execute(
        update(TokenFamily)
        .where(
            TokenFamily.id == family_id,
            TokenFamily.user_id == user_id,
            TokenFamily.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow(), revoked_reason="logout")
    )


def revoke_all_for_user(
    session: Session, *, user_id: uuid.UUID, reason: str, keep: uuid.UUID | None = None
) -> None:
    """End every sign-in of a user (erasure, deactivation, a new password), except `keep`;
    the phones of the ended sign-ins get no more pushes."""
    devices = delete(Device).where(Device.user_id == user_id)
    stmt = update(TokenFamily).where(
        TokenFamily.user_id == user_id, TokenFamily.revoked_at.is_(None)
    )
    if keep is not None:
        devices = devices.where(Device.family_id.is_distinct_from(keep))
        stmt = stmt.where(TokenFamily.id != keep)
    session.execute(devices)
    session.execute(stmt.values(revoked_at=utcnow(), revoked_reason=reason))
