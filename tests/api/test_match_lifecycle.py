"""The lifecycle owns every step: allowed moves only, a history per step, places counted."""

from __future__ import annotations

import importlib.util
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.errors import Conflict
from api.matches.lifecycle import ALLOWED, transition
from api.matches.models import Match, MatchEvent
from api.matches.status import OPEN_STATUSES, TAKES_A_PLACE, MatchStatus
from api.municipalities.models import Municipality, Team
from api.opportunities.models import Opportunity
from tests.factories import (
    auth_headers,
    create_match,
    create_municipality,
    create_opportunity,
    create_profile,
    create_team,
    create_user,
)

NOW = datetime.now(UTC)


@pytest.fixture()
def w(app, session: Session) -> dict[str, Any]:
    m = create_municipality(session)
    team = create_team(session, municipality=m)
    coach = create_user(session, municipality=m, role="coach")
    org = create_user(session, municipality=m, role="organizer", team=team)
    people = [create_user(session, municipality=m, role="recipient", coach=coach) for _ in range(3)]
    for p in people:
        create_profile(session, user=p)
    opp = create_opportunity(session, team=team, capacity=2)
    return {
        "m": m,
        "opp": opp,
        "people": people,
        "ph": [auth_headers(app, session, p) for p in people],
        "ch": auth_headers(app, session, coach),
        "oh": auth_headers(app, session, org),
    }


def _taken(session: Session, opp: Opportunity) -> tuple[int, int]:
    """(the counter, the approved and active matches counted afresh)."""
    session.expire_all()
    counter = session.scalar(select(Opportunity.places_taken).where(Opportunity.id == opp.id))
    counted = session.scalar(
        select(func.count())
        .select_from(Match)
        .where(Match.opportunity_id == opp.id, Match.status.in_(TAKES_A_PLACE))
    )
    return int(counter or 0), int(counted or 0)


def test_the_database_check_and_open_index_are_built_from_the_vocabulary(session: Session) -> None:
    conn = session.connection()
    index = conn.exec_driver_sql(
        "select pg_get_indexdef('uq_matches_open_pair'::regclass)"
    ).scalar()
    check = conn.exec_driver_sql(
        "select pg_get_constraintdef(oid) from pg_constraint where conname = 'ck_matches_status'"
    ).scalar()
    assert index is not None and check is not None
    for status in MatchStatus:
        assert (f"'{status}'" in index) == (status in OPEN_STATUSES), status
        assert f"'{status}'" in check, status


def test_every_open_state_may_be_withdrawn_by_erasure_and_nothing_else_by_the_system() -> None:
    for status in OPEN_STATUSES:
        assert "system" in ALLOWED[(status, MatchStatus.WITHDRAWN)]
    system_steps = {k for k, roles in ALLOWED.items() if "system" in roles}
    assert system_steps == {
        *((s, MatchStatus.WITHDRAWN) for s in OPEN_STATUSES),
        (MatchStatus.REQUESTED, MatchStatus.APPROVED),  # auto-approve
        (MatchStatus.REQUESTED, MatchStatus.EXPIRED),
    }


def test_a_story_the_lifecycle_does_not_know_cannot_be_built(session: Session, w) -> None:
    person, opp = w["people"][0], w["opp"]
    with pytest.raises(Conflict):
        create_match(session, person=person, opportunity=opp, history=[("active", NOW)])
    match = create_match(session, person=person, opportunity=opp, history=[("requested", NOW)])
    with pytest.raises(Conflict):
        transition(session, match, MatchStatus.COMPLETED, role="organizer")
    with pytest.raises(Conflict):  # a coach may not withdraw for the person
        transition(session, match, MatchStatus.WITHDRAWN, role="coach")
    assert match.status == MatchStatus.REQUESTED


def test_every_step_that_takes_or_frees_a_place_moves_the_counter(
    client, session: Session, w
) -> None:
    opp, (a, b, c) = w["opp"], w["ph"]
    oid = str(opp.id)
    ids = []
    for h in (a, b, c):
        resp = client.post("/v1/me/matches", json={"opportunityId": oid}, headers=h)
        assert resp.status_code == 201
        ids.append(resp.get_json()["id"])
    assert _taken(session, opp) == (0, 0)
    for mid in ids[:2]:
        assert client.post(f"/v1/matches/{mid}/approve", headers=w["ch"]).status_code == 200
    assert _taken(session, opp) == (2, 2)
    assert client.post(f"/v1/matches/{ids[2]}/approve", headers=w["ch"]).status_code == 409
    # the listing shows no places left, and the opportunity leaves nobody's feed yet
    shown = client.get(f"/v1/opportunities/{oid}", headers=a).get_json()
    assert shown["capacity"] == 2 and shown["placesLeft"] == 0
    assert client.post(f"/v1/matches/{ids[0]}/confirm", headers=w["oh"]).status_code == 200
    assert _taken(session, opp) == (2, 2)  # started: still one place
    assert client.post(f"/v1/matches/{ids[0]}/complete", headers=w["oh"]).status_code == 200
    assert _taken(session, opp) == (1, 1)
    reject = client.post(
        f"/v1/matches/{ids[1]}/reject", json={"reason": "Geen plek meer"}, headers=w["oh"]
    )
    assert reject.status_code == 200
    assert _taken(session, opp) == (0, 0)
    listed = client.get("/v1/opportunities", headers=a).get_json()["items"]
    assert [o["placesLeft"] for o in listed if o["id"] == oid] == [2]
    assert client.post(f"/v1/matches/{ids[2]}/approve", headers=w["ch"]).status_code == 200
    assert _taken(session, opp) == (1, 1)
    # erasure withdraws the approved match through the lifecycle, as the system
    assert client.delete("/v1/me", headers=c).status_code == 204
    assert _taken(session, opp) == (0, 0)
    last = session.scalars(
        select(MatchEvent).where(MatchEvent.match_id == ids[2]).order_by(MatchEvent.at.desc())
    ).first()
    assert last is not None
    assert (last.from_status, last.to_status, last.actor_role) == (
        "approved",
        "withdrawn",
        "system",
    )


