"""Scheduled planners: each decides who gets which nudge now; the outbox makes it once."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Integer, String, and_, cast, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from api.core.time import local_date
from api.feed.batch import recipients_for_opportunity, top_k_for_profiles
from api.matches.models import Match, MatchEvent
from api.matches.service import expire_stale_requests
from api.matches.status import MatchStatus
from api.municipalities.models import Municipality
from api.municipalities.policy import PolicySettings, load_policy
from api.nudges.clock import fortnight, iso_week
from api.nudges.models import Nudge
from api.nudges.outbox import PlanStats, enqueue
from api.opportunities.models import Opportunity
from api.profiles.models import RecipientProfile
from api.users.models import User

Planner = Callable[[Session, datetime, PlanStats], None]


def _first_name(name: str | None) -> str:
    return (name or "").split(" ")[0] or "daar"


def _municipalities(session: Session, kind: str) -> list[tuple[uuid.UUID, PolicySettings]]:
    out = []
    for mid in session.scalars(select(Municipality.id).order_by(Municipality.slug)):
        policy = load_policy(session, mid)
        if kind in policy.nudge_kinds:
            out.append((mid, policy))
    return out


def _nudge_day() -> Any:
    """SQL: the weekday of a person's weekly suggestions: their choice, or spread over workdays."""
    return func.coalesce(
        RecipientProfile.nudge_preferences["day"].astext.cast(Integer),
        func.abs(func.hashtext(cast(RecipientProfile.user_id, String))) % 5,
    )


def _already_shown(session: Session, user_ids: list[uuid.UUID]) -> dict[uuid.UUID, set[str]]:
    """Opportunities each person was already told about, in one query."""
    shown: dict[uuid.UUID, set[str]] = {u: set() for u in user_ids}
    if not user_ids:
        return shown
    rows = session.execute(
        select(
            Nudge.user_id, func.jsonb_array_elements_text(Nudge.params["opportunity_ids"])
        ).where(
            Nudge.user_id.in_(user_ids),
            Nudge.kind.in_(("weekly_suggestions", "new_opportunity", "growth_suggestion")),
            Nudge.status != "dropped",
        )
    )
    for uid, oid in rows:
        shown[uid].add(oid)
    return shown


def _titles(session: Session, ids: set[str]) -> dict[str, str]:
    if not ids:
        return {}
    rows = session.execute(
        select(Opportunity.id, Opportunity.title).where(
            Opportunity.id.in_([uuid.UUID(i) for i in ids])
        )
    )
    return {str(i): t for i, t in rows}


def plan_weekly_suggestions(session: Session, now: datetime, stats: PlanStats) -> None:
    """Up to 3 new top matches, on the person's own weekday, once per week."""
    today = local_date(now).weekday()
    period = iso_week(now)
    for mid, policy in _municipalities(session, "weekly_suggestions"):
        done = select(Nudge.id).where(
            Nudge.user_id == RecipientProfile.user_id,
            Nudge.kind == "weekly_suggestions",
            Nudge.period == period,
        )
        profiles = list(
            session.scalars(
                select(RecipientProfile)
                .join(User, User.id == RecipientProfile.user_id)
                .where(
                    RecipientProfile.municipality_id == mid,
                    User.is_active.is_(True),
                    _nudge_day() == today,
                    ~done.exists(),
                )
            )
        )
        if not profiles:
            continue
        ranked = top_k_for_profiles(session, municipality_id=mid, profiles=profiles, now=now, k=10)
        shown = _already_shown(session, [p.user_id for p in profiles])
        picks = {
            p.user_id: [r for r in ranked[p.user_id] if r.candidate_id not in shown[p.user_id]][:3]
            for p in profiles
        }
        titles = _titles(session, {r.candidate_id for rs in picks.values() for r in rs})
        for p in profiles:
            chosen = picks[p.user_id]
            if not chosen:  # nothing new: remember that, so the next run does not rank again
                session.execute(
                    insert(Nudge)
                    .values(
                        id=uuid.uuid4(),
                        municipality_id=mid,
                        user_id=p.user_id,
                        kind="weekly_suggestions",
                        period=period,
                        language=p.preferred_language,
                        params={},
                        status="dropped",
                        drop_reason="nothing_new",
                        due_at=now,
                        attempts=0,
                        created_at=now,
                    )
                    .on_conflict_do_nothing(index_elements=["user_id", "kind", "period"])
                )
                continue
            outcome = enqueue(
                session,
                policy=policy,
                municipality_id=mid,
                user_id=p.user_id,
                kind="weekly_suggestions",
                period=period,
                language=p.preferred_language,
                params={
                    "name": p.display_name,
                    "count": len(chosen),
                    "first": titles[chosen[0].candidate_id],
                    "opportunity_ids": [r.candidate_id for r in chosen],
                },
                now=now,
                prefs=p.nudge_preferences,
            )
            stats.add("weekly_suggestions", outcome)


