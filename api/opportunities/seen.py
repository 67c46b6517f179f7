"""One opportunity as a recipient sees it from home: the contract the feed fulfils.

The opportunities package sits below the feed (which ranks opportunities), so it cannot import
the feed. The app factory wires the feed's `explain` in as ``app.extensions["meedoen_explain"]``;
the detail route calls it through this protocol.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.orm import Session

from api.auth.security import Actor
from api.opportunities.models import Opportunity

EXTENSION = "meedoen_explain"


@dataclass(frozen=True)
class Seen:
    """How far from home, why it may suit the person, and the language of the reasons."""

    distance_km: float
    reasons: list[dict[str, str]]
    language: str


class Explainer(Protocol):
    """Distance and reasons exactly as the feed gives them; None when there is no home."""

    def __call__(
        self,
        session: Session,
        *,
        actor: Actor,
        opportunity: Opportunity,
        language: str | None = None,
    ) -> Seen | None:
        """See the protocol."""
        ...
