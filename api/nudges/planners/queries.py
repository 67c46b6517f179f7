"""SQL pieces several planners share: what a person was already told, titles, transitions."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.matches.models import Match, MatchEvent
from api.nudges.models import Nudge
from api.opportunities.models import Opportunity

SUGGESTING_KINDS = ("weekly_suggestions", "new_opportunity", "growth_suggestion")


def already_shown(session: Session, user_ids: list[uuid.UUID]) -> dict[uuid.UUID, set[str]]:
    """Opportunities each person was already told about, in one query."""
    shown: dict[uuid.UUID, set[str]] = {u: set() for u in user_ids}
    if not user_ids:
        return shown
    rows = session.execute(
        select(
            Nudge.user_id, func.jsonb_array_elements_text(Nudge.params["opportunity_ids"])
        ).where(
            Nudge.user_id.in_(user_ids),
            Nudge.kind.in_(SUGGESTING_KINDS),
            Nudge.status != "dropped",
        )
    )
    for uid, oid in rows:
        shown[uid].add(oid)
    return shown


def titles(session: Session, ids: set[str]) -> dict[str, str]:
    """Opportunity titles by id, in one query."""
    if not ids:
        return {}
    rows = session.execute(
        select(Opportunity.id, Opportunity.title).where(
            Opportunity.id.in_([uuid.UUID(i) for i in ids])
        )
    )
    return {str(i): t for i, t in rows}


def entered(status: str) -> Any:
    """When the outer match last entered `status` (correlated; uses the match_id index)."""
    return (
        select(func.max(MatchEvent.at))
        .where(MatchEvent.match_id == Match.id, MatchEvent.to_status == status)
        .correlate(Match)
        .scalar_subquery()
    )
