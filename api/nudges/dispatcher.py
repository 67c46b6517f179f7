"""Drains the outbox: inbox always, push with retries and backoff, dead letters at the end."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import (
    ColumnElement,
    any_,
    literal_column,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session

from api.db import uuid_array
from api.nudges.catalogue import render
from api.nudges.models import Device, Nudge
from api.nudges.providers import PushError, PushProvider

MAX_ATTEMPTS = 6
BASE_BACKOFF = timedelta(seconds=30)
# Written into the SQL, not bound: only then can a prepared (generic) plan use the partial index
# of pending nudges; with a parameter it read the whole table for every batch.
PENDING: ColumnElement[str] = literal_column("'pending'")
# A batch's inbox rows in one statement, as one JSON document.
_INBOX = text(
    "insert into inbox_messages (id, user_id, nudge_id, kind, title, body, created_at)"
    " select gen_random_uuid(), r.user_id, r.nudge_id, r.kind, r.title, r.body, r.created_at"
    " from json_to_recordset(cast(:rows as json)) as r(user_id uuid, nudge_id uuid, kind text,"
    " title text, body text, created_at timestamptz)"
    " on conflict (nudge_id) do nothing"
)


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
    """One batch; rows locked with SKIP LOCKED so several dispatchers share the work.

    The batch is claimed and marked delivered in one statement, its inbox rows written in one;
    a failed push puts its nudge back (to retry) or to the dead letters, in the same transaction.
    """
    stats = DispatchStats()
    due = (
        select(Nudge.id)
        .where(
            Nudge.status == PENDING,
            Nudge.due_at <= now,
            or_(Nudge.next_attempt_at.is_(None), Nudge.next_attempt_at <= now),
        )
        .order_by(Nudge.due_at, Nudge.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    claimed = session.execute(
        update(Nudge)
        .where(Nudge.id.in_(due.scalar_subquery()))
        .values(status="delivered", delivered_at=now)
        .returning(
            Nudge.id,
            Nudge.user_id,
            Nudge.kind,
            Nudge.language,
            Nudge.params,
            Nudge.due_at,
            Nudge.attempts,
        )
    ).all()
    if not claimed:
        return stats
    nudges = sorted(claimed, key=lambda n: (n.due_at, n.id))  # in the order they were due
    tokens: dict[object, list[str]] = {}
    for user_id, token in session.execute(
        select(Device.user_id, Device.push_token).where(
            Device.user_id == any_(uuid_array({n.user_id for n in nudges}))
        )
    ):
        tokens.setdefault(user_id, []).append(token)
    texts = [render(n.kind, n.language, n.params) for n in nudges]
    inbox = [
        {
            "user_id": str(n.user_id),
            "nudge_id": str(n.id),
            "kind": n.kind,
            "title": title,
            "body": body,
            "created_at": n.due_at.isoformat(),
        }
        for n, (title, body) in zip(nudges, texts, strict=True)
    ]
    session.execute(_INBOX, {"rows": json.dumps(inbox)})
    for nudge, (title, body) in zip(nudges, texts, strict=True):
        devices = tokens.get(nudge.user_id)
        if devices:
            try:
                provider.send(
                    tokens=devices,
                    title=title,
                    body=body,
                    data={"kind": nudge.kind, "nudgeId": str(nudge.id)},
                )
            except PushError as exc:
                attempts = nudge.attempts + 1
                change: dict[str, object] = {
                    "status": "pending",
                    "delivered_at": None,
                    "attempts": attempts,
                    "last_error": str(exc)[:300],
                }
                if attempts >= MAX_ATTEMPTS:
                    change["status"] = "dead"
                    stats.dead += 1
                else:
                    change["next_attempt_at"] = now + backoff(attempts)
                    stats.retried += 1
                session.execute(update(Nudge).where(Nudge.id == nudge.id).values(**change))
                continue
        stats.delivered += 1
    return stats
