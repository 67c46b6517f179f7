"""The nudge planners pick what the engine picks, now that they rank with the compiled matcher."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from random import Random
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.feed.batch import MAX_REACH_KM, engine_top_k_for_profiles, top_k_for_profiles
from api.matches.models import MatchEvent
from api.municipalities.policy import load_policy
from api.nudges.models import AlertedOpportunity, Nudge
from api.nudges.outbox import PlanStats
from api.nudges.planners import run_planners
from api.opportunities.models import Opportunity
from api.profiles.models import RecipientProfile
from api.users.models import User
from tests.factories import (
    create_match,
    create_municipality,
    create_opportunity,
    create_profile,
    create_team,
    create_user,
)

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # Wednesday, 10:00 in Amsterdam
INTERESTS = ["koken", "tuinieren", "buurt", "dieren", "muziek"]
SLOTS = ["mon-morning", "tue-morning", "wed-afternoon", "thu-evening"]


def plan(session: Session, name: str, now: datetime) -> PlanStats:
    stats = PlanStats.empty()
    run_planners(session, name, now=now, stats=stats)
    session.flush()
    return stats


@pytest.fixture()
def town(session: Session) -> dict[str, Any]:
    """A small generated municipality: 40 opportunities, 30 people (all due on Wednesday),
    open and recently declined matches, people active for 13 weeks, suggestions already told."""
    rng = Random(11)
    m = create_municipality(session)
    teams = [create_team(session, municipality=m) for _ in range(3)]
    opps = []
    for i in range(40):
        opp = create_opportunity(
            session,
            team=teams[i % 3],
            lat=52.37 + rng.uniform(-0.03, 0.03),
            lon=4.88 + rng.uniform(-0.05, 0.05),
            interests=rng.sample(INTERESTS, 2),
            slots=rng.sample(SLOTS, 2),
            kind=("volunteer", "informal_care", "volunteer", "language_course")[i % 4],
            teaches_level="B1" if i % 4 == 3 else None,
            title=f"Klus {i}",
            ladder_step=rng.randint(1, 5),
            capacity=10,
        )
        opp.published_at = NOW - timedelta(days=rng.randint(2, 60))
        opps.append(opp)
    people = []
    for n in range(30):
        user = create_user(session, municipality=m, role="recipient", name=f"Deelnemer {n}")
        create_profile(
            session,
            user=user,
            lat=52.37 + rng.uniform(-0.03, 0.03),
            lon=4.88 + rng.uniform(-0.05, 0.05),
            interests=rng.sample(INTERESTS, rng.randint(1, 3)),
            availability=rng.sample(SLOTS, rng.randint(1, 3)),
            ladder_step=rng.randint(1, 4),
            max_distance_km=[2.0, 5.0, 10.0][n % 3],
            dutch_level=rng.choice(["A2", "B1", "B2"]),
            nudge_preferences={"day": 2},
        )
        people.append(user)
    started = NOW - timedelta(weeks=13)
    for n, person in enumerate(people[:8]):  # active for 13 weeks: due a step up
        create_match(
            session,
            person=person,
            opportunity=opps[n],
            history=[
                ("requested", started - timedelta(days=2)),
                ("approved", started - timedelta(days=1)),
                ("active", started),
            ],
        )
    for n, person in enumerate(people[8:14]):  # an open request, or one declined lately
        history = [("requested", NOW - timedelta(days=2))]
        if n % 2:
            history.append(("declined", NOW - timedelta(days=1)))
        create_match(session, person=person, opportunity=opps[10 + n], history=history)
    for n, person in enumerate(people[14:20]):  # told about two opportunities last week
        session.add(
            Nudge(
                municipality_id=m.id,
                user_id=person.id,
                kind="weekly_suggestions",
                period="2026-W47",
                language="nl",
                params={"opportunity_ids": [str(opps[n].id), str(opps[20 + n].id)]},
                status="delivered",
                due_at=NOW - timedelta(days=7),
                attempts=0,
                created_at=NOW - timedelta(days=7),
            )
        )
    session.flush()
    return {"m": m, "teams": teams, "opps": opps, "people": people}


def _profiles(session: Session, m: Any) -> list[RecipientProfile]:
    return list(
        session.scalars(select(RecipientProfile).where(RecipientProfile.municipality_id == m.id))
    )


def _shown(session: Session, person_id: uuid.UUID) -> set[str]:
    return {
        oid
        for params in session.scalars(
            select(Nudge.params).where(Nudge.user_id == person_id, Nudge.status != "dropped")
        )
        for oid in params.get("opportunity_ids", ())
    }


def test_top_k_for_profiles_is_the_engines_top_k(session: Session, town) -> None:
    profiles = _profiles(session, town["m"])
    for k in (3, 10, 50):
        compiled = top_k_for_profiles(
            session, municipality_id=town["m"].id, profiles=profiles, now=NOW, k=k
        )
        engine = engine_top_k_for_profiles(
            session, municipality_id=town["m"].id, profiles=profiles, now=NOW, k=k
        )
        for p in profiles:
            got = [(r.candidate_id, r.score, r.distance_km) for r in compiled[p.user_id]]
            want = [(r.candidate_id, r.score, r.distance_km) for r in engine[p.user_id]]
            assert got == want
    assert sum(len(v) for v in engine.values()) > 100  # most people get suggestions


def test_weekly_and_growth_picks_are_the_engines(session: Session, town) -> None:
    m = town["m"]
    profiles = _profiles(session, m)
    before = {p.user_id: _shown(session, p.user_id) for p in profiles}
    top10 = engine_top_k_for_profiles(
        session, municipality_id=m.id, profiles=profiles, now=NOW, k=10
    )
    top50 = engine_top_k_for_profiles(
        session, municipality_id=m.id, profiles=profiles, now=NOW, k=50
    )
    steps = {str(o.id): o.ladder_step for o in town["opps"]}

    plan(session, "growth_suggestions", NOW)
    growth = {n.user_id: n.params["opportunity_ids"] for n in _nudges(session, "growth_suggestion")}
    want_growth = {}
    active = {u.id for u in town["people"][:8]}
    for p in profiles:
        up = [
            r.candidate_id
            for r in top50[p.user_id]
            if p.ladder_step is not None and steps[r.candidate_id] == p.ladder_step + 1
        ]
        if p.user_id in active and up:
            want_growth[p.user_id] = up[:1]
    assert growth == want_growth and len(growth) >= 3

    plan(session, "weekly_suggestions", NOW)
    weekly = {n.user_id: n for n in _nudges(session, "weekly_suggestions", period="2026-W48")}
    assert set(weekly) == {p.user_id for p in profiles}  # everyone due: a message or a note
    for p in profiles:
        told = before[p.user_id] | set(growth.get(p.user_id, ()))
        want = [r.candidate_id for r in top10[p.user_id] if r.candidate_id not in told][:3]
        got = weekly[p.user_id]
        assert got.params.get("opportunity_ids", []) == want
        assert (got.drop_reason == "nothing_new") == (not want)
    assert sum(1 for n in weekly.values() if n.status == "pending") >= 15


def _nudges(session: Session, kind: str, **where: Any) -> list[Nudge]:
    stmt = select(Nudge).where(Nudge.kind == kind)
    for key, value in where.items():
        stmt = stmt.where(getattr(Nudge, key) == value)
    return list(session.scalars(stmt))


def _engine_audience(session: Session, opp: Opportunity, now: datetime) -> set[uuid.UUID]:
    """Reverse matching as it was: people within reach with overlapping times, ranked by the
    engine one at a time, for whom the opportunity is in their top N (the policy's)."""
    top_n = load_policy(session, opp.municipality_id).new_opportunity_top_n
    here = select(Opportunity.location).where(Opportunity.id == opp.id).scalar_subquery()
    near = list(
        session.scalars(
            select(RecipientProfile)
            .join(User, User.id == RecipientProfile.user_id)
            .where(
                RecipientProfile.municipality_id == opp.municipality_id,
                User.is_active.is_(True),
                func.ST_DWithin(RecipientProfile.home_area, here, MAX_REACH_KM * 1000.0, False),
                func.ST_DWithin(
                    RecipientProfile.home_area, here, RecipientProfile.max_distance_km * 1000, False
                ),
                RecipientProfile.availability.overlap(list(opp.slots)),
            )
        )
    )
    ranked = engine_top_k_for_profiles(
        session, municipality_id=opp.municipality_id, profiles=near, now=now, k=top_n
    )
    return {uid for uid, rs in ranked.items() if str(opp.id) in [r.candidate_id for r in rs]}


def test_new_opportunity_alerts_reach_the_engines_audience_once(session: Session, town) -> None:
    fresh = town["opps"][30:34]
    for n, opp in enumerate(fresh):
        opp.published_at = NOW - timedelta(hours=2 + n)
    session.flush()
    want = {(uid, str(o.id)) for o in fresh for uid in _engine_audience(session, o, NOW)}
    assert len(want) >= 4

    first = plan(session, "new_opportunity_alerts", NOW)
    got = {(n.user_id, n.period) for n in _nudges(session, "new_opportunity")}
    assert got == want
    assert sum(first.created.values()) + sum(first.dropped.values()) == len(want)
    looked_at = set(session.scalars(select(AlertedOpportunity.opportunity_id)))
    assert {o.id for o in fresh} <= looked_at

    # Each opportunity is looked at once: later runs the same day do not rank for it again,
    # even where its audience has changed since (here: the messages are gone).
    for nudge in _nudges(session, "new_opportunity"):
        session.delete(nudge)
    session.flush()
    again = plan(session, "new_opportunity_alerts", NOW + timedelta(hours=1))
    assert again.created == {} and again.skipped_existing == 0
    assert _nudges(session, "new_opportunity") == []

    # One published after that run is looked at by the next one.
    later = town["opps"][35]
    later.published_at = NOW + timedelta(hours=1, minutes=30)
    session.flush()
    then = NOW + timedelta(hours=2)
    plan(session, "new_opportunity_alerts", then)
    got = {(n.user_id, n.period) for n in _nudges(session, "new_opportunity")}
    assert got == {(uid, str(later.id)) for uid in _engine_audience(session, later, then)}
    assert got


def test_coach_digest_counts_everyone_and_names_the_first_five(session: Session) -> None:
    m = create_municipality(session)
    coach = create_user(session, municipality=m, role="coach")
    names = ["Noor", "Bram", "Yara", "Ahmed", "Eva", "Lotte", "Daan"]
    ids = {}
    for name in names:
        person = create_user(session, municipality=m, role="recipient", name=name, coach=coach)
        create_profile(session, user=person)
        person.created_at = NOW - timedelta(weeks=10)
        ids[name] = str(person.id)
    session.flush()
    plan(session, "coach_digests", NOW)
    [digest] = _nudges(session, "coach_digest")
    assert digest.user_id == coach.id
    named = ["Ahmed", "Bram", "Daan", "Eva", "Lotte"]
    assert digest.params == {
        "count": 7,
        "people": "Ahmed, Bram, Daan, Eva, Lotte (+2)",
        "subjects": [ids[n] for n in named],  # the same people, in the same order
    }


def test_coach_digest_leaves_out_who_acted_lately(session: Session) -> None:
    m = create_municipality(session)
    team = create_team(session, municipality=m)
    opp = create_opportunity(session, team=team)
    coach = create_user(session, municipality=m, role="coach")
    people = {}
    for name in ("Anna", "Bert", "Cem"):
        person = create_user(session, municipality=m, role="recipient", name=name, coach=coach)
        create_profile(session, user=person)
        person.created_at = NOW - timedelta(weeks=10)
        people[name] = person
    # Bert asked for a match himself a week ago; Cem did two months ago and is quiet since.
    for name, days in (("Bert", 7), ("Cem", 60)):
        match = create_match(
            session,
            person=people[name],
            opportunity=opp,
            history=[("requested", NOW - timedelta(days=days))],
        )
        for event in session.scalars(select(MatchEvent).where(MatchEvent.match_id == match.id)):
            event.actor_id = people[name].id
    session.flush()
    plan(session, "coach_digests", NOW)
    [digest] = _nudges(session, "coach_digest")
    assert digest.params == {
        "count": 2,
        "people": "Anna, Cem",
        "subjects": [str(people["Anna"].id), str(people["Cem"].id)],
    }
