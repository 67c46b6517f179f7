"""Matches' job: requests nobody decided on expire after the policy's days."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.matches.service import expire_stale_requests
from api.municipalities.models import Municipality
from api.municipalities.policy import load_policy


def expire_requests(session: Session, *, now: datetime) -> dict[str, int]:
    """Expire stale requests per municipality; the nudge planners then tell the people."""
    expired = 0
    for mid in session.scalars(select(Municipality.id).order_by(Municipality.slug)).all():
        policy = load_policy(session, mid)
        # A match rule, not a message: a municipality that switched the "request expired"
        # message off still frees its people from requests nobody decided on.
        expired += len(
            expire_stale_requests(
                session, now=now, municipality_id=mid, days=policy.request_expiry_days
            )
        )
    return {"requests_expired": expired}
