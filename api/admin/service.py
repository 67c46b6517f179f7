"""An admin reads and changes their municipality's policy."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from sqlalchemy.orm import Session

from api.auth.security import Actor
from api.municipalities.models import Policy
from api.municipalities.policy import load_policy


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
