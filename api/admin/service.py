"""An admin sets their municipality's policy, sees its staff accounts and adds new ones."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.auth.security import Actor
from api.errors import Conflict, InvalidInput
from api.invitations.service import IssuedInvitation, issue_activation_code
from api.municipalities.models import Policy, Team
from api.municipalities.policy import load_policy
from api.users.models import User


def get_policy(session: Session, *, actor: Actor) -> dict[str, Any]:
    """The effective policy (defaults plus what the municipality set)."""
    return asdict(load_policy(session, actor.municipality_id))


def put_policy(session: Session, *, actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    """Store the policy; fields the body leaves out keep their stored value."""
    row = session.get(Policy, actor.municipality_id)
    if row is None:
        row = Policy(municipality_id=actor.municipality_id, settings={})
        session.add(row)
    row.settings = {**(row.settings or {}), **data}
    session.flush()
    return get_policy(session, actor=actor)


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
        raise Conflict("This e-mail address is already in use.", code="email_taken")
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


@dataclass(frozen=True)
class StaffRow:
    """A staff account as the admin's list shows it."""

    id: uuid.UUID
    name: str
    email: str | None
    role: str
    team: str | None
    active: bool
    last_login_at: datetime | None


def staff_accounts(session: Session, *, actor: Actor, limit: int = 1000) -> list[StaffRow]:
    """Coaches, organisers and admins of the admin's municipality, by role and name."""
    rows = session.execute(
        select(
            User.id,
            User.name,
            User.email,
            User.role,
            Team.name,
            User.is_active,
            User.last_login_at,
        )
        .outerjoin(Team, Team.id == User.team_id)
        .where(User.municipality_id == actor.municipality_id, User.role != "recipient")
        .order_by(User.role, User.name, User.id)
        .limit(limit)
    ).tuples()
    return [StaffRow(*r) for r in rows]


def teams(session: Session, *, actor: Actor) -> list[Team]:
    """The teams of the admin's municipality: the ones a new organiser can belong to."""
    return list(
        session.scalars(
            select(Team)
            .where(Team.municipality_id == actor.municipality_id)
            .order_by(Team.name, Team.id)
        )
    )
