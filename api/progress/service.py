"""Check-ins, the ladder and the progress a person can be proud of."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from api.auth.security import Actor
from api.core.paging import Page, keyset_page
from api.core.time import local_date
from api.db import utcnow
from api.errors import InvalidInput
from api.ladder.service import ladder_history, record_ladder
from api.matches.models import Match
from api.matches.service import attach_history
from api.matches.status import TAKES_A_PLACE, MatchStatus
from api.opportunities.models import Opportunity
from api.plans import service as plans
from api.profiles.models import RecipientProfile
from api.progress.models import CheckIn


def create_checkin(
    session: Session, *, actor: Actor, data: dict[str, Any], now: datetime | None = None
) -> CheckIn:
    """Store a check-in; a new self-assessed step also goes into the ladder history."""
    now = now or utcnow()
    if data["date"] > local_date(now):
        raise InvalidInput.field("date", "The date cannot be in the future.")
    match_id = data.get("match_id")
    if match_id is not None:
        owner = session.scalar(select(Match.recipient_id).where(Match.id == match_id))
        if owner != actor.user_id:
            raise InvalidInput.field("matchId", "This is not one of your matches.")
    data = dict(data)
    done_step_ids = data.pop("done_step_ids", None) or []
    checkin = CheckIn(
        user_id=actor.user_id, municipality_id=actor.municipality_id, created_at=now, **data
    )
    session.add(checkin)
    if data.get("ladder_step"):
        record_ladder(
            session,
            user_id=actor.user_id,
            municipality_id=actor.municipality_id,
            step=data["ladder_step"],
            source="self",
            actor_id=actor.user_id,
            at=now,
        )
        profile = session.get(RecipientProfile, actor.user_id)
        if profile is not None:
            profile.ladder_step = data["ladder_step"]
    session.flush()
    # Steps the person says they did are done; reported steps toward work, or a rung reached,
    # suggest a matching step done (the person confirms in their plan).
    plans.close_from_checkin(
        session,
        actor=actor,
        steps_toward_work=data.get("steps_toward_work") or [],
        done_step_ids=done_step_ids,
        now=now,
    )
    if data.get("ladder_step"):
        plans.suggest_closures(session, now=now, user_ids=[actor.user_id])
    return checkin


def list_checkins(
    session: Session, *, user_id: uuid.UUID, limit: int = 20, cursor: str | None = None
) -> Page:
    """Newest first."""
    return keyset_page(
        session,
        select(CheckIn).where(CheckIn.user_id == user_id),
        order=(CheckIn.date.desc(), CheckIn.id.desc()),
        limit=limit,
        cursor=cursor,
    )


def progress(session: Session, *, user_id: uuid.UUID) -> dict[str, Any]:
    """Ladder, hours, steps toward work, wellbeing, matches, plan steps done: the way so far."""
    checkins = list(
        session.scalars(select(CheckIn).where(CheckIn.user_id == user_id).order_by(CheckIn.date))
    )
    hours: dict[str, dict[str, float]] = defaultdict(
        lambda: {"hours": 0.0, "informal_care_hours": 0.0}
    )
    steps: list[dict[str, Any]] = []
    for c in checkins:
        month = c.date.strftime("%Y-%m")
        key = "informal_care_hours" if c.informal_care else "hours"
        hours[month][key] += float(c.hours)
        steps.extend({"step": s, "date": c.date} for s in c.steps_toward_work or [])
    matches = list(
        session.scalars(
            select(Match)
            .options(joinedload(Match.opportunity).joinedload(Opportunity.team))
            .where(Match.recipient_id == user_id)
            .order_by(Match.created_at.desc())
        )
    )
    return {
        "ladder": ladder_history(session, user_id=user_id),
        "hours_per_month": [{"month": m, **v} for m, v in sorted(hours.items())],
        "steps_toward_work": steps,
        "wellbeing": [{"date": c.date, "wellbeing": c.wellbeing} for c in checkins[-20:]],
        "total_hours": round(sum(float(c.hours) for c in checkins), 1),
        "active_matches": [
            m for m in attach_history(session, matches) if m.status in TAKES_A_PLACE
        ],
        "past_matches": [m for m in matches if m.status == MatchStatus.COMPLETED],
        "steps_done_per_month": plans.steps_done_per_month(session, user_id=user_id),
        "plan": plans.step_counts(session, user_id=user_id),
    }
