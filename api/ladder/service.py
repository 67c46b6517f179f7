"""Positions on the ladder: self-reported and coach-assessed, kept apart, never overwritten."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.db import utcnow
from api.ladder.models import LadderEntry


def record_ladder(
    session: Session,
    *,
    user_id: uuid.UUID,
    municipality_id: uuid.UUID,
    step: int,
    source: str,
    actor_id: uuid.UUID | None,
    note: str | None = None,
    at: datetime | None = None,
) -> LadderEntry | None:
    """Add a ladder position when it differs from the last one of the same source."""
    last = session.scalar(
        select(LadderEntry.step)
        .where(LadderEntry.user_id == user_id, LadderEntry.source == source)
        .order_by(LadderEntry.at.desc(), LadderEntry.id.desc())
        .limit(1)
    )
    if last == step and source == "self":
        return None
    entry = LadderEntry(
        user_id=user_id,
        municipality_id=municipality_id,
        step=step,
        source=source,
        actor_id=actor_id,
        note=note,
        at=at or utcnow(),
    )
    session.add(entry)
    session.flush()
    return entry


def ladder_history(session: Session, *, user_id: uuid.UUID) -> dict[str, list[LadderEntry]]:
    """Self-reported and coach-assessed positions, kept apart, oldest first."""
    out: dict[str, list[LadderEntry]] = {"self": [], "coach": []}
    for entry in session.scalars(
        select(LadderEntry).where(LadderEntry.user_id == user_id).order_by(LadderEntry.at)
    ):
        out[entry.source].append(entry)
    return out