def plan_new_opportunity_alerts(session: Session, now: datetime, stats: PlanStats) -> None:
    """Tell the few people for whom a just-published opportunity is among their best."""
    for mid, policy in _municipalities(session, "new_opportunity"):
        fresh = list(
            session.scalars(
                select(Opportunity).where(
                    Opportunity.municipality_id == mid,
                    Opportunity.status == "published",
                    Opportunity.published_at > now - timedelta(days=1),
                    Opportunity.published_at <= now,
                )
            )
        )
        for opp in fresh:
            audience = recipients_for_opportunity(
                session, opportunity_id=opp.id, now=now, top_n=policy.new_opportunity_top_n
            )
            profiles = {
                p.user_id: p
                for p in session.scalars(
                    select(RecipientProfile).where(
                        RecipientProfile.user_id.in_([a.recipient_id for a in audience])
                    )
                )
            }
            shown = _already_shown(session, list(profiles))
            for a in audience:
                p = profiles[a.recipient_id]
                if str(opp.id) in shown[p.user_id]:
                    continue
                outcome = enqueue(
                    session,
                    policy=policy,
                    municipality_id=mid,
                    user_id=p.user_id,
                    kind="new_opportunity",
                    period=str(opp.id),
                    language=p.preferred_language,
                    params={
                        "name": p.display_name,
                        "title": opp.title,
                        "opportunity_ids": [str(opp.id)],
                    },
                    now=now,
                    prefs=p.nudge_preferences,
                )
                stats.add("new_opportunity", outcome)


def _staff_language(_user: User) -> str:
    return "nl"


def plan_request_followups(session: Session, now: datetime, stats: PlanStats) -> None:
    """Coaches hear about requests waiting > N days; stale ones expire with a kind note."""
    for mid, policy in _municipalities(session, "request_waiting"):
        waiting = session.execute(
            select(Match, User, Opportunity.title)
            .join(User, User.id == Match.recipient_id)
            .join(Opportunity, Opportunity.id == Match.opportunity_id)
            .where(
                Match.municipality_id == mid,
                Match.status == MatchStatus.REQUESTED,
                Match.requested_at < now - timedelta(days=policy.request_waiting_days),
                Match.requested_at >= now - timedelta(days=policy.request_expiry_days),
                User.coach_id.is_not(None),
            )
        ).all()
        for match, person, title in waiting:
            days = (now - match.requested_at).days
            outcome = enqueue(
                session,
                policy=policy,
                municipality_id=mid,
                user_id=person.coach_id,
                kind="request_waiting",
                period=str(match.id),
                language="nl",
                params={"person": _first_name(person.name), "title": title, "days": days},
                now=now,
                capped=False,
            )
            stats.add("request_waiting", outcome)
    for mid, policy in _municipalities(session, "request_expired"):
        expired = expire_stale_requests(
            session, now=now, municipality_id=mid, days=policy.request_expiry_days
        )
        for match in expired:
            if match.recipient_id is None:  # erased: nobody to tell
                continue
            profile = session.get(RecipientProfile, match.recipient_id)
            title = session.scalar(
                select(Opportunity.title).where(Opportunity.id == match.opportunity_id)
            )
            outcome = enqueue(
                session,
                policy=policy,
                municipality_id=mid,
                user_id=match.recipient_id,
                kind="request_expired",
                period=str(match.id),
                language=profile.preferred_language if profile else "nl",
                params={
                    "name": profile.display_name if profile else "daar",
                    "title": title,
                    "days": policy.request_expiry_days,
                },
                now=now,
                capped=False,
            )
            stats.add("request_expired", outcome)


