"""Local time: every calendar day, week and quiet hour is Dutch wall time (DST-correct)."""

from __future__ import annotations

from datetime import date, datetime

# Defined once in the engine (which must not import api/); everything in api/ takes it here.
from matching.model import AMSTERDAM

__all__ = ["AMSTERDAM", "local_date"]


def local_date(moment: datetime) -> date:
    """The calendar day in the Netherlands."""
    return moment.astimezone(AMSTERDAM).date()
