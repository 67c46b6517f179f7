"""Privacy's job: keep personal data no longer than each municipality's policy allows."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.municipalities.models import Municipality
from api.municipalities.policy import load_policy
from api.privacy.service import apply_retention


def enforce_retention(session: Session, *, now: datetime) -> dict[str, int]:
    """Remove old check-in notes and inactive accounts per municipality policy (nightly)."""
    total = {"notes_removed": 0, "accounts_erased": 0}
    for mid in session.scalars(select(Municipality.id)).all():
        policy = load_policy(session, mid)
        done = apply_retention(
            session,
            now=now,
            municipality_id=mid,
            note_days=policy.checkin_note_retention_days,
            inactive_days=policy.inactive_account_retention_days,
        )
        for key, value in done.items():
            total[key] += value
    return total
