"""The coach's caseload: who needs attention now, computed from data in one query per page."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from api.audit.service import record, record_many
from api.auth.security import Actor
from api.core.paging import as_int, as_uuid, decode_cursor, encode_cursor
from api.core.time import local_date
from api.db import utcnow
from api.i18n import N_
from api.ladder.service import ladder_history, record_ladder
from api.matches.service import list_person_matches
from api.matches.status import MatchStatus, sql_in
from api.municipalities.policy import PolicySettings, load_policy
from api.plans import service as plans
from api.plans.status import StepStatus
from api.plans.status import sql_in as plan_sql_in
from api.profiles.models import RecipientProfile
from api.profiles.service import caseload_person
from api.progress.service import list_checkins


@dataclass(frozen=True)
class Flag:
    """An attention flag: its weight in `need`, when it holds, and the policy thresholds it uses.

    `condition` is SQL over the columns of the `facts` step below; `thresholds` gives the values
    of its bind parameters from the municipality's policy and the current time.
    """

    weight: int
    condition: str
    thresholds: Callable[[PolicySettings, datetime], dict[str, Any]] = lambda _policy, _now: {}


# Each flag once, in the order shown to the coach; the higher the weight, the sooner they need you.
FLAGS: dict[str, Flag] = {
    "request_waiting": Flag(
        5,
        "request_waiting_count > 0",
        lambda p, now: {"waiting_before": now - timedelta(days=p.request_waiting_days)},
    ),
    "wellbeing_dropping": Flag(
        4,
        """wellbeing IS NOT NULL AND (
            wellbeing[1] <= 2
            OR (cardinality(wellbeing) >= 3 AND (wellbeing[1] + wellbeing[2]) / 2.0
                <= (SELECT avg(v) FROM unnest(wellbeing[3:5]) v) - 1))""",
    ),
    "no_checkin_weeks": Flag(
        3,
        """active_since IS NOT NULL
         AND greatest(coalesce(last_checkin, active_since), active_since) < :checkin_before""",
        lambda p, now: {"checkin_before": now - timedelta(weeks=p.no_checkin_weeks)},
    ),
    "inactive_weeks": Flag(
        3,
        """greatest(created_at, coalesce(last_login_at, created_at),
                 coalesce(last_checkin, created_at), coalesce(last_event, created_at))
            < :inactive_before""",
        lambda p, now: {"inactive_before": now - timedelta(weeks=p.inactive_weeks)},
    ),
    "nudges_ignored": Flag(
        2,
        "recent_messages >= :ignored_count AND read_messages = 0",
        lambda p, now: {
            "nudges_since": now - timedelta(weeks=4),
            "ignored_count": p.nudges_ignored_count,
        },
    ),
    "ladder_stalled": Flag(
        2,
        """coalesce(ladder_step, 1) < 5 AND created_at < :stalled_before
         AND coalesce(last_ladder, created_at) < :stalled_before""",
        lambda p, now: {"stalled_before": now - timedelta(days=30 * p.ladder_stalled_months)},
    ),
    "step_late_weeks": Flag(
        3,
        "coalesce(first_agreed_due < :step_late_before, false)",
        lambda p, now: {"step_late_before": local_date(now) - timedelta(weeks=p.step_late_weeks)},
    ),
    "no_agreed_step": Flag(
        2,
        """agreed_steps = 0
         AND greatest(created_at, coalesce(last_step_change, created_at)) < :no_step_before""",
        lambda p, now: {"no_step_before": now - timedelta(weeks=p.no_agreed_step_weeks)},
    ),
    "new_on_caseload": Flag(
        1,
        "created_at >= :new_since",
        lambda p, now: {"new_since": now - timedelta(days=p.new_on_caseload_days)},
    ),
}


_SEP = ",\n        "
_FLAG_COLUMNS = _SEP.join(f"({flag.condition}) AS {name}" for name, flag in FLAGS.items())
_NEED = " + ".join(f"{flag.weight} * {name}::int" for name, flag in FLAGS.items())
_COUNTS = _SEP.join(f"count(*) FILTER (WHERE {name}) OVER () AS n_{name}" for name in FLAGS)
_ONLY_FLAG = "\n            ".join(f"WHEN '{name}' THEN {name}" for name in FLAGS)

# One statement for the page, the flags and the counts per flag (flag names are ours, never input).
_CASELOAD_SQL = f"""
WITH people AS (
    SELECT u.id, u.name, u.created_at, u.last_login_at,
           coalesce(p.display_name, split_part(u.name, ' ', 1)) AS display_name,
           p.ladder_step, p.updated_at AS profile_updated_at
    FROM users u
    LEFT JOIN recipient_profiles p ON p.user_id = u.id
    WHERE u.coach_id = :coach AND u.municipality_id = :mun
      AND u.role = 'recipient' AND u.is_active
),
facts AS (
    SELECT people.*,
           req.waiting AS request_waiting_count,
           act.active_since,
           ci.last_checkin,
           ev.last_event,
           lad.last_ladder,
           inb.recent AS recent_messages, inb.read AS read_messages,
           wb.w AS wellbeing,
           st.agreed AS agreed_steps, st.first_due AS first_agreed_due,
           st.last_change AS last_step_change
    FROM people
    LEFT JOIN LATERAL (
        SELECT count(*) AS waiting FROM matches m
        WHERE m.recipient_id = people.id AND {sql_in([MatchStatus.REQUESTED], "m.status")}
          AND m.requested_at < :waiting_before
    ) req ON true
    LEFT JOIN LATERAL (
        SELECT min(m.updated_at) AS active_since FROM matches m
        WHERE m.recipient_id = people.id AND {sql_in([MatchStatus.ACTIVE], "m.status")}
    ) act ON true
    LEFT JOIN LATERAL (
        SELECT max(c.created_at) AS last_checkin FROM checkins c WHERE c.user_id = people.id
    ) ci ON true
    LEFT JOIN LATERAL (
        SELECT max(e.at) AS last_event FROM match_events e WHERE e.actor_id = people.id
    ) ev ON true
    LEFT JOIN LATERAL (
        SELECT max(l.at) AS last_ladder FROM ladder_entries l WHERE l.user_id = people.id
    ) lad ON true
    LEFT JOIN LATERAL (
        SELECT count(*) AS recent, count(i.read_at) AS read FROM inbox_messages i
        WHERE i.user_id = people.id AND i.created_at >= :nudges_since AND i.created_at <= :now
    ) inb ON true
    LEFT JOIN LATERAL (
        SELECT array_agg(x.wellbeing ORDER BY x.date DESC, x.created_at DESC) AS w FROM (
            SELECT c.wellbeing, c.date, c.created_at FROM checkins c
            WHERE c.user_id = people.id ORDER BY c.date DESC, c.created_at DESC LIMIT 5
        ) x
    ) wb ON true
    LEFT JOIN LATERAL (
        SELECT count(*) FILTER (WHERE {plan_sql_in([StepStatus.AGREED], "s.status")}) AS agreed,
               min(s.due_on) FILTER (WHERE {plan_sql_in([StepStatus.AGREED], "s.status")})
                   AS first_due,
               -- the last time a step was agreed or closed (an open proposal is not a plan)
               max(greatest(s.agreed_at, s.done_at, s.dropped_at)) AS last_change
        FROM plan_steps s WHERE s.recipient_id = people.id
    ) st ON true
),
flagged AS (
    SELECT facts.*,
        {_FLAG_COLUMNS}
    FROM facts
),
scored AS (
    SELECT flagged.*,
        ({_NEED}) AS need,
        count(*) OVER () AS total,
        {_COUNTS}
    FROM flagged
)
SELECT * FROM scored
WHERE (CAST(:flag AS text) IS NULL OR (
        CASE CAST(:flag AS text)
            {_ONLY_FLAG}
        END))
  AND (CAST(:after_need AS int) IS NULL
       OR need < CAST(:after_need AS int)
       OR (need = CAST(:after_need AS int)
           AND (display_name, id) > (
               -- the cursor holds no name: look up the name of the last person shown
               coalesce((SELECT a.display_name FROM people a
                         WHERE a.id = CAST(:after_id AS uuid)), ''),
               CAST(:after_id AS uuid))))