def _entered(status: str) -> Any:
    """When the outer match last entered `status` (correlated; uses the match_id index)."""
    return (
        select(func.max(MatchEvent.at))
        .where(MatchEvent.match_id == Match.id, MatchEvent.to_status == status)
        .correlate(Match)
        .scalar_subquery()
    )


def plan_approved_not_started(session: Session, now: datetime, stats: PlanStats) -> None:
    """Organisers hear when an approved person has not started after N days."""
    for mid, policy in _municipalities(session, "approved_not_started"):
        approved = _entered(MatchStatus.APPROVED)
        rows = session.execute(
            select(Match, Opportunity, RecipientProfile, approved)
            .join(Opportunity, Opportunity.id == Match.opportunity_id)
            .join(RecipientProfile, RecipientProfile.user_id == Match.recipient_id)
            .where(
                Match.municipality_id == mid,
                Match.status == MatchStatus.APPROVED,
                approved < now - timedelta(days=policy.approved_not_started_days),
            )
        ).all()
        for match, opp, person, at in rows:
            organisers = session.scalars(
                select(User.id).where(
                    User.team_id == opp.team_id, User.role == "organizer", User.is_active.is_(True)
                )
            )
            for organiser_id in organisers:
                outcome = enqueue(
                    session,
                    policy=policy,
                    municipality_id=mid,
                    user_id=organiser_id,
                    kind="approved_not_started",
                    period=str(match.id),
                    language="nl",
                    params={
                        "person": person.display_name,  # the name they chose to show
                        "title": opp.title,
                        "days": (now - at).days,
                    },
                    now=now,
                    capped=False,
                )
                stats.add("approved_not_started", outcome)


def plan_checkin_prompts(session: Session, now: datetime, stats: PlanStats) -> None:
    """Every N days (policy, default 14), people with an active match are asked how it goes."""
    for mid, policy in _municipalities(session, "checkin_prompt"):
        period = fortnight(now, policy.checkin_every_days)
        rows = session.execute(
            select(RecipientProfile, func.min(Opportunity.title))
            .join(Match, Match.recipient_id == RecipientProfile.user_id)
            .join(Opportunity, Opportunity.id == Match.opportunity_id)
            .where(Match.municipality_id == mid, Match.status == MatchStatus.ACTIVE)
            .group_by(RecipientProfile.user_id)
        ).all()
        for profile, title in rows:
            outcome = enqueue(
                session,
                policy=policy,
                municipality_id=mid,
                user_id=profile.user_id,
                kind="checkin_prompt",
                period=period,
                language=profile.preferred_language,
                params={"name": profile.display_name, "title": title},
                now=now,
                prefs=profile.nudge_preferences,
            )
            stats.add("checkin_prompt", outcome)


