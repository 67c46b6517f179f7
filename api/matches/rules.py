"""The municipality's policy around matches: daily cap, auto-approval, allowance warnings."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.auth.security import Actor
from api.core.time import AMSTERDAM
from api.errors import TooManyRequests
from api.i18n import Euros, Msg
from api.matches.lifecycle import lock_free_place, transition
from api.matches.models import Match
from api.matches.status import TAKES_A_PLACE, MatchStatus
from api.municipalities.policy import load_policy
from api.opportunities.models import Opportunity


def within_daily_cap(session: Session, actor: Actor, now: datetime) -> None:
    """A person may ask for a few opportunities a day; more is likely a mistake or abuse."""
    policy = load_policy(session, actor.municipality_id)
    local = now.astimezone(AMSTERDAM)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    today = (
        session.scalar(
            select(func.count())
            .select_from(Match)
            .where(Match.recipient_id == actor.user_id, Match.requested_at >= midnight)
        )
        or 0
    )
    if today >= policy.max_requests_per_day:
        tomorrow = midnight + timedelta(days=1)
        raise TooManyRequests(
            "You can ask for {count} opportunities a day. "
            "Try again tomorrow, or talk to your coach.",
            retry_after=int((tomorrow - local).total_seconds()),
            count=policy.max_requests_per_day,
        )


def auto_approve(session: Session, match: Match, opp: Opportunity, now: datetime) -> None:
    """Kinds the municipality approves without a coach (e.g. courses), while places last."""
    policy = load_policy(session, match.municipality_id)
    if opp.kind not in policy.auto_approve_kinds:
        return
    if lock_free_place(session, opp.id):
        transition(
            session,
            match,
            MatchStatus.APPROVED,
            role="system",
            now=now + timedelta(microseconds=1),  # just after the request, kept in order
            reason="approved by municipal policy",
        )


def _allowances_held(session: Session, recipient_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    """Per person, the monthly volunteer allowances (cents) of the places they hold now."""
    if not recipient_ids:
        return {}
    rows = session.execute(
        select(Match.recipient_id, func.coalesce(func.sum(Opportunity.monthly_allowance_cents), 0))
        .join(Opportunity, Opportunity.id == Match.opportunity_id)
        .where(Match.recipient_id.in_(recipient_ids), Match.status.in_(TAKES_A_PLACE))
        .group_by(Match.recipient_id)
    ).tuples()
    return {recipient: cents or 0 for recipient, cents in rows if recipient is not None}


def _cap_cents(session: Session, municipality_id: uuid.UUID) -> int:
    return int(load_policy(session, municipality_id).allowance_cap_eur_month * 100)


def _over_cap(opp: Opportunity, total_cents: int, cap_cents: int) -> bool:
    """The rule: an opportunity with an allowance brings the person's total above the cap."""
    return bool(opp.monthly_allowance_cents) and total_cents > cap_cents


def allowance_warnings(session: Session, match: Match, opp: Opportunity) -> list[dict[str, str]]:
    """Warn (never block) when volunteer allowances together pass the municipality's cap."""
    held = _allowances_held(session, [match.recipient_id] if match.recipient_id else [])
    total_cents = held.get(match.recipient_id, 0) if match.recipient_id else 0
    cap_cents = _cap_cents(session, match.municipality_id)
    if _over_cap(opp, total_cents, cap_cents):
        return [
            {
                "code": "allowance_over_cap",
                "text": Msg(
                    "Together the volunteer allowances come to {total} a month, above the cap "
                    "of {cap}. Check this with the person.",
                    total=Euros(total_cents / 100),
                    cap=Euros(cap_cents / 100),
                ),
            }
        ]
    return []


def allowance_previews(
    session: Session, *, actor: Actor, matches: list[Match]
) -> dict[uuid.UUID, dict[str, float]]:
    """Before the coach decides: which requests would, once approved, get allowance_warnings.

    Per match over the cap: the person's monthly total in euros with this one, and the cap.
    """
    waiting = [
        (m, person)
        for m in matches
        if (person := m.recipient_id) is not None
        and m.opportunity.monthly_allowance_cents
        and m.status not in TAKES_A_PLACE
    ]
    if not waiting:
        return {}
    cap_cents = _cap_cents(session, actor.municipality_id)
    held = _allowances_held(session, list({person for _, person in waiting}))
    out: dict[uuid.UUID, dict[str, float]] = {}
    for m, person in waiting:
        total = held.get(person, 0) + (m.opportunity.monthly_allowance_cents or 0)
        if _over_cap(m.opportunity, total, cap_cents):
            out[m.id] = {"total": total / 100, "cap": cap_cents / 100}
    return out
