# ruff: noqa: S608 - SQL is built only from this module's own constant expressions and keys
"""Outcomes from what the product already knows, per person and per arm, in SQL set operations.

Each outcome is one SQL expression over a person row `a` (user_id, assigned_at, until,
base_step, base_wellbeing, base_paused): the window is from enrolment to the horizon (or now,
whichever comes first). Rates are booleans, means are numbers (NULL = no data for that person).
The same expressions give the baseline before start (the window then ends now).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from api.matches.status import MatchStatus


@dataclass(frozen=True)
class Outcome:
    key: str
    kind: str  # rate | mean
    sql: str
    unit: str  # for texts: "pp" (percentage points) or the unit of the mean


_LOCAL = "AT TIME ZONE 'Europe/Amsterdam'"
_IN_WINDOW_DATE = (
    f"c.user_id = a.user_id AND c.date >= CAST(a.assigned_at {_LOCAL} AS date) "
    f"AND c.date <= CAST(a.until {_LOCAL} AS date)"
)

OUTCOMES: dict[str, Outcome] = {
    o.key: o
    for o in (
        Outcome(
            "started_activity",
            "rate",
            "EXISTS (SELECT 1 FROM matches m JOIN match_events e ON e.match_id = m.id "
            f"WHERE m.recipient_id = a.user_id AND e.to_status = '{MatchStatus.ACTIVE}' "
            "AND e.at >= a.assigned_at AND e.at < a.until)",
            "pp",
        ),
        Outcome(
            "ladder_step_up",
            "rate",
            "EXISTS (SELECT 1 FROM ladder_entries l WHERE l.user_id = a.user_id "
            "AND l.at >= a.assigned_at AND l.at < a.until AND l.step > coalesce(a.base_step, 6))",
            "pp",
        ),
        Outcome(
            "hours_per_month",
            "mean",
            f"(SELECT coalesce(sum(c.hours), 0) FROM checkins c WHERE {_IN_WINDOW_DATE}) * 30.0 "
            "/ greatest(extract(epoch FROM a.until - a.assigned_at) / 86400.0, 7.0)",
            "hours",
        ),
        Outcome(
            "wellbeing_change",
            "mean",
            f"(SELECT c.wellbeing FROM checkins c WHERE {_IN_WINDOW_DATE} "
            "ORDER BY c.date DESC, c.created_at DESC LIMIT 1) - a.base_wellbeing",
            "points",
        ),
        Outcome(
            "started_paid_work",
            "rate",
            f"EXISTS (SELECT 1 FROM checkins c WHERE {_IN_WINDOW_DATE} "
            "AND 'started_paid_work' = ANY(c.steps_toward_work))",
            "pp",
        ),
        Outcome(
            "nudge_response",
            "rate",
            "EXISTS (SELECT 1 FROM inbox_messages i WHERE i.user_id = a.user_id "
            "AND i.nudge_id IS NOT NULL AND i.read_at >= a.assigned_at AND i.read_at < a.until)",
            "pp",
        ),
    )
}

# Guardrails: metric -> (outcome-like SQL, kind, breached when the arm's value is ...)
GUARDRAILS: dict[str, Outcome] = {
    o.key: o
    for o in (
        Outcome("opt_out", "rate", "a.opted_out", "pp"),
        Outcome(
            "nudge_mute",
            "rate",
            "(coalesce((SELECT (p.nudge_preferences ->> 'paused')::boolean "
            "FROM recipient_profiles p WHERE p.user_id = a.user_id), false) AND NOT a.base_paused)",
            "pp",
        ),
        Outcome("wellbeing_drop", "mean", OUTCOMES["wellbeing_change"].sql, "points"),
    )
}

# The enrolled people of one experiment, with their window and baseline.
_ENROLLED = """
SELECT x.user_id, x.arm_id, x.stratum, x.assigned_at,
       least(x.assigned_at + make_interval(days => :horizon), CAST(:now AS timestamptz)) AS until,
       x.opted_out_at IS NOT NULL AS opted_out,
       CAST(x.baseline ->> 'ladder_step' AS int) AS base_step,
       CAST(x.baseline ->> 'wellbeing' AS int) AS base_wellbeing,
       coalesce(CAST(x.baseline ->> 'paused' AS boolean), false) AS base_paused,
       EXISTS (SELECT 1 FROM experiment_exposures e
               WHERE e.experiment_id = x.experiment_id AND e.user_id = x.user_id) AS exposed
