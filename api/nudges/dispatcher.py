"""Drains the outbox: inbox always, push with retries and backoff, dead letters at the end.

Each device is pushed a message once: the devices reached are kept on the outbox row, so a
retry after a partial failure goes only to the rest. A token the provider calls invalid or
unregistered removes its device; 429 and 5xx answers come back later (exponential backoff with
jitter, never sooner than the provider's Retry-After); a permanent failure is a dead letter.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from api.nudges.catalogue import render
from api.nudges.models import Device, InboxMessage, Nudge
from api.nudges.providers import PushDevice, PushError, PushMessage, PushProvider
from api.profiles.kinds import inbox_only
from api.profiles.models import RecipientProfile

MAX_ATTEMPTS = 6
BASE_BACKOFF = timedelta(seconds=30)
JITTER = 0.25  # a retry waits between 75% and 100% of its backoff, so retries spread out
MAX_RETRY_AFTER = timedelta(hours=1)
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


def push_message(nudge: Nudge, title: str, body: str) -> PushMessage:
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
    devices: dict[object, list[Device]] = {}
    for device in session.scalars(
        select(Device)
        .where(Device.user_id.in_({n.user_id for n in nudges}))
        .order_by(Device.created_at, Device.id)
    ):
        devices.setdefault(device.user_id, []).append(device)
    # A person's choice per kind: some kinds to the inbox only (read now, so a change counts).
    prefs: dict[object, dict[str, object]] = {
        user_id: chosen or {}
        for user_id, chosen in session.execute(
            select(RecipientProfile.user_id, RecipientProfile.nudge_preferences).where(
                RecipientProfile.user_id.in_({n.user_id for n in nudges})
            )
        )
    }
    gone: set[str] = set()
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
                target_type=nudge.target_type,
                target_id=nudge.target_id,
                created_at=nudge.due_at,
                updated_at=now,
            )
            .on_conflict_do_nothing(index_elements=["nudge_id"])
        )
        reached = set(nudge.pushed_devices or [])
        todo = [
            d
            for d in devices.get(nudge.user_id, [])
            if str(d.id) not in reached and d.push_token not in gone
        ]
        pushed = (
            nudge.push
            and nudge.params.get("channel") != "inbox"  # an experiment's inbox-only arm
            and not inbox_only(prefs.get(nudge.user_id), nudge.kind)
        )
        if pushed and todo:
            by_token = {d.push_token: d for d in todo}
            try:
                outcome = provider.send(
                    [PushDevice(d.push_token, d.platform) for d in todo],
                    push_message(nudge, title, body),
                )
            except PushError as exc:  # the provider could not be asked at all
                _retry(nudge, now, str(exc), None, stats)
                continue
            reached |= {str(by_token[t].id) for t in outcome.delivered if t in by_token}
            nudge.pushed_devices = sorted(reached)
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
        nudge.delivered_at = now
        stats.delivered += 1
    if gone:
        result = session.execute(delete(Device).where(Device.push_token.in_(gone)))
        stats.devices_removed += getattr(result, "rowcount", 0) or 0
    session.flush()
    return stats


def _retry(
    nudge: Nudge, now: datetime, error: str, retry_after: float | None, stats: DispatchStats
) -> None:
    nudge.attempts += 1
    nudge.last_error = error[:300]
    if nudge.attempts >= MAX_ATTEMPTS:
        nudge.status = "dead"
        stats.dead += 1
    else:
        nudge.next_attempt_at = next_try(now, nudge.attempts, retry_after)
        stats.retried += 1
