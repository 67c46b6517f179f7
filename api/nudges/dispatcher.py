"""Drains the outbox: inbox always, push with retries and backoff, dead letters at the end."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from api.nudges.catalogue import render
from api.nudges.models import Device, InboxMessage, Nudge
from api.nudges.providers import PushError, PushProvider

MAX_ATTEMPTS = 6
BASE_BACKOFF = timedelta(seconds=30)


@dataclass
class DispatchStats:
    delivered: int = 0
    retried: int = 0
    dead: int = 0

    @property
    def handled(self) -> int:
        return self.delivered + self.retried + self.dead


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, 4 min, ... after the 1st, 2nd, 3rd failure."""
    return BASE_BACKOFF * int(2 ** max(0, attempts - 1))


def dispatch_batch(
    session: Session, *, now: datetime, provider: PushProvider, limit: int = 200
) -> DispatchStats:
    """One batch; rows locked with SKIP LOCKED so several dispatchers share the work."""
    stats = DispatchStats()
    nudges = list(
        session.scalars(
            select(Nudge)
            .where(
                Nudge.status == "pending",
                Nudge.due_at <= now,
                or_(Nudge.next_attempt_at.is_(None), Nudge.next_attempt_at <= now),
            )
            .order_by(Nudge.due_at, Nudge.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    if not nudges:
        return stats
    tokens: dict[object, list[str]] = {}
    for user_id, token in session.execute(
        select(Device.user_id, Device.push_token).where(
            Device.user_id.in_({n.user_id for n in nudges})
        )
    ):
        tokens.setdefault(user_id, []).append(token)
    for nudge in nudges:
        title, body = render(nudge.kind, nudge.language, nudge.params)
        session.execute(
            insert(InboxMessage)
            .values(
                user_id=nudge.user_id,
                nudge_id=nudge.id,
                kind=nudge.kind,
                title=title,
                body=body,
                created_at=nudge.due_at,
            )
            .on_conflict_do_nothing(index_elements=["nudge_id"])
        )
        devices = tokens.get(nudge.user_id)
        if devices and nudge.params.get("channel") != "inbox":  # an experiment's inbox-only arm
            try:
                provider.send(
                    tokens=devices,
                    title=title,
                    body=body,
                    data={"kind": nudge.kind, "nudgeId": str(nudge.id)},
                )
            except PushError as exc:
                nudge.attempts += 1
                nudge.last_error = str(exc)[:300]
                if nudge.attempts >= MAX_ATTEMPTS:
                    nudge.status = "dead"
                    stats.dead += 1
                else:
                    nudge.next_attempt_at = now + backoff(nudge.attempts)
                    stats.retried += 1
                continue
        nudge.status = "delivered"
        nudge.delivered_at = now
        stats.delivered += 1
    session.flush()
    return stats
