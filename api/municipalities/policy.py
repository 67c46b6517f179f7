"""A municipality's policy: stored overrides on top of defaults kept here in code."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from sqlalchemy.orm import Session

from api.municipalities.models import Policy
from matching.model import Weights

# Every kind of nudge the planners know; a municipality may switch each one off.
NUDGE_KINDS: tuple[str, ...] = (
    "weekly_suggestions",
    "new_opportunity",
    "request_waiting",
    "request_expired",
    "approved_not_started",
    "checkin_prompt",
    "coach_digest",
    "growth_suggestion",
    "step_due",
)


@dataclass(frozen=True)
class QuietHours:
    """Local wall times between which no push is sent (may wrap midnight), HH:MM."""

    start: str = "21:00"
    end: str = "08:00"


@dataclass(frozen=True)
class PolicySettings:
    """Defaults that fit most municipalities; admins change them per municipality."""

    weights: Weights = field(default_factory=Weights)  # the engine's defaults
    allowance_cap_eur_month: float = 210.0
    request_expiry_days: int = 14
    recent_decline_days: int = 90
    auto_approve_kinds: tuple[str, ...] = ()
    quiet_hours: QuietHours = field(default_factory=QuietHours)
    max_nudges_per_week: int = 2
    nudge_kinds: tuple[str, ...] = NUDGE_KINDS
    request_waiting_days: int = 3
    approved_not_started_days: int = 7
    checkin_every_days: int = 14
    inactive_weeks: int = 4
    ladder_stalled_months: int = 6
    growth_after_weeks: int = 12
    new_opportunity_top_n: int = 3
    no_checkin_weeks: int = 3
    nudges_ignored_count: int = 3
    new_on_caseload_days: int = 14
    checkin_note_retention_days: int = 365
    inactive_account_retention_days: int = 1095
    max_requests_per_day: int = 5
    step_due_days_before: int = 2
    step_late_weeks: int = 2
    no_agreed_step_weeks: int = 4

    @classmethod
    def from_stored(cls, stored: dict[str, Any] | None) -> PolicySettings:
        """Defaults, overridden by whatever the municipality stored."""
        stored = dict(stored or {})
        base = cls()
        known = {f.name for f in fields(cls)}
        values: dict[str, Any] = {}
        for key, value in stored.items():
            if key not in known:
                continue
            if key == "weights" and isinstance(value, dict):
                value = replace(
                    base.weights,
                    **{k: float(v) for k, v in value.items() if k in asdict(base.weights)},
                )
            elif key == "quiet_hours" and isinstance(value, dict):
                value = replace(
                    base.quiet_hours,
                    **{k: str(v) for k, v in value.items() if k in ("start", "end")},
                )
            elif key in ("auto_approve_kinds", "nudge_kinds"):
                value = tuple(value)
            values[key] = value
        return replace(base, **values)


def load_policy(session: Session, municipality_id: uuid.UUID) -> PolicySettings:
    """The effective policy of a municipality."""
    row = session.get(Policy, municipality_id)
    return PolicySettings.from_stored(row.settings if row else None)
