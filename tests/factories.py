"""Small typed factories: create_x(session, *, ...) -> model."""

from __future__ import annotations

import functools
import itertools
import uuid

from flask import Flask
from sqlalchemy.orm import Session

from api.auth import service as auth_service
from api.auth.passwords import hash_password
from api.municipalities.models import Municipality, Policy, Team
from api.users.models import User

PASSWORD = "correct horse battery"
_seq = itertools.count(1)


@functools.cache
def _password_hash() -> str:
    return hash_password(PASSWORD)


def create_municipality(session: Session, *, name: str | None = None) -> Municipality:
    n = next(_seq)
    m = Municipality(slug=f"gemeente-{n}-{uuid.uuid4().hex[:6]}", name=name or f"Gemeente {n}")
    session.add(m)
    session.flush()
    session.add(Policy(municipality_id=m.id, settings={}))
    session.flush()
    return m


def create_team(session: Session, *, municipality: Municipality, name: str = "Buurtteam") -> Team:
    t = Team(municipality_id=municipality.id, name=name, kind="wijkteam")
    session.add(t)
    session.flush()
    return t


def create_user(
    session: Session,
    *,
    municipality: Municipality,
    role: str = "recipient",
    name: str | None = None,
    email: str | None = None,
    team: Team | None = None,
    coach: User | None = None,
    active: bool = True,
) -> User:
    n = next(_seq)
    if role == "organizer" and team is None:
        team = create_team(session, municipality=municipality)
    u = User(
        municipality_id=municipality.id,
        role=role,
        name=name or f"{role.title()} {n}",
        email=(email or f"{role}{n}.{uuid.uuid4().hex[:6]}@example.org").lower(),
        password_hash=_password_hash(),
        team_id=team.id if team else None,
        coach_id=coach.id if coach else None,
        is_active=active,
    )
    session.add(u)
    session.flush()
    return u


def auth_headers(app: Flask, session: Session, user: User) -> dict[str, str]:
    """Bearer header for a user, issued the same way a login issues it."""
    with app.app_context():
        pair = auth_service.start_session(session, user)
    return {"Authorization": f"Bearer {pair.access_token}"}
