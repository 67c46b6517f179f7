"""Drains the outbox: inbox always, push with retries and backoff, dead letters at the end.

Each device is pushed a message once: the devices reached are kept on the outbox row, so a
retry after a partial failure goes only to the rest. A token the provider calls invalid or
unregistered removes its device; 429 and 5xx answers come back later (exponential backoff with
jitter, never sooner than the provider's Retry-After); a permanent failure is a dead letter.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, or_, select, text, update
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session

from api.nudges.catalogue import render
from api.nudges.inbox import InboxRow, write_inbox
from api.nudges.models import Device, Nudge
from api.nudges.providers import PushDevice, PushError, PushMessage, PushProvider
from api.profiles.kinds import INBOX_ONLY, inbox_only

MAX_ATTEMPTS = 6
BASE_BACKOFF = timedelta(seconds=30)
JITTER = 0.25  # a retry waits between 75% and 100% of its backoff, so retries spread out
MAX_RETRY_AFTER = timedelta(hours=1)
NUDGES = cast(Table, Nudge.__table__)
TTL = {"nudge": 24 * 3600, "event": 3 * 24 * 3600}  # seconds a provider may hold a push


@dataclass
class DispatchStats:
    delivered: int = 0
    retried: int = 0
    dead: int = 0
    devices_removed: int = 0

    @property
    def handled(self) -> int:
        return self.delivered + self.retried + self.dead

    def merge(self, other: DispatchStats) -> None:
        self.delivered += other.delivered
        self.retried += other.retried
        self.dead += other.dead
        self.devices_removed += other.devices_removed


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, 4 min, ... after the 1st, 2nd, 3rd failure."""
    return BASE_BACKOFF * int(2 ** max(0, attempts - 1))


def next_try(
    now: datetime, attempts: int, retry_after: float | None, rng: random.Random | None = None
) -> datetime:
    """When to try again: jittered backoff, but never before the provider's Retry-After."""
    wait = backoff(attempts) * (1 - JITTER * (rng or random).random())
    if retry_after is not None:
        wait = max(wait, min(timedelta(seconds=retry_after), MAX_RETRY_AFTER))
    return now + wait


def push_message(nudge: Claimed, title: str, body: str) -> PushMessage:
    """What the phone gets: the inbox text and the ids to open the right screen."""
    data = {"kind": nudge.kind, "nudgeId": str(nudge.id)}
    if nudge.target_type:
        data["targetType"] = nudge.target_type
        if nudge.target_id:
            data["targetId"] = nudge.target_id
    thread = f"{nudge.target_type}:{nudge.target_id}" if nudge.target_id else nudge.kind
    return PushMessage(
        title=title,
        body=body,
        data=data,
        collapse_id=str(nudge.id),
        thread_id=thread,
        ttl_seconds=TTL.get(nudge.channel, TTL["nudge"]),
    )


@dataclass
class Claimed:
    """A due nudge taken by this dispatcher, and what happens to it in this batch."""

    id: uuid.UUID
    user_id: uuid.UUID
    kind: str
    language: str
    params: dict[str, Any]
    due_at: datetime
    channel: str
    target_type: str | None
    target_id: str | None
    push: bool
    pushed_devices: list[str]
    attempts: int
    last_error: str | None
    status: str = "pending"
    next_attempt_at: datetime | None = None
    changed_devices: bool = False


_CLAIM_COLUMNS = (
    Nudge.id,
    Nudge.user_id,
    Nudge.kind,
    Nudge.language,
    Nudge.params,
    Nudge.due_at,
    Nudge.channel,
    Nudge.target_type,
    Nudge.target_id,
    Nudge.push,
    Nudge.pushed_devices,
    Nudge.attempts,
    Nudge.last_error,
)


# One array parameter, not an IN list of hundreds of placeholders to render and parse per batch.
_INBOX_ONLY_CHOICES = text(
    "select user_id, nudge_preferences -> cast(:key as text) from recipient_profiles"
    " where user_id = any(cast(:ids as uuid[])) and nudge_preferences ? cast(:key as text)"
)