ORDER BY need DESC, display_name, id
LIMIT :limit
"""  # noqa: S608


@dataclass(frozen=True)
class CaseloadPage:
    items: list[dict[str, Any]]
    next_cursor: str | None
    counts: dict[str, int]
    total: int


def caseload(
    session: Session,
    *,
    actor: Actor,
    flag: str | None = None,
    limit: int = 20,
    cursor: str | None = None,
    now: datetime | None = None,
) -> CaseloadPage:
    """The coach's own people with attention flags, most in need first (then by name)."""
    now = now or utcnow()
    policy = load_policy(session, actor.municipality_id)
    after = decode_cursor(cursor, as_int, as_uuid)
    params: dict[str, Any] = {
        "coach": actor.user_id,
        "mun": actor.municipality_id,
        "now": now,
        "flag": flag,
        "limit": limit + 1,
        "after_need": after[0] if after else None,
        "after_id": after[1] if after else None,
    }
    for definition in FLAGS.values():
        params.update(definition.thresholds(policy, now))
    rows = session.execute(text(_CASELOAD_SQL), params).mappings().all()
    page = rows[:limit]
    counts = {f: int(page[0][f"n_{f}"]) if page else 0 for f in FLAGS}
    items = [
        {
            "recipient_id": r["id"],
            "display_name": r["display_name"],
            "ladder_step": r["ladder_step"],
            "need": r["need"],
            "flags": [f for f in FLAGS if r[f]],
            "last_checkin_at": r["last_checkin"],
            "waiting_requests": r["request_waiting_count"],
        }
        for r in page
    ]
    record_many(
        session,
        actor=actor,
        subject_ids=[r["id"] for r in page],
        action="read",
        object_type="caseload_overview",
        purpose=N_("caseload overview (name, flags)"),
    )
    nxt = None
    if len(rows) > limit:
        # Only the need and the (pseudonymous) id: a cursor ends up in URLs and access logs.
        nxt = encode_cursor([int(page[-1]["need"]), str(page[-1]["id"])])
    total = int(page[0]["total"]) if page else 0
    return CaseloadPage(items, nxt, counts, total)


