"""The municipality's policy around matches: daily cap, auto-approval, allowance warnings."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.auth.security import Actor
from api.core.time import AMSTERDAM
from api.errors import TooManyRequests
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
            f"You can ask for {policy.max_requests_per_day} opportunities a day. "
            "Try again tomorrow, or talk to your coach.",
            retry_after=int((tomorrow - local).total_seconds()),
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


def allowance_warnings(session: Session, match: Match, opp: Opportunity) -> list[dict[str, str]]:
    """Warn (never block) when volunteer allowances together pass the municipality's cap."""
    policy = load_policy(session, match.municipality_id)
    total_cents = (
        session.scalar(
            select(func.coalesce(func.sum(Opportunity.monthly_allowance_cents), 0))
            .join(Match, Match.opportunity_id == Opportunity.id)
            .where(Match.recipient_id == match.recipient_id, Match.status.in_(TAKES_A_PLACE))
        )
        or 0
    )
    cap_cents = int(policy.allowance_cap_eur_month * 100)
    if opp.monthly_allowance_cents and total_cents > cap_cents:
        return [
            {
                "code": "allowance_over_cap",
                "text": (
                    f"Together the volunteer allowances come to EUR {total_cents / 100:.2f} "
                    f"a month, above the cap of EUR {cap_cents / 100:.2f}."
                    " Check this with the person."
                ),
            }
        ]
    return []