def plan_coach_digests(session: Session, now: datetime, stats: PlanStats) -> None:
    """Once a week per coach: who on the caseload has been quiet or stuck (not one per person)."""
    period = iso_week(now)
    for mid, policy in _municipalities(session, "coach_digest"):
        quiet_since = now - timedelta(weeks=policy.inactive_weeks)
        stalled_since = now - timedelta(days=30 * policy.ladder_stalled_months)
        last_event = (
            select(func.max(MatchEvent.at))
            .where(MatchEvent.actor_id == User.id)
            .correlate(User)
            .scalar_subquery()
        )
        rows = session.execute(
            select(User.coach_id, RecipientProfile.display_name)
            .join(RecipientProfile, RecipientProfile.user_id == User.id)
            .where(
                User.municipality_id == mid,
                User.role == "recipient",
                User.is_active.is_(True),
                User.coach_id.is_not(None),
                User.created_at < quiet_since,
                and_(
                    func.coalesce(last_event, User.created_at) < quiet_since,
                    func.coalesce(User.last_login_at, User.created_at) < quiet_since,
                )
                | (RecipientProfile.updated_at < stalled_since),
            )
            .order_by(User.coach_id, RecipientProfile.display_name)
        ).all()
        by_coach: dict[uuid.UUID, list[str]] = {}
        for coach_id, name in rows:
            by_coach.setdefault(coach_id, []).append(name)
        for coach_id, names in by_coach.items():
            shown = ", ".join(names[:5]) + (f" (+{len(names) - 5})" if len(names) > 5 else "")
            outcome = enqueue(
                session,
                policy=policy,
                municipality_id=mid,
                user_id=coach_id,
                kind="coach_digest",
                period=period,
                language="nl",
                params={"count": len(names), "people": shown},
                now=now,
                capped=False,
            )
            stats.add("coach_digest", outcome)


def plan_growth_suggestions(session: Session, now: datetime, stats: PlanStats) -> None:
    """After N weeks active at step k, an opportunity at step k+1, once per match."""
    for mid, policy in _municipalities(session, "growth_suggestion"):
        active = _entered(MatchStatus.ACTIVE)
        rows = session.execute(
            select(Match.id, RecipientProfile, active)
            .join(RecipientProfile, RecipientProfile.user_id == Match.recipient_id)
            .where(
                Match.municipality_id == mid,
                Match.status == MatchStatus.ACTIVE,
                active <= now - timedelta(weeks=policy.growth_after_weeks),
                ~select(Nudge.id)
                .where(
                    Nudge.user_id == Match.recipient_id,
                    Nudge.kind == "growth_suggestion",
                    Nudge.period == cast(Match.id, String),
                )
                .exists(),  # once per match: do not rank again those who had theirs
            )
        ).all()
        if not rows:
            continue
        profiles = {p.user_id: p for _, p, _ in rows}
        ranked = top_k_for_profiles(
            session, municipality_id=mid, profiles=list(profiles.values()), now=now, k=50
        )
        steps = dict(
            session.execute(
                select(Opportunity.id, Opportunity.ladder_step).where(
                    Opportunity.municipality_id == mid, Opportunity.status == "published"
                )
            ).all()
        )
        picks = {}
        for match_id, profile, since in rows:
            step = profile.ladder_step or 2
            nxt = [
                r
                for r in ranked[profile.user_id]
                if steps.get(uuid.UUID(r.candidate_id)) == step + 1
            ]
            if nxt:
                picks[match_id] = (profile, since, nxt[0].candidate_id)
        titles = _titles(session, {oid for _, _, oid in picks.values()})
        for match_id, (profile, since, oid) in picks.items():
            outcome = enqueue(
                session,
                policy=policy,
                municipality_id=mid,
                user_id=profile.user_id,
                kind="growth_suggestion",
                period=str(match_id),
                language=profile.preferred_language,
                params={
                    "name": profile.display_name,
                    "weeks": (now - since).days // 7,
                    "title": titles[oid],
                    "opportunity_ids": [oid],
                },
                now=now,
                prefs=profile.nudge_preferences,
            )
            stats.add("growth_suggestion", outcome)


PLANNERS: dict[str, Planner] = {
    "request_followups": plan_request_followups,
    "approved_not_started": plan_approved_not_started,
    "new_opportunity_alerts": plan_new_opportunity_alerts,
    "checkin_prompts": plan_checkin_prompts,
    "growth_suggestions": plan_growth_suggestions,
    "weekly_suggestions": plan_weekly_suggestions,
    "coach_digests": plan_coach_digests,
}