def test_withdrawal_frees_the_place_and_expiry_of_requests_takes_none(
    client, session: Session, w
) -> None:
    from api.matches.service import expire_stale_requests

    opp, person = w["opp"], w["people"][0]
    taken = create_match(
        session,
        person=person,
        opportunity=opp,
        history=[("requested", NOW - timedelta(days=3)), ("approved", NOW - timedelta(days=2))],
    )
    waiting = create_match(
        session,
        person=w["people"][1],
        opportunity=opp,
        history=[("requested", NOW - timedelta(days=30))],
    )
    assert _taken(session, opp) == (1, 1)
    expired = expire_stale_requests(session, now=NOW, municipality_id=w["m"].id, days=14)
    assert [m.id for m in expired] == [waiting.id]
    assert _taken(session, opp) == (1, 1)
    assert client.post(f"/v1/me/matches/{taken.id}/withdraw", headers=w["ph"][0]).status_code == 200
    assert _taken(session, opp) == (0, 0)


def test_the_migration_backfills_places_taken_from_existing_matches(session: Session, w) -> None:
    opp, (a, b, c) = w["opp"], w["people"]
    team = session.get(Team, opp.team_id)
    assert team is not None
    other = create_opportunity(session, team=team, title="Tuin")
    day = timedelta(days=1)
    create_match(
        session,
        person=a,
        opportunity=opp,
        history=[("requested", NOW - 3 * day), ("approved", NOW - 2 * day)],
    )
    create_match(
        session,
        person=b,
        opportunity=opp,
        history=[("requested", NOW - 3 * day), ("approved", NOW - 2 * day), ("active", NOW)],
    )
    create_match(session, person=c, opportunity=opp, history=[("requested", NOW)])
    create_match(
        session,
        person=c,
        opportunity=other,
        history=[("requested", NOW - 3 * day), ("approved", NOW - 2 * day), ("withdrawn", NOW)],
    )
    session.flush()
    conn = session.connection()
    conn.exec_driver_sql("ALTER TABLE opportunities DROP COLUMN places_taken")  # as before it
    path = next(Path("migrations/versions").glob("*_83f01aa78e88_*.py"))
    spec = importlib.util.spec_from_file_location("places_taken_migration", path)
    assert spec is not None and spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    with Operations.context(MigrationContext.configure(conn)):
        migration.upgrade()
    assert _taken(session, opp) == (2, 2)
    assert _taken(session, other) == (0, 0)


def test_demo_seed_plays_its_stories_through_the_lifecycle(app, session: Session) -> None:
    from seeds.demo import _MATCH_STORIES, load_demo

    load_demo(app)
    session.expire_all()
    demo = list(session.scalars(select(Municipality.id).where(Municipality.cbs_code.is_not(None))))
    assert demo
    matches = list(session.scalars(select(Match).where(Match.municipality_id.in_(demo))))
    assert len(matches) == len(_MATCH_STORIES) * len(demo)
    _assert_consistent(session, demo)
    load_demo(app)  # a second load finds what the first made
    session.expire_all()
    again = session.scalar(
        select(func.count()).select_from(Match).where(Match.municipality_id.in_(demo))
    )
    assert again == len(matches)
    _assert_consistent(session, demo)


def test_scale_seed_loads_histories_in_bulk_through_the_lifecycle(app, session: Session) -> None:
    from seeds.scale import SCALE_PREFIX, load_scale

    load_scale(app, recipients=400, opportunities=60, seed=7)
    session.expire_all()
    scale = list(
        session.scalars(select(Municipality.id).where(Municipality.slug.like(SCALE_PREFIX + "%")))
    )
    assert session.scalar(
        select(func.count()).select_from(Match).where(Match.municipality_id.in_(scale))
    )
    _assert_consistent(session, scale)


def _assert_consistent(session: Session, municipality_ids: list[Any]) -> None:
    """Counters agree with matches and stay within capacity; each history is an allowed path."""
    rows = session.execute(
        select(Opportunity.places_taken, Opportunity.capacity, func.count(Match.id))
        .outerjoin(
            Match, (Match.opportunity_id == Opportunity.id) & Match.status.in_(TAKES_A_PLACE)
        )
        .where(Opportunity.municipality_id.in_(municipality_ids))
        .group_by(Opportunity.id)
    ).all()
    assert rows and all(taken == counted <= capacity for taken, capacity, counted in rows)
    events: dict[Any, list[MatchEvent]] = {}
    for ev in session.scalars(
        select(MatchEvent)
        .join(Match, Match.id == MatchEvent.match_id)
        .where(Match.municipality_id.in_(municipality_ids))
        .order_by(MatchEvent.at, MatchEvent.id)
    ):
        events.setdefault(ev.match_id, []).append(ev)
    for match in session.scalars(select(Match).where(Match.municipality_id.in_(municipality_ids))):
        history = events[match.id]
        assert history[0].from_status is None
        for before, after in zip(history, history[1:], strict=False):
            assert after.from_status == before.to_status
            step = (MatchStatus(after.from_status), MatchStatus(after.to_status))
            assert after.actor_role in ALLOWED[step]
        assert history[-1].to_status == match.status
