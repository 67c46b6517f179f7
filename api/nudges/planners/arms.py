"""How a person's experiment arm shapes a nudge, and the exposure it leaves (see api.experiments).

An arm may only change how nudges are given: the framing of the words, a day and hour, inbox
only, a lower weekly cap, or a kind switched off. People who opted out, or whose arm stopped,
are not in `experiment_arms`: they get the municipality's current policy.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from api.experiments.service import ArmView, arms_for, log_exposures
from api.experiments.treatment import COACH_PROMPT_KIND, PERSON_KINDS
from api.nudges.outbox import Planned

# Kinds whose nudges count as exposure: the person's own, and the coach's prompt about them.
EXPERIMENT_KINDS = (*PERSON_KINDS, COACH_PROMPT_KIND)

__all__ = ["EXPERIMENT_KINDS", "experiment_arms", "exposure", "log_exposures", "shape"]


def experiment_arms(
    session: Session, kind: str, municipality_id: uuid.UUID
) -> dict[uuid.UUID, ArmView]:
    """People of this municipality in a running arm, for kinds an experiment may touch."""
    if kind not in EXPERIMENT_KINDS:
        return {}
    return arms_for(session, municipality_id=municipality_id)


def shape(nudge: Planned, kind: str, arm: ArmView | None, now: datetime) -> Planned:
    """The nudge as the person's arm gives it (unchanged for control and other kinds)."""
    if arm is None or kind not in PERSON_KINDS or nudge.drop_reason is not None:
        return nudge
    t = arm.treatment
    if kind in t.kinds_off:
        return replace(nudge, drop_reason="experiment")
    params = dict(nudge.params)
    if t.framing != "neutral":
        params["framing"] = t.framing
    if t.channel == "inbox":
        params["channel"] = "inbox"
    return replace(nudge, params=params, not_before=t.send_at(now), arm_cap=t.max_per_week)


def exposure(
    arm: ArmView, nudge: Planned, kind: str, outcome: str, now: datetime
) -> dict[str, Any]:
    """One exposure row: a nudge of the arm's strategy given, or withheld because of it."""
    return {
        "experiment_id": arm.experiment_id,
        "user_id": nudge.subject_id or nudge.user_id,
        "arm_id": arm.arm_id,
        "kind": kind,
        "period": nudge.period,
        "outcome": "given" if outcome == "created" else "withheld",
        "at": now,
    }
