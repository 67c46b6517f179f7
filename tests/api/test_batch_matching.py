"""Batch and reverse matching agree with the feed and find the right audience."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.feed.batch import (
    distance_m,
    engine_top_k_for_profiles,
    recipients_for_opportunity,
    top_k_for_profiles,
)
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
    r = client.patch("/v1/me/profile", json=body, headers=headers)
    assert r.status_code == 200, r.get_json()


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


def test_national_batch_equals_the_engine_per_person(
    app, client, session: Session, tmp_path
) -> None:
    """The compiled national batch gives every person the engine's top k, ids and scores."""
    from random import Random

    from api.feed.national import national_top_k

    rng = Random(5)
    m = create_municipality(session)
    teams = [create_team(session, municipality=m) for _ in range(3)]
    interests = ["koken", "tuinieren", "buurt", "dieren", "muziek"]
    slots = ["mon-morning", "tue-morning", "wed-afternoon", "thu-evening"]
    for i in range(40):
        create_opportunity(
            session,
            team=teams[i % 3],
            lat=52.36 + rng.uniform(-0.03, 0.03),
            lon=4.88 + rng.uniform(-0.05, 0.05),
            interests=rng.sample(interests, 2),
            slots=rng.sample(slots, 2),
            kind=("volunteer", "informal_care", "volunteer")[i % 3],
            title=f"Klus {i}",
            ladder_step=rng.randint(1, 5),
        )
    people = []
    for n in range(15):
        person = create_user(session, municipality=m, role="recipient")
        h = auth_headers(app, session, person)
        _profile(
            client,
            h,
            postcode=rng.choice(["1055", "1063", "1072", "1094", "1097"]),
            interests=rng.sample(interests, rng.randint(0, 3)),
            availability=rng.sample(slots, rng.randint(1, 3)),
            travelMode=("walk", "bike", "transit")[n % 3],
            maxDistanceKm=[2, 5, 10][n % 3],
            ladderStep=rng.randint(1, 5),
        )
        people.append(person)
    profiles = list(
        session.scalars(
            select(RecipientProfile).where(RecipientProfile.user_id.in_([p.id for p in people]))
        )
    )
    engine = engine_top_k_for_profiles(
        session, municipality_id=m.id, profiles=profiles, now=NOW, k=10
    )
    out = __import__("io").StringIO()
    timings = national_top_k(session, now=NOW, k=10, out=out, municipality_slug=m.slug)
    lines = [__import__("json").loads(line) for line in out.getvalue().splitlines()]
    assert timings.people == len(people) == len(lines)
    got = {
        line["recipientId"]: [(i["opportunityId"], i["score"]) for i in line["items"]]
        for line in lines
    }
    for person in people:
        expected = [(r.candidate_id, r.score) for r in engine[person.id]]
        assert got[str(person.id)] == expected
    assert sum(len(v) for v in got.values()) > 30  # most people get suggestions
    # A real file gets the bytes straight into its buffer, sequential or overlapped: same text.
    for overlap in (True, False):
        path = tmp_path / f"top-{overlap}.jsonl"
        with path.open("w", encoding="utf-8") as f:
            f.write("")  # something buffered in the text layer comes first, as written
            national_top_k(session, now=NOW, k=10, out=f, municipality_slug=m.slug, overlap=overlap)
        assert path.read_text(encoding="utf-8") == out.getvalue()
