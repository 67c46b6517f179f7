"""Privacy's job: keep personal data no longer than each municipality's policy allows."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.municipalities.models import Municipality
from api.municipalities.policy import load_policy
from api.privacy.erasure import erase_people, forget_old_replies, remove_old_notes, stale_accounts


def enforce_retention(session: Session, *, now: datetime) -> dict[str, int]:
    """Remove old check-in notes and inactive accounts per municipality policy (nightly).

    Who is due is found per municipality (each has its own periods); everyone due is then
    erased together, in a few statements however many they are.
    """
    notes = 0
    stale: list[uuid.UUID] = []
    for mid in session.scalars(select(Municipality.id).order_by(Municipality.id)).all():
        policy = load_policy(session, mid)
        notes += remove_old_notes(
            session, now=now, municipality_id=mid, days=policy.checkin_note_retention_days
        )
        stale += stale_accounts(
            session, now=now, municipality_id=mid, days=policy.inactive_account_retention_days
        )
    erase_people(session, user_ids=stale)
    forget_old_replies(session, now=now)
    return {"notes_removed": notes, "accounts_erased": len(stale)}
