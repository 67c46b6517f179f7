"""Creating staff accounts (admin) within one municipality."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.audit.service import audit_denied
from api.auth.security import Actor
from api.errors import Conflict, InvalidInput, NotFound
from api.invitations.service import IssuedInvitation, issue_activation_code
from api.municipalities.models import Team
from api.users.models import User


@dataclass(frozen=True)
class StaffAccount:
    """A new account and the one-time code its owner activates it with."""

    user: User
    activation: IssuedInvitation


def create_staff_user(
    session: Session,
    *,
    actor: Actor,
    email: str,
    role: str,
    name: str,
    team_id: uuid.UUID | None = None,
) -> StaffAccount:
    """An admin adds an organiser (with a team), a coach or another admin to their municipality."""
    if role == "organizer":
        if team_id is None:
            raise InvalidInput.field("teamId", "An organiser belongs to a team.")
        team = session.get(Team, team_id)
        if team is None or team.municipality_id != actor.municipality_id:
            raise InvalidInput.field("teamId", "No such team in your municipality.")
    elif team_id is not None:
        raise InvalidInput.field("teamId", "Only organisers belong to a team.")
    email = email.strip().lower()
    if session.scalar(select(User.id).where(User.email == email)):
        raise Conflict("This e-mail address is already in use.")
    user = User(
        municipality_id=actor.municipality_id,
        email=email,
        role=role,
        name=name,
        team_id=team_id,
        is_active=False,
    )
    session.add(user)
    session.flush()
    return StaffAccount(user, issue_activation_code(session, actor=actor, user=user))


def caseload_person(
    session: Session,
    *,
    actor: Actor,
    recipient_id: uuid.UUID,
    action: str = "read",
    object_type: str = "caseload_person",
) -> User:
    """A person on this coach's caseload; anyone else does not exist for them (404, audited)."""
    person = session.get(User, recipient_id)
    if (
        person is None
        or person.role != "recipient"
        or person.municipality_id != actor.municipality_id
        or person.coach_id != actor.user_id
    ):
        audit_denied(
            session,
            actor=actor,
            subject_id=person.id if person is not None and person.role == "recipient" else None,
            action=action,
            object_type=object_type,
            object_id=recipient_id,
            purpose="not on this coach's caseload",
        )
        raise NotFound()
    return person
