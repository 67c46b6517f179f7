"""Writing a nudge to the outbox: once per key, after quiet hours, within the weekly cap."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, text
from sqlalchemy.orm import Session

from api.db import uuid_text
from api.municipalities.policy import PolicySettings
from api.nudges.catalogue import DEFAULT_LANGUAGE
from api.nudges.clock import next_allowed, parse_hhmm, week_bounds
from api.nudges.targets import nudge_target
from api.profiles.models import RecipientProfile


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


@dataclass(frozen=True)
class Planned:
    """One nudge a planner wants written; the outbox decides whether and when it goes out."""

    user_id: uuid.UUID
    period: str
    params: dict[str, Any]
    language: str = DEFAULT_LANGUAGE  # staff have no language of their own
    prefs: dict[str, Any] | None = None  # the person's own nudge preferences (cap, pause, quiet)
    drop_reason: str | None = None  # only take the key, send nothing (e.g. nothing new)
    # An experiment's arm (api/nudges/planners/arms.py): whom it is about when not the
    # addressee, a day and hour not to send before, and a lower weekly cap.
    subject_id: uuid.UUID | None = None
    not_before: datetime | None = None
    arm_cap: int | None = None

    @classmethod
    def for_person(
        cls, profile: RecipientProfile | Row[Any], period: str, params: dict[str, Any], **more: Any
    ) -> Planned:
        """A nudge to a person (a profile, or a row with its columns): their language and prefs."""
        return cls(
            profile.user_id,
            period,
            params,
            profile.preferred_language,
            profile.nudge_preferences,
            **more,
        )


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
) -> str:
    """Write one nudge if its key is new; 'created', 'existing', 'dropped' or 'noted'.

    With a `drop_reason` nothing is sent, the key is only taken ('noted'): e.g. a week with
    nothing new to suggest, so later runs do not look again.
    """
    nudge = Planned(user_id, period, params, language, prefs, drop_reason)
    [outcome] = enqueue_many(
        session,
        policy=policy,
        municipality_id=municipality_id,
        kind=kind,
        planned=[nudge],
        now=now,
        capped=capped,
    )
    return outcome


def enqueue_many(
    session: Session,
    *,
    policy: PolicySettings,
    municipality_id: uuid.UUID,
    kind: str,
    planned: Sequence[Planned],
    now: datetime,
    capped: bool = True,
) -> list[str]:
    """`enqueue` for many nudges of one kind, in order, with a few queries instead of a few each.

    The same outcomes as one `enqueue` after another: a key already taken (or taken earlier in
    the list) is 'existing'; the weekly cap counts what was sent this week plus what this list
    created before.
    """
    outcomes: list[str | None] = [None] * len(planned)
    taken = _taken(session, kind, planned)
    start, end = week_bounds(now)
    counted = {
        n.user_id
        for n in planned
        if capped and n.drop_reason is None and not (n.prefs or {}).get("paused")
    }
    sent = _sent_between(session, counted, start, end)
    rows: list[tuple[Any, ...]] = []
    where: list[int] = []  # index in `planned` of each row
    for i, nudge in enumerate(planned):
        key = (nudge.user_id, nudge.period)
        if key in taken:
            outcomes[i] = "existing"
            continue
        taken.add(key)
        prefs = nudge.prefs or {}
        drop_reason = nudge.drop_reason
        noted = drop_reason is not None
        status, due_at = ("dropped" if noted else "pending"), now
        if not noted:
            if capped and prefs.get("paused"):
                status, drop_reason = "dropped", "paused"
            elif capped and sent.get(nudge.user_id, 0) >= _limit(policy, prefs):
                status, drop_reason = "dropped", "weekly_cap"
            elif (
                capped
                and nudge.arm_cap is not None
                and sent.get(nudge.user_id, 0) >= min(_limit(policy, prefs), nudge.arm_cap)
            ):
                status, drop_reason = "dropped", "experiment"
            quiet = prefs.get("quiet_hours") or {}
            q_start = parse_hhmm(quiet.get("start", policy.quiet_hours.start))
            q_end = parse_hhmm(quiet.get("end", policy.quiet_hours.end))
            due_at = next_allowed(max(now, nudge.not_before or now), q_start, q_end)
        if status == "pending":
            sent[nudge.user_id] = sent.get(nudge.user_id, 0) + 1
        outcomes[i] = (
            "created"
            if status == "pending"
            else "withheld"
            if drop_reason == "experiment"
            else "noted"
            if noted
            else "dropped"
        )
        where.append(i)
        rows.append(
            (nudge.user_id, nudge.period, nudge.language, nudge.params, status, drop_reason, due_at)
        )
    if rows:
        written = _insert(session, municipality_id=municipality_id, kind=kind, now=now, rows=rows)
        for i, (user_id, period, *_) in zip(where, rows, strict=True):
            if (user_id, period) not in written:  # taken meanwhile elsewhere
                outcomes[i] = "existing"
    return [o or "existing" for o in outcomes]


# Many rows in one statement as one JSON document: short to send, fast to encode and to parse
# (a VALUES list per row, a statement per row, or an array per column cost more).
_INSERT = text(
    "insert into nudges (id, municipality_id, user_id, kind, period, language, params, status,"
    " drop_reason, due_at, attempts, created_at, target_type, target_id)"
    " select gen_random_uuid(), :mid, r.user_id, :kind, r.period, r.language, r.params,"
    " r.status, r.drop_reason, r.due_at, 0, :now, r.target_type, r.target_id"
    " from json_to_recordset(cast(:rows as json)) as r(user_id uuid, period text,"
    " language text, params jsonb, status text, drop_reason text, due_at timestamptz,"
    " target_type text, target_id text)"
    " on conflict (user_id, kind, period) do nothing"
    " returning user_id, period"
)
# Both look each person up in the unique index, one by one (a scalar subquery is never turned
# into a join): a join the planner could choose instead goes wrong inside a planning run, whose
# own new rows the table's statistics do not know yet (a nested loop over "1 row" that were
# thousands took 30 s in one municipality).
_TAKEN = text(
    "select k.user_id, k.period"
    " from json_to_recordset(cast(:keys as json)) as k(user_id uuid, period text)"
    " where (select 1 from nudges n"
    "  where n.user_id = k.user_id and n.kind = :kind and n.period = k.period) is not null"
)
_SENT = text(
    "select k.user_id, (select count(*) from nudges n"
    "  where n.user_id = k.user_id and n.channel = 'nudge' and n.status <> 'dropped'"
    "  and n.created_at >= :start and n.created_at < :end) as sent"
    " from unnest(string_to_array(:users, ',')::uuid[]) as k(user_id)"
)


def _insert(
    session: Session,
    *,
    municipality_id: uuid.UUID,
    kind: str,
    now: datetime,
    rows: list[tuple[Any, ...]],
) -> set[tuple[uuid.UUID, str]]:
    """Write the rows (user, period, language, params, status, drop reason, due) unless their
    key is taken; the keys written."""
    doc = json.dumps(
        [
            {
                "user_id": str(user_id),
                "period": period,
                "language": language,
                "params": params,
                "status": status,
                "drop_reason": drop_reason,
                "due_at": due_at.isoformat(),
                "target_type": target.type,
                "target_id": target.id,
            }
            for user_id, period, language, params, status, drop_reason, due_at in rows
            for target in [nudge_target(kind, period)]
        ]
    )
    written = session.execute(
        _INSERT, {"mid": municipality_id, "kind": kind, "now": now, "rows": doc}
    )
    return {(u, p) for u, p in written}


def _taken(session: Session, kind: str, planned: Sequence[Planned]) -> set[tuple[uuid.UUID, str]]:
    """Which of these keys exist already, in one query."""
    if not planned:
        return set()
    keys = json.dumps([{"user_id": str(n.user_id), "period": n.period} for n in planned])
    return {(u, p) for u, p in session.execute(_TAKEN, {"keys": keys, "kind": kind})}


def _sent_between(
    session: Session, user_ids: set[uuid.UUID], start: datetime, end: datetime
) -> dict[uuid.UUID, int]:
    """Per person, the nudges not dropped that were created in [start, end), in one query."""
    if not user_ids:
        return {}
    rows = session.execute(_SENT, {"users": uuid_text(user_ids), "start": start, "end": end})
    return {u: int(c) for u, c in rows if c}


def _limit(policy: PolicySettings, prefs: dict[str, Any]) -> int:
    """The person's own limit or the municipality's, whichever is lower, per local week."""
    limit = policy.max_nudges_per_week
    own = prefs.get("max_per_week")
    if own is not None:
        limit = min(limit, int(own))
    return limit
