"""A municipality's policy: stored overrides on top of defaults kept here in code."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from sqlalchemy.orm import Session

from api.municipalities.models import Policy


@dataclass(frozen=True)
class MatchingWeights:
    """How much each part of the fit counts (normalised by the engine)."""

    interest: float = 0.35
    distance: float = 0.25
    time: float = 0.15
    ladder: float = 0.10
    language: float = 0.05
    freshness: float = 0.10


@dataclass(frozen=True)
class PolicySettings:
    """Defaults that fit most municipalities; admins change them per municipality."""

    weights: MatchingWeights = field(default_factory=MatchingWeights)
    allowance_cap_eur_month: float = 210.0
    request_expiry_days: int = 14
    recent_decline_days: int = 90
    auto_approve_kinds: tuple[str, ...] = ()

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
            elif key == "auto_approve_kinds":
                value = tuple(value)
            values[key] = value
        return replace(base, **values)


def load_policy(session: Session, municipality_id: uuid.UUID) -> PolicySettings:
    """The effective policy of a municipality."""
    row = session.get(Policy, municipality_id)
    return PolicySettings.from_stored(row.settings if row else None)