FROM experiment_assignments x WHERE x.experiment_id = :exp
"""


@dataclass(frozen=True)
class ArmCell:
    """One outcome in one arm: people with data, events (rates) or mean and sd (means)."""

    n: int
    events: int | None
    mean: float | None
    sd: float | None


def per_arm(
    session: Session,
    *,
    experiment_id: uuid.UUID,
    horizon_days: int,
    now: datetime,
    outcomes: list[str],
    guardrails: list[str] | None = None,
) -> dict[uuid.UUID, dict[str, Any]]:
    """Per arm: people, opt-outs, exposed, and one ArmCell per outcome and guardrail."""
    guardrails = guardrails or []
    parts = []
    for key in outcomes:
        parts.append(_agg(key, OUTCOMES[key].kind))
    for g in guardrails:
        parts.append(_agg(f"g_{g}", GUARDRAILS[g].kind))
    inner_cols = ", ".join(
        [f"({OUTCOMES[k].sql}) AS {k}" for k in outcomes]
        + [f"({GUARDRAILS[g].sql}) AS g_{g}" for g in guardrails]
    )
    sql = (
        f"WITH a AS ({_ENROLLED}), p AS (SELECT a.arm_id, a.opted_out, a.exposed"
        f"{', ' + inner_cols if inner_cols else ''} FROM a) "
        "SELECT p.arm_id, count(*) AS n, count(*) FILTER (WHERE p.opted_out) AS opted_out, "
        f"count(*) FILTER (WHERE p.exposed) AS exposed{', ' + ', '.join(parts) if parts else ''} "
        "FROM p GROUP BY p.arm_id"
    )
    rows = session.execute(
        text(sql), {"exp": experiment_id, "horizon": horizon_days, "now": now}
    ).mappings()
    out: dict[uuid.UUID, dict[str, Any]] = {}
    for row in rows:
        cells: dict[str, ArmCell] = {}
        for key, kind in [(k, OUTCOMES[k].kind) for k in outcomes] + [
            (f"g_{g}", GUARDRAILS[g].kind) for g in guardrails
        ]:
            cells[key] = _cell(row, key, kind)
        out[row["arm_id"]] = {
            "n": int(row["n"]),
            "opted_out": int(row["opted_out"]),
            "exposed": int(row["exposed"]),
            "cells": cells,
        }
    return out


def _agg(key: str, kind: str) -> str:
    if kind == "rate":
        return (
            f"count(p.{key}) AS {key}_n, count(*) FILTER (WHERE p.{key}) AS {key}_events, "
            f"NULL::float AS {key}_mean, NULL::float AS {key}_sd"
        )
    return (
        f"count(p.{key}) AS {key}_n, NULL::bigint AS {key}_events, "
        f"avg(p.{key})::float AS {key}_mean, stddev_samp(p.{key})::float AS {key}_sd"
    )


def _cell(row: Any, key: str, kind: str) -> ArmCell:
    n = int(row[f"{key}_n"])
    if kind == "rate":
        return ArmCell(n, int(row[f"{key}_events"]), None, None)
    mean, sd = row[f"{key}_mean"], row[f"{key}_sd"]
    return ArmCell(n, None, None if mean is None else float(mean), None if sd is None else sd)


def per_person(
    session: Session,
    *,
    experiment_id: uuid.UUID,
    horizon_days: int,
    now: datetime,
    outcomes: list[str],
) -> list[dict[str, Any]]:
    """One row per enrolled person (arm, stratum, opted out, exposed, outcomes): the export."""
    cols = ", ".join(f"({OUTCOMES[k].sql}) AS {k}" for k in outcomes)
    sql = (
        f"WITH a AS ({_ENROLLED}) SELECT a.user_id, a.arm_id, a.stratum, a.opted_out, "
        f"a.exposed{', ' + cols if cols else ''} FROM a ORDER BY a.user_id"
    )
    params = {"exp": experiment_id, "horizon": horizon_days, "now": now}
    return [dict(r) for r in session.execute(text(sql), params).mappings()]


# People of a municipality as of a moment, with what they were then (for enrolment, baseline).
PEOPLE_AT = """
SELECT u.id AS user_id, u.coach_id, p.preferred_language,
       coalesce((SELECT l.step FROM ladder_entries l WHERE l.user_id = u.id AND l.at <= :at
                 ORDER BY l.at DESC LIMIT 1), p.ladder_step) AS ladder_step,
       (SELECT c.wellbeing FROM checkins c WHERE c.user_id = u.id
          AND c.date <= CAST(CAST(:at AS timestamptz) AT TIME ZONE 'Europe/Amsterdam' AS date)
        ORDER BY c.date DESC, c.created_at DESC LIMIT 1) AS wellbeing,
       coalesce(CAST(p.nudge_preferences ->> 'paused' AS boolean), false) AS paused
FROM users u JOIN recipient_profiles p ON p.user_id = u.id
WHERE u.municipality_id = :mun AND u.role = 'recipient' AND u.is_active
"""


def baseline_rate(
    session: Session, *, user_ids: list[uuid.UUID], outcome: str, start: datetime, end: datetime
) -> tuple[int, float | None, float | None]:
    """The outcome over [start, end) among these people: (n with data, rate or mean, sd)."""
    if not user_ids:
        return 0, None, None
    o = OUTCOMES[outcome]
    sql = f"""
    WITH ppl AS ({PEOPLE_AT} AND u.id = ANY(:ids)),
    a AS (SELECT ppl.user_id, CAST(:at AS timestamptz) AS assigned_at,
                 CAST(:end AS timestamptz) AS until, ppl.ladder_step AS base_step,
                 ppl.wellbeing AS base_wellbeing, ppl.paused AS base_paused FROM ppl),
    v AS (SELECT ({o.sql}) AS v FROM a)
    SELECT count(v) AS n,
           {"avg(CAST(v AS int))::float" if o.kind == "rate" else "avg(v)::float"} AS m,
           {"NULL::float" if o.kind == "rate" else "stddev_samp(v)::float"} AS sd
    FROM v
    """
    mun = session.execute(
        text("SELECT municipality_id FROM users WHERE id = :id"), {"id": user_ids[0]}
    ).scalar_one()
    row = session.execute(text(sql), {"ids": user_ids, "at": start, "end": end, "mun": mun}).one()
    return int(row.n), row.m, row.sd
