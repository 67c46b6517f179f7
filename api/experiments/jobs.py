"""The experiments' scheduled work: enrol newcomers, apply guardrails, stop at the planned end."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from api.experiments.service import run_due


def run_experiments(session: Session, *, now: datetime) -> dict[str, Any]:
    """Every running experiment as of `now` (api.scheduler runs it before the planners)."""
    return run_due(session, now=now)
