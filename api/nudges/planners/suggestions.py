"""Planners that suggest opportunities: weekly picks, fresh ones, and a step up the ladder."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Integer, Row, String, any_, cast, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from api.core.time import local_date
from api.db import uuid_array
from api.feed.batch import audiences, rank_profiles
from api.matches.models import Match
from api.matches.status import MatchStatus
from api.nudges.clock import iso_week
from api.nudges.models import AlertedOpportunity, Nudge
from api.nudges.planners.queries import PERSON, already_shown, entered
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
Weekly = tuple[Row[Any], list[str], str | None]


def _weekly_who(session: Session, scope: Scope) -> list[Weekly]:
    """People whose weekday it is and who had no suggestions this week, with new top picks."""
    done = select(Nudge.id).where(
        Nudge.user_id == RecipientProfile.user_id,
        Nudge.kind == "weekly_suggestions",
        Nudge.period == iso_week(scope.now),
    )
    people = session.execute(
        select(*PERSON)
        .join(User, User.id == RecipientProfile.user_id)
        .where(
            RecipientProfile.municipality_id == scope.municipality_id,
            User.is_active.is_(True),
            _nudge_day() == local_date(scope.now).weekday(),
            ~done.exists(),
        )
    ).all()
    if not people:
        return []
    found = rank_profiles(
        session, municipality_id=scope.municipality_id, profiles=people, now=scope.now, k=10
    )
    table = found.table
    shown = already_shown(session, [p.user_id for p in people])
    weekly: list[Weekly] = []
    for p in people:
        told = shown[p.user_id]
        picks = [j for j in found.indices(p.user_id) if table.ids[j] not in told][:WEEKLY_PICKS]
        first = table.candidates[picks[0]].title if picks else None
        weekly.append((p, [table.ids[j] for j in picks], first))
    return weekly


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


# A new-opportunity alert: (person, the opportunity, its title)
Fresh = tuple[Row[Any], uuid.UUID, str]


def _fresh_who(session: Session, scope: Scope) -> list[Fresh]:
    """For each opportunity published in the last day and not looked at yet, the people it
    suits best, not yet told; it is marked as looked at, so later runs skip it."""
    fresh = session.execute(
        select(Opportunity.id, Opportunity.title)
        .where(
            Opportunity.municipality_id == scope.municipality_id,
            Opportunity.status == "published",
            Opportunity.published_at > scope.now - timedelta(days=1),
            Opportunity.published_at <= scope.now,
            ~select(AlertedOpportunity.opportunity_id)
            .where(AlertedOpportunity.opportunity_id == Opportunity.id)
            .exists(),
        )
        .order_by(Opportunity.published_at, Opportunity.id)
    ).all()
    if not fresh:
        return []
    session.execute(
        insert(AlertedOpportunity)
        .values([{"opportunity_id": oid, "planned_at": scope.now} for oid, _ in fresh])
        .on_conflict_do_nothing()
    )
    found = audiences(
        session,
        municipality_id=scope.municipality_id,
        opportunity_ids=[oid for oid, _ in fresh],
        now=scope.now,
        top_n=scope.policy.new_opportunity_top_n,
    )
    ids = list({a.recipient_id for people in found.values() for a in people})
    if not ids:
        return []
    people = {
        p.user_id: p
        for p in session.execute(
            select(*PERSON).where(RecipientProfile.user_id == any_(uuid_array(ids)))
        )
    }
    shown = already_shown(session, ids)
    return [
        (people[a.recipient_id], oid, title)
        for oid, title in fresh
        for a in found[oid]
        if str(oid) not in shown[a.recipient_id]
    ]


def _fresh_what(row: Fresh, scope: Scope) -> Planned:
    profile, oid, title = row
    params = {"name": profile.display_name, "title": title, "opportunity_ids": [str(oid)]}
    return Planned.for_person(profile, str(oid), params)


# Tell the few people for whom a just-published opportunity is among their best.
NEW_OPPORTUNITY = Planner("new_opportunity", _fresh_who, _fresh_what)


# Growth: (the match, the person, active since, the opportunity one step up, its title)
Growth = tuple[uuid.UUID, Row[Any], datetime, str, str]


def _growth_who(session: Session, scope: Scope) -> list[Growth]:
    """People active for N weeks without their suggestion yet, with a published step k+1."""
    active = entered(MatchStatus.ACTIVE)
    rows = session.execute(
        select(Match.id, active, *PERSON)
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
    found = rank_profiles(
        session,
        municipality_id=scope.municipality_id,
        profiles=list({row.user_id: row for row in rows}.values()),
        now=scope.now,
        k=50,
    )
    table = found.table
    ladder = table.ladder.tolist()
    growth: list[Growth] = []
    for row in rows:
        match_id, since = row[0], row[1]
        step = (row.ladder_step or 2) + 1
        up = next((j for j in found.indices(row.user_id) if ladder[j] == step), None)
        if up is not None:
            growth.append((match_id, row, since, table.ids[up], table.candidates[up].title))
    return growth


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
