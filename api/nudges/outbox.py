"""Writing a nudge to the outbox: once per key, after quiet hours, within the weekly cap."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from api.municipalities.policy import PolicySettings
from api.nudges.clock import next_allowed, parse_hhmm, week_bounds
from api.nudges.models import Nudge


@dataclass
class PlanStats:
    """What one planning run did, per kind."""

    created: dict[str, int]
    dropped: dict[str, int]
    skipped_existing: int = 0

    @classmethod
    def empty(cls) -> PlanStats:
        return cls({}, {})

    def add(self, kind: str, outcome: str) -> None:
        if outcome == "noted":  # a note for the planner itself, not a message: not counted
            return
        if outcome == "created":
            self.created[kind] = self.created.get(kind, 0) + 1
        elif outcome == "withheld":  # by an experiment's arm: counted with the dropped
            self.dropped[kind] = self.dropped.get(kind, 0) + 1
        elif outcome == "existing":
            self.skipped_existing += 1
        else:
            self.dropped[kind] = self.dropped.get(kind, 0) + 1


def enqueue(
    session: Session,
    *,
    policy: PolicySettings,
    municipality_id: uuid.UUID,
    user_id: uuid.UUID,
    kind: str,
    period: str,
    language: str,
    params: dict[str, Any],
    now: datetime,
    prefs: dict[str, Any] | None = None,
    capped: bool = True,
    drop_reason: str | None = None,
    not_before: datetime | None = None,
    arm_cap: int | None = None,
) -> str:
    """Write one nudge if its key is new; 'created', 'existing', 'dropped', 'noted' or 'withheld'.

    With a `drop_reason` nothing is sent, the key is only taken ('noted'): e.g. a week with
    nothing new to suggest, so later runs do not look again. An experiment's arm may set a
    lower weekly cap (`arm_cap`: over it the nudge is 'withheld') and a day and hour
    (`not_before`); quiet hours apply after that.
    """
    prefs = prefs or {}
    noted = drop_reason is not None
    status, due_at = ("dropped" if noted else "pending"), now
    if not noted:
        if capped and prefs.get("paused"):
            status, drop_reason = "dropped", "paused"
        elif capped and _over_cap(session, user_id, now, policy, prefs):
            status, drop_reason = "dropped", "weekly_cap"
        elif (
            capped
            and arm_cap is not None
            and _over_cap(session, user_id, now, policy, {"max_per_week": arm_cap})
        ):
            status, drop_reason = "dropped", "experiment"
        quiet = prefs.get("quiet_hours") or {}
        start = parse_hhmm(quiet.get("start", policy.quiet_hours_start))
        end = parse_hhmm(quiet.get("end", policy.quiet_hours_end))
        due_at = next_allowed(max(now, not_before or now), start, end)
    row = session.execute(
        insert(Nudge)
        .values(
            id=uuid.uuid4(),
            municipality_id=municipality_id,
            user_id=user_id,
            kind=kind,
            period=period,
            language=language,
            params=params,
            status=status,
            drop_reason=drop_reason,
            due_at=due_at,
            attempts=0,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["user_id", "kind", "period"])
        .returning(Nudge.id)
    ).first()
    if row is None:
        return "existing"
    if status == "pending":
        return "created"
    if drop_reason == "experiment":
        return "withheld"
    return "noted" if noted else "dropped"


def _over_cap(
    session: Session,
    user_id: uuid.UUID,
    now: datetime,
    policy: PolicySettings,
    prefs: dict[str, Any],
) -> bool:
    """The person's own limit or the municipality's, whichever is lower, per local week."""
    limit = policy.max_nudges_per_week
    own = prefs.get("max_per_week")
    if own is not None:
        limit = min(limit, int(own))
    start, end = week_bounds(now)
    sent = session.scalar(
        select(func.count())
        .select_from(Nudge)
        .where(
            Nudge.user_id == user_id,
            Nudge.status != "dropped",
            Nudge.created_at >= start,
            Nudge.created_at < end,
        )
    )
    return (sent or 0) >= limit
