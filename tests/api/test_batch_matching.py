"""Batch and reverse matching agree with the feed and find the right audience."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.feed.batch import distance_m, recipients_for_opportunity, top_k_for_profiles
from api.profiles.models import RecipientProfile
from tests.factories import (
    auth_headers,
    create_municipality,
    create_opportunity,
    create_profile,
    create_team,
    create_user,
)

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


def _profile(client, headers, **over) -> None:
    body = {
        "postcode": "1055",
        "availability": ["tue-morning"],
        "interests": ["koken"],
        "dutchLevel": "B1",
        "ladderStep": 2,
        "travelMode": "bike",
        "maxDistanceKm": 5,
        **over,
    }
    assert client.patch("/v1/me/profile", json=body, headers=headers).status_code == 200


def test_haversine_matches_postgis_sphere(session: Session) -> None:
    pg = session.execute(
        select(
            __import__("sqlalchemy").func.ST_Distance(
                __import__("sqlalchemy").text("'SRID=4326;POINT(4.85 52.38)'::geography"),
                __import__("sqlalchemy").text("'SRID=4326;POINT(5.12 52.09)'::geography"),
                False,
            )
        )
    ).scalar_one()
    assert abs(distance_m(52.38, 4.85, 52.09, 5.12) - pg) < 0.01


def test_batch_top_k_equals_the_feed(app, client, session: Session) -> None:
    m = create_municipality(session)
    team = create_team(session, municipality=m)
    team2 = create_team(session, municipality=m)
    for i in range(12):
        create_opportunity(
            session,
            team=team if i % 2 else team2,
            lat=52.375 + i * 0.002,
            lon=4.84 + i * 0.001,
            interests=["koken"] if i % 3 else ["tuinieren"],
            slots=["tue-morning"],
            kind="volunteer" if i % 4 else "informal_care",
            title=f"Klus {i}",
            ladder_step=2 + i % 3,
        )
    person = create_user(session, municipality=m, role="recipient")
    h = auth_headers(app, session, person)
    _profile(client, h, interests=["koken", "buurt"])
    feed = client.get("/v1/me/feed?limit=5", headers=h).get_json()["items"]
    profile = session.get(RecipientProfile, person.id)
    assert profile is not None
    batch = top_k_for_profiles(
        session, municipality_id=m.id, profiles=[profile], now=datetime.now(UTC), k=5
    )
    assert [r.candidate_id for r in batch[person.id]] == [i["opportunity"]["id"] for i in feed]
    assert [r.score for r in batch[person.id]] == [i["score"] for i in feed]


def test_reverse_matching_finds_people_for_whom_it_ranks_high(
    app, client, session: Session
) -> None:
    m = create_municipality(session)
    team = create_team(session, municipality=m)
    near_fit = create_user(session, municipality=m, role="recipient")
    far_away = create_user(session, municipality=m, role="recipient")
    wrong_time = create_user(session, municipality=m, role="recipient")
    busy_choice = create_user(session, municipality=m, role="recipient")
    _profile(client, auth_headers(app, session, near_fit))
    _profile(
        client,
        auth_headers(app, session, far_away),
        postcode="1102",
        travelMode="walk",
        maxDistanceKm=2,
    )
    _profile(client, auth_headers(app, session, wrong_time), availability=["sun-evening"])
    _profile(client, auth_headers(app, session, busy_choice), interests=["tuinieren"])
    # a garden job that suits busy_choice better than the new cooking job
    create_opportunity(
        session, team=team, lat=52.3805, lon=4.8505, interests=["tuinieren"], slots=["tue-morning"]
    )
    new = create_opportunity(
        session, team=team, lat=52.3830, lon=4.8520, interests=["koken"], slots=["tue-morning"]
    )
    audience = recipients_for_opportunity(session, opportunity_id=new.id, now=NOW, top_n=1)
    assert [a.recipient_id for a in audience] == [near_fit.id]
    wider = recipients_for_opportunity(session, opportunity_id=new.id, now=NOW, top_n=2)
    assert {a.recipient_id for a in wider} == {near_fit.id, busy_choice.id}


def test_feed_and_batch_measure_reach_the_same_way(app, client, session: Session) -> None:
    import math

    m = create_municipality(session)
    team = create_team(session, municipality=m)
    person = create_user(session, municipality=m, role="recipient")
    profile = create_profile(session, user=person, max_distance_km=2.0)
    # 1,998 m north on the sphere, but more than 2 km on the spheroid
    dlat = math.degrees(1998 / 6371008.7714)
    edge = create_opportunity(session, team=team, lat=52.38 + dlat, lon=4.85, slots=["tue-morning"])
    feed = client.get("/v1/me/feed", headers=auth_headers(app, session, person)).get_json()["items"]
    batch = top_k_for_profiles(
        session, municipality_id=m.id, profiles=[profile], now=datetime.now(UTC)
    )
    assert [i["opportunity"]["id"] for i in feed] == [str(edge.id)]
    assert [r.candidate_id for r in batch[person.id]] == [str(edge.id)]
