"""Aggregate reports for a municipality; small cells are suppressed so nobody can be singled out."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from api.auth.security import Actor
from api.db import utcnow
from api.matches.status import MatchStatus

MIN_CELL = 10
FUNNEL_COLUMNS = (
    "with_profile",
    "requested",
    "approved",
    "active",
    "completed",
    "answered_did_it_help",
    "helped",
    "moved_up_ladder",
    "reached_step5",
    "with_agreed_step",
    "steps_done",
)

_FUNNEL_SQL = f"""
WITH months AS (
    SELECT generate_series(
        date_trunc('month', CAST(:now AS timestamptz) AT TIME ZONE 'Europe/Amsterdam')
            - make_interval(months => CAST(:months AS int) - 1),
        date_trunc('month', CAST(:now AS timestamptz) AT TIME ZONE 'Europe/Amsterdam'),
        interval '1 month') AS m
),
events AS (
    SELECT date_trunc('month', e.at AT TIME ZONE 'Europe/Amsterdam') AS m, e.to_status,
           coalesce(mt.recipient_id, mt.id) AS recipient_id  -- erased people count anonymously
    FROM match_events e JOIN matches mt ON mt.id = e.match_id
    WHERE mt.municipality_id = :mun
),
feedback AS (  -- "did it help?" answers, by the month they were given
    SELECT date_trunc('month', f.answered_at AT TIME ZONE 'Europe/Amsterdam') AS m, f.helped
    FROM match_feedback f JOIN matches mt ON mt.id = f.match_id
    WHERE mt.municipality_id = :mun
),
ladder AS (
    SELECT date_trunc('month', l.at AT TIME ZONE 'Europe/Amsterdam') AS m, l.user_id, l.step,
           lag(l.step) OVER (PARTITION BY l.user_id ORDER BY l.at, l.id) AS previous
    FROM ladder_entries l WHERE l.municipality_id = :mun
)
SELECT to_char(months.m, 'YYYY-MM') AS month,
    (SELECT count(*) FROM recipient_profiles p JOIN users u ON u.id = p.user_id
     WHERE p.municipality_id = :mun
       AND u.created_at AT TIME ZONE 'Europe/Amsterdam' < months.m + interval '1 month')
        AS with_profile,
    (SELECT count(DISTINCT recipient_id) FROM events
     WHERE events.m = months.m AND to_status = '{MatchStatus.REQUESTED}') AS requested,
    (SELECT count(DISTINCT recipient_id) FROM events
     WHERE events.m = months.m AND to_status = '{MatchStatus.APPROVED}') AS approved,
    (SELECT count(DISTINCT recipient_id) FROM events
     WHERE events.m = months.m AND to_status = '{MatchStatus.ACTIVE}') AS active,
    (SELECT count(DISTINCT recipient_id) FROM events
     WHERE events.m = months.m AND to_status = '{MatchStatus.COMPLETED}') AS completed,
    (SELECT count(*) FROM feedback WHERE feedback.m = months.m) AS answered_did_it_help,
    (SELECT count(*) FROM feedback WHERE feedback.m = months.m AND helped) AS helped,
    (SELECT count(DISTINCT user_id) FROM ladder
     WHERE ladder.m = months.m AND previous IS NOT NULL AND step > previous) AS moved_up_ladder,
    (SELECT count(DISTINCT user_id) FROM ladder
     WHERE ladder.m = months.m AND step >= 5) AS reached_step5,
    -- people with a step agreed and not yet closed at some moment of the month
    (SELECT count(DISTINCT coalesce(s.recipient_id, s.id)) FROM plan_steps s
     WHERE s.municipality_id = :mun
       AND s.agreed_at AT TIME ZONE 'Europe/Amsterdam' < months.m + interval '1 month'
       AND (coalesce(s.done_at, s.dropped_at) IS NULL
            OR coalesce(s.done_at, s.dropped_at) AT TIME ZONE 'Europe/Amsterdam' >= months.m))
        AS with_agreed_step,
    (SELECT count(*) FROM plan_steps s
     WHERE s.municipality_id = :mun AND s.done_at IS NOT NULL
       AND date_trunc('month', s.done_at AT TIME ZONE 'Europe/Amsterdam') = months.m)
        AS steps_done
FROM months ORDER BY months.m
"""  # noqa: S608 - only MatchStatus words are formatted in


def funnel(
    session: Session, *, actor: Actor, months: int = 12, now: datetime | None = None
) -> dict[str, Any]:
    """People per stage per month for the admin's municipality; cells under 10 are withheld."""
    rows = session.execute(
        text(_FUNNEL_SQL), {"mun": actor.municipality_id, "months": months, "now": now or utcnow()}
    ).mappings()
    out = []
    for row in rows:
        cells: dict[str, Any] = {"month": row["month"], "suppressed": []}
        for col in FUNNEL_COLUMNS:
            value = int(row[col])
            if value < MIN_CELL:
                cells[col] = None
                cells["suppressed"].append(col)
            else:
                cells[col] = value
        out.append(cells)
    return {"min_cell": MIN_CELL, "items": out}
