"""Scheduled work of the plan: finished matches and reached ladder rungs suggest steps done."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.municipalities.models import Municipality
from api.plans.service import suggest_closures


def suggest_step_closures(session: Session, *, now: datetime) -> dict[str, Any]:
    """Per municipality: open steps a finished match or a rung reached suggests done."""
    marked = 0
    for municipality_id in session.scalars(select(Municipality.id).order_by(Municipality.slug)):
        marked += suggest_closures(session, now=now, municipality_id=municipality_id)
    return {"suggested_done": marked}