def dispatch_batch(
    session: Session, *, now: datetime, provider: PushProvider, limit: int = 500
) -> DispatchStats:
    """One batch; rows locked with SKIP LOCKED so several dispatchers share the work.

    Set-based around the provider: one statement claims the batch, one reads the devices, one
    writes every inbox message, one marks the plain deliveries; only nudges whose push had
    news (devices reached, retries, dead letters) are updated row by row, in one executemany.
    """
    stats = DispatchStats()
    session.flush()
    nudges = [
        Claimed(**{**row._asdict(), "pushed_devices": list(row.pushed_devices or [])})
        for row in session.execute(
            select(*_CLAIM_COLUMNS)
            .where(
                Nudge.status == "pending",
                Nudge.due_at <= now,
                or_(Nudge.next_attempt_at.is_(None), Nudge.next_attempt_at <= now),
            )
            .order_by(Nudge.due_at, Nudge.id)
            .limit(limit)
            .with_for_update(skip_locked=True, of=NUDGES)
        )
    ]
    if not nudges:
        return stats
    # A person's choice per kind: some kinds to the inbox only (read now, so a change counts).
    wanted = {n.user_id for n in nudges if n.push and n.params.get("channel") != "inbox"}
    prefs: dict[uuid.UUID, dict[str, Any]] = {}
    if wanted:
        # Only the people who chose any: the rest (nearly all) cost no JSON on the way back.
        prefs = {
            user_id: {INBOX_ONLY: chosen}
            for user_id, chosen in session.execute(
                _INBOX_ONLY_CHOICES, {"ids": list(wanted), "key": INBOX_ONLY}
            )
        }

    def pushed(nudge: Claimed) -> bool:
        """A push as well as the inbox: not for an experiment's inbox-only arm, nor for a kind
        the person chose to get in the inbox only."""
        return (
            nudge.push
            and nudge.params.get("channel") != "inbox"
            and not inbox_only(prefs.get(nudge.user_id), nudge.kind)
        )

    pushing = {n.user_id for n in nudges if pushed(n)}
    devices: dict[uuid.UUID, list[tuple[str, str, str]]] = {}
    if pushing:
        for device_id, user_id, token, platform in session.execute(
            select(Device.id, Device.user_id, Device.push_token, Device.platform)
            .where(Device.user_id.in_(pushing))
            .order_by(Device.created_at, Device.id)
        ):
            devices.setdefault(user_id, []).append((str(device_id), token, platform))
    gone: set[str] = set()
    inbox: list[InboxRow] = []
    for nudge in nudges:
        title, body = render(nudge.kind, nudge.language, nudge.params)
        inbox.append(
            InboxRow(
                nudge.user_id,
                nudge.id,
                nudge.kind,
                title,
                body,
                nudge.target_type,
                nudge.target_id,
                created_at=nudge.due_at,
                updated_at=now,
            )
        )
        reached = set(nudge.pushed_devices)
        todo = [
            d for d in devices.get(nudge.user_id, []) if d[0] not in reached and d[1] not in gone
        ]
        if pushed(nudge) and todo:
            by_token = {token: device_id for device_id, token, _ in todo}
            try:
                outcome = provider.send(
                    [PushDevice(token, platform) for _, token, platform in todo],
                    push_message(nudge, title, body),
                )
            except PushError as exc:  # the provider could not be asked at all
                _retry(nudge, now, str(exc), None, stats)
                continue
            reached |= {by_token[t] for t in outcome.delivered if t in by_token}
            nudge.pushed_devices = sorted(reached)
            nudge.changed_devices = True
            gone |= set(outcome.invalid)
            if outcome.errors:
                nudge.last_error = "; ".join(dict.fromkeys(outcome.errors))[:300]
            if outcome.retry:
                _retry(nudge, now, nudge.last_error or "retry", outcome.retry_after, stats)
                continue
            if outcome.failed and not reached:
                nudge.attempts += 1
                nudge.status = "dead"  # the provider refused it for good: a dead letter
                stats.dead += 1
                continue
        nudge.status = "delivered"
        stats.delivered += 1
    _write(session, nudges, inbox, now)
    if gone:
        result = session.execute(delete(Device).where(Device.push_token.in_(gone)))
        stats.devices_removed += getattr(result, "rowcount", 0) or 0
    session.expire_all()  # objects the caller holds see the new states
    return stats


_DELIVERED = text(
    "update nudges set status = 'delivered', delivered_at = :now"
    " where id = any(cast(:ids as uuid[]))"
)


def _write(session: Session, nudges: list[Claimed], inbox: list[InboxRow], now: datetime) -> None:
    """The batch's outcome in a few statements: inbox rows, plain deliveries, the rest."""
    write_inbox(session, inbox)
    plain = [n.id for n in nudges if n.status == "delivered" and not n.changed_devices]
    if plain:
        session.execute(_DELIVERED, {"now": now, "ids": plain})
    rest = [n for n in nudges if n.status != "delivered" or n.changed_devices]
    if rest:
        t = NUDGES
        session.execute(
            update(t)
            .where(t.c.id == bindparam("b_id"))
            .values(
                status=bindparam("b_status"),
                attempts=bindparam("b_attempts"),
                last_error=bindparam("b_last_error"),
                next_attempt_at=bindparam("b_next"),
                delivered_at=bindparam("b_delivered"),
                pushed_devices=bindparam("b_devices", type_=JSONB),
            ),
            [
                {
                    "b_id": n.id,
                    "b_status": n.status,
                    "b_attempts": n.attempts,
                    "b_last_error": n.last_error,
                    "b_next": n.next_attempt_at,
                    "b_delivered": now if n.status == "delivered" else None,
                    "b_devices": n.pushed_devices,
                }
                for n in rest
            ],
        )


def _retry(
    nudge: Claimed, now: datetime, error: str, retry_after: float | None, stats: DispatchStats
) -> None:
    nudge.attempts += 1
    nudge.last_error = error[:300]
    if nudge.attempts >= MAX_ATTEMPTS:
        nudge.status = "dead"
        stats.dead += 1
    else:
        nudge.next_attempt_at = next_try(now, nudge.attempts, retry_after)
        stats.retried += 1