def person_detail(session: Session, *, actor: Actor, recipient_id: uuid.UUID) -> dict[str, Any]:
    """Profile, matches, check-ins, ladder and plan of one person; the read is audited."""
    person = caseload_person(session, actor=actor, recipient_id=recipient_id)
    profile = session.get(RecipientProfile, person.id)
    record(
        session,
        actor=actor,
        subject_id=person.id,
        action="read",
        object_type="caseload_person",
        object_id=str(person.id),
        purpose=N_("caseload follow-up"),
    )
    matches = list_person_matches(session, recipient_id=person.id, limit=50).items
    return {
        "recipient_id": person.id,
        "name": person.name,
        "profile": profile,
        "matches": matches,
        "checkins": list_checkins(session, user_id=person.id, limit=20).items,
        "ladder": ladder_history(session, user_id=person.id),
        "steps": plans.all_steps(session, user_id=person.id, now=utcnow()),
    }


def assess_ladder(
    session: Session, *, actor: Actor, recipient_id: uuid.UUID, step: int, note: str | None
) -> Any:
    """The coach's own assessment, kept apart from what the person reports."""
    person = caseload_person(
        session,
        actor=actor,
        recipient_id=recipient_id,
        action="create",
        object_type="ladder_assessment",
    )
    entry = record_ladder(
        session,
        user_id=person.id,
        municipality_id=person.municipality_id,
        step=step,
        source="coach",
        actor_id=actor.user_id,
        note=note,
    )
    # A rung reached may mean a step of the plan is done: the person is asked to confirm.
    plans.suggest_closures(session, now=utcnow(), user_ids=[person.id])
    record(
        session,
        actor=actor,
        subject_id=person.id,
        action="create",
        object_type="ladder_assessment",
        object_id=str(entry.id) if entry else None,
        purpose=N_("ladder assessment"),
    )
    return entry
