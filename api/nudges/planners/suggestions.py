"""Planners that suggest opportunities: weekly picks, fresh ones, and a step up the ladder."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Integer, String, cast, func, select
from sqlalchemy.orm import Session

from api.core.time import local_date
from api.feed.batch import recipients_for_opportunity, top_k_for_profiles
from api.matches.models import Match
from api.matches.status import MatchStatus
from api.nudges.clock import iso_week
from api.nudges.models import Nudge
from api.nudges.planners.queries import already_shown, entered, titles
from api.nudges.planners.skeleton import Planned, Planner, Scope
from api.opportunities.models import Opportunity
from api.profiles.models import RecipientProfile
from api.users.models import User

WEEKLY_PICKS = 3


def _nudge_day() -> Any:
    """SQL: the weekday of a person's weekly suggestions: their choice, or spread over workdays."""
    return func.coalesce(
        RecipientProfile.nudge_preferences["day"].astext.cast(Integer),
        func.abs(func.hashtext(cast(RecipientProfile.user_id, String))) % 5,
    )


# Weekly suggestions: (person, the new top picks, title of the first)
Weekly = tuple[RecipientProfile, list[str], str | None]


def _weekly_who(session: Session, scope: Scope) -> list[Weekly]:
    """People whose weekday it is and who had no suggestions this week, with new top picks."""
    done = select(Nudge.id).where(
        Nudge.user_id == RecipientProfile.user_id,
        Nudge.kind == "weekly_suggestions",
        Nudge.period == iso_week(scope.now),
    )
    profiles = list(
        session.scalars(
            select(RecipientProfile)
            .join(User, User.id == RecipientProfile.user_id)
            .where(
                RecipientProfile.municipality_id == scope.municipality_id,
                User.is_active.is_(True),
                _nudge_day() == local_date(scope.now).weekday(),
                ~done.exists(),
            )
        )
    )
    if not profiles:
        return []
    ranked = top_k_for_profiles(
        session, municipality_id=scope.municipality_id, profiles=profiles, now=scope.now, k=10
    )
    shown = already_shown(session, [p.user_id for p in profiles])
    picks = {
        p.user_id: [
            r.candidate_id for r in ranked[p.user_id] if r.candidate_id not in shown[p.user_id]
        ][:WEEKLY_PICKS]
        for p in profiles
    }
    names = titles(session, {oid for chosen in picks.values() for oid in chosen})
    return [
        (p, picks[p.user_id], names[picks[p.user_id][0]] if picks[p.user_id] else None)
        for p in profiles
    ]


def _weekly_what(row: Weekly, scope: Scope) -> Planned:
    profile, chosen, first = row
    period = iso_week(scope.now)
    if not chosen:  # nothing new: remember that, so the next run does not rank again
        return Planned.for_person(profile, period, {}, drop_reason="nothing_new")
    params = {
        "name": profile.display_name,
        "count": len(chosen),
        "first": first,
        "opportunity_ids": chosen,
    }
    return Planned.for_person(profile, period, params)


# Up to 3 new top matches, on the person's own weekday, once per week.
WEEKLY_SUGGESTIONS = Planner("weekly_suggestions", _weekly_who, _weekly_what)


def _fresh_who(session: Session, scope: Scope) -> Iterator[tuple[RecipientProfile, Opportunity]]:
    """For each opportunity published in the last day, the people it suits best, not yet told."""
    fresh = list(
        session.scalars(
            select(Opportunity).where(
                Opportunity.municipality_id == scope.municipality_id,
                Opportunity.status == "published",
                Opportunity.published_at > scope.now - timedelta(days=1),
                Opportunity.published_at <= scope.now,
            )
        )
    )
    for opp in fresh:
        audience = recipients_for_opportunity(
            session, opportunity_id=opp.id, now=scope.now, top_n=scope.policy.new_opportunity_top_n
        )
        profiles = {
            p.user_id: p
            for p in session.scalars(
                select(RecipientProfile).where(
                    RecipientProfile.user_id.in_([a.recipient_id for a in audience])
                )
            )
        }
        shown = already_shown(session, list(profiles))
        for a in audience:
            if str(opp.id) not in shown[a.recipient_id]:
                yield profiles[a.recipient_id], opp


def _fresh_what(row: tuple[RecipientProfile, Opportunity], scope: Scope) -> Planned:
    profile, opp = row
    params = {"name": profile.display_name, "title": opp.title, "opportunity_ids": [str(opp.id)]}
    return Planned.for_person(profile, str(opp.id), params)


# Tell the few people for whom a just-published opportunity is among their best.
NEW_OPPORTUNITY = Planner("new_opportunity", _fresh_who, _fresh_what)


# Growth: (the match, the person, active since, the opportunity one step up, its title)
Growth = tuple[uuid.UUID, RecipientProfile, datetime, str, str]


def _growth_who(session: Session, scope: Scope) -> list[Growth]:
    """People active for N weeks without their suggestion yet, with a published step k+1."""
    active = entered(MatchStatus.ACTIVE)
    rows = session.execute(
        select(Match.id, RecipientProfile, active)
        .join(RecipientProfile, RecipientProfile.user_id == Match.recipient_id)
        .where(
            Match.municipality_id == scope.municipality_id,
            Match.status == MatchStatus.ACTIVE,
            active <= scope.now - timedelta(weeks=scope.policy.growth_after_weeks),
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
        return []
    profiles = {p.user_id: p for _, p, _ in rows}
    ranked = top_k_for_profiles(
        session,
        municipality_id=scope.municipality_id,
        profiles=list(profiles.values()),
        now=scope.now,
        k=50,
    )
    steps: dict[uuid.UUID, int] = {
        oid: step
        for oid, step in session.execute(
            select(Opportunity.id, Opportunity.ladder_step).where(
                Opportunity.municipality_id == scope.municipality_id,
                Opportunity.status == "published",
            )
        )
    }
    picks: dict[uuid.UUID, tuple[RecipientProfile, datetime, str]] = {}
    for match_id, profile, since in rows:
        step = profile.ladder_step or 2
        nxt = [
            r for r in ranked[profile.user_id] if steps.get(uuid.UUID(r.candidate_id)) == step + 1
        ]
        if nxt:
            picks[match_id] = (profile, since, nxt[0].candidate_id)
    names = titles(session, {oid for _, _, oid in picks.values()})
    return [(mid, p, since, oid, names[oid]) for mid, (p, since, oid) in picks.items()]


def _growth_what(row: Growth, scope: Scope) -> Planned:
    match_id, profile, since, oid, title = row
    params = {
        "name": profile.display_name,
        "weeks": (scope.now - since).days // 7,
        "title": title,
        "opportunity_ids": [oid],
    }
    return Planned.for_person(profile, str(match_id), params)


# After N weeks active at step k, an opportunity at step k+1, once per match.
GROWTH_SUGGESTION = Planner("growth_suggestion", _growth_who, _growth_what)
