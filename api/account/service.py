"""Your account: who you are to the service, your password, and codes to choose a new one."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from api.audit.service import audit_denied, record
from api.auth.passwords import check_password_strength, hash_password, verify_password
from api.auth.security import Actor
from api.errors import InvalidInput, NotFound
from api.i18n import N_
from api.invitations.service import IssuedInvitation, issue_reset_code
from api.municipalities.models import Municipality, Team
from api.profiles.models import RecipientProfile
from api.signin.service import revoke_all_for_user
from api.users.models import User

NOT_CURRENT = N_("This is not your current password.")
DEFAULT_LANGUAGE = "nl"


def account(session: Session, *, actor: Actor) -> dict[str, Any]:
    """The signed-in account in one query: name, role, municipality, team, coach, language."""
    coach = aliased(User)
    row = session.execute(
        select(
            User,
            Municipality.name,
            Team.name,
            coach.name,
            RecipientProfile.preferred_language,
        )
        .join(Municipality, Municipality.id == User.municipality_id)
        .outerjoin(Team, Team.id == User.team_id)
        .outerjoin(coach, coach.id == User.coach_id)
        .outerjoin(RecipientProfile, RecipientProfile.user_id == User.id)
        .where(User.id == actor.user_id)
    ).one_or_none()
    if row is None:
        raise NotFound()
    user, municipality, team, coach_name, language = row
    return {
        "id": user.id,
        "role": user.role,
        "name": user.name,
        "email": user.email,
        "municipality": {"id": user.municipality_id, "name": municipality},
        "team": {"id": user.team_id, "name": team} if user.team_id and team else None,
        "coach": {"id": user.coach_id, "name": coach_name}
        if user.coach_id and coach_name
        else None,
        "language": language or DEFAULT_LANGUAGE,
        "last_login_at": user.last_login_at,
        "created_at": user.created_at,
    }


def change_password(
    session: Session,
    *,
    actor: Actor,
    family_id: uuid.UUID,
    old_password: str,
    new_password: str,
) -> None:
    """A new password; every other sign-in of the account ends, this one stays.

    The current password is checked with the same argon2id verify as sign-in (a wrong one costs
    as long as a right one); a wrong one is a 400 naming `oldPassword`, a weak new one a 400
    naming `newPassword`.
    """
    user = session.get(User, actor.user_id)
    if user is None:
        raise NotFound()
    if not verify_password(user.password_hash, old_password):
        audit_denied(
            session,
            actor=actor,
            subject_id=user.id,
            action="update",
            object_type="password",
            purpose=N_("password change refused: wrong current password"),
        )
        raise InvalidInput.field("oldPassword", NOT_CURRENT)
    check_password_strength(new_password, email=user.email, name=user.name, field="newPassword")
    user.password_hash = hash_password(new_password)
    revoke_all_for_user(session, user_id=user.id, reason="password-changed", keep=family_id)
    record(
        session,
        actor=actor,
        subject_id=user.id,
        action="update",
        object_type="password",
        object_id=str(user.id),
        purpose=N_("own password changed; other sign-ins ended"),
    )
    session.flush()


def reset_code(session: Session, *, actor: Actor, user_id: uuid.UUID) -> IssuedInvitation:
    """A one-time code for someone to choose a new password (coach: caseload; admin: anyone of
    the municipality); a person who never activated gets a new invitation code instead."""
    return issue_reset_code(session, actor=actor, user_id=user_id)
