"""The whole path: publish -> feed -> interest -> approve -> confirm, and every refusal."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.matches.models import Match
from api.profiles.models import RecipientProfile
from tests.factories import (
    auth_headers,
    create_municipality,
    create_opportunity,
    create_team,
    create_user,
)

HOME = (52.3800, 4.8500)  # PC4 1055, Bos en Lommer


@pytest.fixture()
def w(app, client, session: Session) -> dict[str, Any]:
    m = create_municipality(session)
    other = create_municipality(session)
    team = create_team(session, municipality=m, name="Buurtteam West")
    team2 = create_team(session, municipality=m, name="Andere club")
    coach = create_user(session, municipality=m, role="coach")
    coach2 = create_user(session, municipality=m, role="coach")
    person = create_user(
        session, municipality=m, role="recipient", name="Fatima Benali", coach=coach
    )
    person2 = create_user(
        session, municipality=m, role="recipient", name="Piet Jansen", coach=coach
    )
    stranger = create_user(session, municipality=m, role="recipient", coach=coach2)
    org = create_user(session, municipality=m, role="organizer", team=team)
    org2 = create_user(session, municipality=m, role="organizer", team=team2)
    foreign_coach = create_user(session, municipality=other, role="coach")
    users = {
        "coach": coach,
        "coach2": coach2,
        "person": person,
        "person2": person2,
        "stranger": stranger,
        "org": org,
        "org2": org2,
        "foreign_coach": foreign_coach,
    }
    h = {k: auth_headers(app, session, u) for k, u in users.items()}
    for who in ("person", "person2", "stranger"):
        resp = client.patch(
            "/v1/me/profile",
            json={
                "postcode": "1055",
                "availability": ["tue-morning", "thu-afternoon"],
                "interests": ["koken", "tuinieren"],
                "dutchLevel": "B1",
                "ladderStep": 2,
                "travelMode": "bike",
                "maxDistanceKm": 5,
                "sharedContact": "06-11112222" if who == "person" else None,
            },
            headers=h[who],
        )
        assert resp.status_code == 200, resp.get_json()
    return {"m": m, "team": team, "team2": team2, "h": h, **users}


def _publish(client, h, **over: Any) -> str:
    body = {
        "kind": "volunteer",
        "title": "Koken in buurthuis De Meevaart",
        "description": "Samen koken voor buren. Ervaring is niet nodig.",
        "address": "Bos en Lommerweg 100, Amsterdam",
        "location": {"lat": 52.3850, "lon": 4.8520},
        "interests": ["koken"],
        "slots": ["tue-morning"],
        "capacity": 2,
        "ladderStep": 3,
        "notReplacingPaidWork": True,
        **over,
    }
    oid = client.post("/v1/opportunities", json=body, headers=h).get_json()["id"]
    assert client.post(f"/v1/opportunities/{oid}/publish", headers=h).status_code == 200
    return oid


def test_whole_path_from_publish_to_active(client, session: Session, w) -> None:
    h = w["h"]
    oid = _publish(client, h["org"])
    feed = client.get("/v1/me/feed", headers=h["person"])
    assert feed.status_code == 200
    items = feed.get_json()["items"]
    mine = next(i for i in items if i["opportunity"]["id"] == oid)
    assert 0 < mine["score"] <= 1
    assert mine["distanceKm"] == pytest.approx(0.6, abs=0.3)
    texts = " | ".join(r["text"] for r in mine["reasons"])
    assert "km van huis" in texts and "dinsdagochtend" in texts and "koken" in texts
    assert {r["code"] for r in mine["reasons"]} >= {"distance", "time_slot", "interest"}

    interest = client.post(
        "/v1/me/matches",
        json={"opportunityId": oid, "message": "Ik kook graag!"},
        headers={**h["person"], "Idempotency-Key": "tap-1"},
    )
    assert interest.status_code == 201, interest.get_json()
    match = interest.get_json()
    assert match["status"] == "requested" and match["reasons"] and match["score"]
    retry = client.post(
        "/v1/me/matches",
        json={"opportunityId": oid, "message": "Ik kook graag!"},
        headers={**h["person"], "Idempotency-Key": "tap-1"},
    )
    assert retry.status_code == 201 and retry.get_json()["id"] == match["id"]
    assert (
        session.scalar(
            select(func.count()).select_from(Match).where(Match.recipient_id == w["person"].id)
        )
        == 1
    )
    # the feed no longer offers what is already asked for
    assert oid not in [
        i["opportunity"]["id"]
        for i in client.get("/v1/me/feed", headers=h["person"]).get_json()["items"]
    ]

    queue = client.get("/v1/matches?status=requested", headers=h["coach"]).get_json()["items"]
    assert [q["id"] for q in queue] == [match["id"]]
    assert client.get("/v1/matches?status=requested", headers=h["coach2"]).get_json()["items"] == []
    # organisers see nobody before the coach approved
    assert (
        client.get(f"/v1/opportunities/{oid}/matches", headers=h["org"]).get_json()["items"] == []
    )

    approved = client.post(f"/v1/matches/{match['id']}/approve", headers=h["coach"])
    assert approved.status_code == 200
    assert approved.get_json()["status"] == "approved" and approved.get_json()["warnings"] == []

    cands = client.get(f"/v1/opportunities/{oid}/matches", headers=h["org"])
    assert cands.status_code == 200
    assert cands.get_json()["items"] == [
        {
            "id": match["id"],
            "matchId": match["id"],  # the old name, kept for older apps
            "status": "approved",
            "firstName": "Fatima",
            "contact": "06-11112222",
        }
    ]
    assert "@" not in cands.get_data(as_text=True)

    active = client.post(f"/v1/matches/{match['id']}/confirm", headers=h["org"])
    assert active.status_code == 200 and active.get_json()["status"] == "active"
    mine = client.get("/v1/me/matches", headers=h["person"]).get_json()["items"][0]
    assert [e["toStatus"] for e in mine["history"]] == ["requested", "approved", "active"]
    assert [e["actorRole"] for e in mine["history"]] == ["recipient", "coach", "organizer"]
    done = client.post(f"/v1/matches/{match['id']}/complete", headers=h["org"])
    assert done.get_json()["status"] == "completed"


def test_suggestion_then_interest_is_one_match(client, w) -> None:
    h = w["h"]
    oid = _publish(client, h["org"])
    sug = client.post(
        f"/v1/caseload/{w['person'].id}/suggestions",
        json={"opportunityId": oid, "note": "Dit past bij je"},
        headers=h["coach"],
    )
    assert sug.status_code == 201 and sug.get_json()["status"] == "suggested"
    assert sug.get_json()["coachNote"] == "Dit past bij je"
    req = client.post("/v1/me/matches", json={"opportunityId": oid}, headers=h["person"])
    assert req.status_code == 201
    assert req.get_json()["id"] == sug.get_json()["id"]
    assert [e["toStatus"] for e in req.get_json()["history"]] == ["suggested", "requested"]
    # not on the coach's caseload, or another municipality: 404
    assert (
        client.post(
            f"/v1/caseload/{w['stranger'].id}/suggestions",
            json={"opportunityId": oid},
            headers=h["coach"],
        ).status_code
        == 404
    )
    assert (
        client.post(
            f"/v1/caseload/{w['person2'].id}/suggestions",
            json={"opportunityId": oid},
            headers=h["foreign_coach"],
        ).status_code
        == 404
    )


def test_refusals(client, w) -> None:
    h = w["h"]
    oid = _publish(client, h["org"])
    mid = client.post(
        "/v1/me/matches", json={"opportunityId": oid}, headers=h["person"]
    ).get_json()["id"]
    # twice interested: 409
    assert (
        client.post("/v1/me/matches", json={"opportunityId": oid}, headers=h["person"]).status_code
        == 409
    )
    # wrong role: 403
    assert client.post(f"/v1/matches/{mid}/approve", headers=h["person"]).status_code == 403
    assert client.post(f"/v1/matches/{mid}/approve", headers=h["org"]).status_code == 403
    # someone else's coach, or another municipality: 404
    assert client.post(f"/v1/matches/{mid}/approve", headers=h["coach2"]).status_code == 404
    assert client.post(f"/v1/matches/{mid}/approve", headers=h["foreign_coach"]).status_code == 404
    # another person cannot withdraw it
    assert client.post(f"/v1/me/matches/{mid}/withdraw", headers=h["person2"]).status_code == 404
    # organisers cannot act before approval (they cannot even see it)
    assert client.post(f"/v1/matches/{mid}/confirm", headers=h["org"]).status_code == 404
    # decline needs a reason
    no_reason = client.post(f"/v1/matches/{mid}/decline", json={}, headers=h["coach"])
    assert (
        no_reason.status_code == 400
        and no_reason.get_json()["invalidParams"][0]["name"] == "reason"
    )
    assert client.post(f"/v1/matches/{mid}/approve", headers=h["coach"]).status_code == 200
    # wrong state: 409
    again = client.post(f"/v1/matches/{mid}/approve", headers=h["coach"])
    assert again.status_code == 409 and again.content_type == "application/problem+json"
    assert (
        client.post(
            f"/v1/matches/{mid}/decline", json={"reason": "Toch niet"}, headers=h["coach"]
        ).status_code
        == 409
    )
    # other team's organiser: 404
    assert client.post(f"/v1/matches/{mid}/confirm", headers=h["org2"]).status_code == 404
    assert client.get(f"/v1/opportunities/{oid}/matches", headers=h["org2"]).status_code == 404
    rej = client.post(
        f"/v1/matches/{mid}/reject", json={"reason": "Geen plek op dinsdag"}, headers=h["org"]
    )
    assert rej.status_code == 200 and rej.get_json()["status"] == "rejected"
    # the organiser's answer says nothing about the person; the person sees the reason
    assert set(rej.get_json()) == {"id", "status", "opportunity", "updatedAt"}
    mine = client.get("/v1/me/matches", headers=h["person"]).get_json()["items"][0]
    assert mine["decisionReason"] == "Geen plek op dinsdag"
    assert client.post(f"/v1/me/matches/{mid}/withdraw", headers=h["person"]).status_code == 409
    # unknown opportunity, draft, paused
    assert (
        client.post(
            "/v1/me/matches",
            json={"opportunityId": "00000000-0000-4000-8000-000000000000"},
            headers=h["person"],
        ).status_code
        == 404
    )


def test_full_opportunity_refuses_approval(client, w) -> None:
    h = w["h"]
    oid = _publish(client, h["org"], capacity=1)
    m1 = client.post("/v1/me/matches", json={"opportunityId": oid}, headers=h["person"]).get_json()[
        "id"
    ]
    m2 = client.post(
        "/v1/me/matches", json={"opportunityId": oid}, headers=h["person2"]
    ).get_json()["id"]
    assert client.post(f"/v1/matches/{m1}/approve", headers=h["coach"]).status_code == 200
    full = client.post(f"/v1/matches/{m2}/approve", headers=h["coach"])
    assert full.status_code == 409
    assert full.get_json()["detail"] == "Deze activiteit is vol."  # Dutch by default
    # a full opportunity leaves the feed of others
    feed = client.get("/v1/me/feed", headers=h["stranger"]).get_json()["items"]
    assert oid not in [i["opportunity"]["id"] for i in feed]
    # the place comes free when the first person withdraws
    assert client.post(f"/v1/me/matches/{m1}/withdraw", headers=h["person"]).status_code == 200
    assert client.post(f"/v1/matches/{m2}/approve", headers=h["coach"]).status_code == 200


def test_allowance_over_cap_warns_the_coach(client, session: Session, w) -> None:
    h = w["h"]
    a = _publish(client, h["org"], monthlyAllowanceEur=150)
    b = _publish(client, h["org"], monthlyAllowanceEur=100, title="Tuinieren bij de moestuin")
    ma = client.post("/v1/me/matches", json={"opportunityId": a}, headers=h["person"]).get_json()[
        "id"
    ]
    mb = client.post("/v1/me/matches", json={"opportunityId": b}, headers=h["person"]).get_json()[
        "id"
    ]
    assert client.post(f"/v1/matches/{ma}/approve", headers=h["coach"]).get_json()["warnings"] == []
    second = client.post(f"/v1/matches/{mb}/approve", headers=h["coach"]).get_json()
    assert second["status"] == "approved"
    assert [x["code"] for x in second["warnings"]] == ["allowance_over_cap"]
    assert second["warnings"][0]["text"] == (  # in the coach's language, amounts as it writes them
        "Samen komen de vrijwilligersvergoedingen op €\xa0250,00 per maand. Dat is meer dan het "
        "maximum van €\xa0210,00. Bespreek dit met de persoon."
    )


def test_feed_in_english_and_incomplete_profile(app, client, session: Session, w) -> None:
    h = w["h"]
    oid = _publish(client, h["org"])
    client.patch("/v1/me/profile", json={"preferredLanguage": "en"}, headers=h["person"])
    items = client.get("/v1/me/feed", headers=h["person"]).get_json()["items"]
    mine = next(i for i in items if i["opportunity"]["id"] == oid)
    texts = " | ".join(r["text"] for r in mine["reasons"])
    assert "km from home" in texts and "Tuesday morning" in texts and "cooking" in texts
    # the app's Accept-Language wins over the profile's language
    dutch = client.get("/v1/me/feed", headers={**h["person"], "Accept-Language": "nl"})
    assert dutch.headers["Content-Language"] == "nl"
    mine = next(i for i in dutch.get_json()["items"] if i["opportunity"]["id"] == oid)
    assert "km van huis" in " | ".join(r["text"] for r in mine["reasons"])
    newcomer = create_user(session, municipality=w["m"], role="recipient", coach=w["coach"])
    empty = client.get("/v1/me/feed", headers=auth_headers(app, session, newcomer)).get_json()
    assert empty == {"items": [], "nextCursor": None, "profileComplete": False}


def test_feed_respects_distance_slots_and_kind_and_paginates(client, session: Session, w) -> None:
    team = w["team"]
    near = [
        create_opportunity(
            session,
            team=team,
            lat=52.382 + i * 0.001,
            lon=4.852,
            slots=["tue-morning"],
            title=f"Dichtbij {i}",
        )
        for i in range(5)
    ]
    create_opportunity(
        session, team=team, lat=52.60, lon=4.85, slots=["tue-morning"], title="Te ver"
    )
    create_opportunity(
        session, team=team, lat=52.382, lon=4.852, slots=["sun-evening"], title="Verkeerde tijd"
    )
    course = create_opportunity(
        session,
        team=team,
        lat=52.383,
        lon=4.853,
        kind="language_course",
        teaches_level="B2",
        min_dutch_level="B1",
        slots=["thu-afternoon"],
        title="NT2 B2",
    )
    h = w["h"]["person"]
    seen, cursor = [], None
    for _ in range(10):
        page = client.get(
            "/v1/me/feed?limit=2" + (f"&cursor={cursor}" if cursor else ""), headers=h
        ).get_json()
        seen += [i["opportunity"]["title"] for i in page["items"]]
        cursor = page["nextCursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted([o.title for o in near] + [course.title])
    only = client.get("/v1/me/feed?kind=language_course", headers=h).get_json()["items"]
    assert [i["opportunity"]["title"] for i in only] == ["NT2 B2"]
    bad = client.get("/v1/me/feed?kind=job", headers=h)
    assert bad.status_code == 400


def test_organiser_sees_no_profile_fields(client, session: Session, w) -> None:
    h = w["h"]
    oid = _publish(client, h["org"])
    mid = client.post(
        "/v1/me/matches", json={"opportunityId": oid}, headers=h["person2"]
    ).get_json()["id"]
    client.post(f"/v1/matches/{mid}/approve", headers=h["coach"])
    item = client.get(f"/v1/opportunities/{oid}/matches", headers=h["org"]).get_json()["items"][0]
    assert set(item) == {"id", "matchId", "status", "firstName", "contact"}
    assert item["id"] == item["matchId"]
    assert item["contact"] is None  # Piet chose not to share a contact
    profile = session.get(RecipientProfile, w["person2"].id)
    assert profile is not None and profile.postcode_area
    assert profile.postcode_area not in str(item)


def test_capacity_cannot_drop_below_places_taken(client, w) -> None:
    h = w["h"]
    oid = _publish(client, h["org"], capacity=2)
    for who in ("person", "person2"):
        mid = client.post("/v1/me/matches", json={"opportunityId": oid}, headers=h[who]).get_json()[
            "id"
        ]
        assert client.post(f"/v1/matches/{mid}/approve", headers=h["coach"]).status_code == 200
    assert (
        client.patch(f"/v1/opportunities/{oid}", json={"capacity": 1}, headers=h["org"]).status_code
        == 409
    )
    assert (
        client.patch(f"/v1/opportunities/{oid}", json={"capacity": 3}, headers=h["org"]).status_code
        == 200
    )


def test_policy_can_auto_approve_a_kind_while_places_last(app, client, session: Session, w) -> None:
    from api.municipalities.models import Policy

    policy = session.get(Policy, w["m"].id)
    assert policy is not None
    policy.settings = {"auto_approve_kinds": ["language_course"]}
    session.flush()
    h = w["h"]
    course = _publish(
        client,
        h["org"],
        kind="language_course",
        teachesLevel="B2",
        minDutchLevel="B1",
        capacity=1,
        title="NT2 B2 in de bibliotheek",
    )
    first = client.post(
        "/v1/me/matches", json={"opportunityId": course}, headers=h["person"]
    ).get_json()
    assert first["status"] == "approved"
    assert [e["actorRole"] for e in first["history"]] == ["recipient", "system"]
    second = client.post(
        "/v1/me/matches", json={"opportunityId": course}, headers=h["person2"]
    ).get_json()
    assert second["status"] == "requested"  # full: the coach decides
    other = _publish(client, h["org"])
    assert (
        client.post(
            "/v1/me/matches", json={"opportunityId": other}, headers=h["person"]
        ).get_json()["status"]
        == "requested"
    )


def test_erased_person_frees_their_place_and_leaves_no_waiting_request(
    client, session: Session, w
) -> None:
    from api.matches.jobs import expire_requests
    from api.nudges.outbox import PlanStats
    from api.nudges.planners import run_planners

    h = w["h"]
    oid = _publish(client, h["org"], capacity=1)
    m1 = client.post("/v1/me/matches", json={"opportunityId": oid}, headers=h["person"]).get_json()[
        "id"
    ]
    assert client.post(f"/v1/matches/{m1}/approve", headers=h["coach"]).status_code == 200
    other = _publish(client, h["org"])
    client.post("/v1/me/matches", json={"opportunityId": other}, headers=h["person"])
    assert client.delete("/v1/me", headers=h["person"]).status_code == 204
    m2 = client.post(
        "/v1/me/matches", json={"opportunityId": oid}, headers=h["person2"]
    ).get_json()["id"]
    assert client.post(f"/v1/matches/{m2}/approve", headers=h["coach"]).status_code == 200
    # the planner still runs (no waiting request of a person who no longer exists)
    from datetime import UTC, datetime, timedelta

    stats = PlanStats.empty()
    expire_requests(session, now=datetime.now(UTC) + timedelta(days=20))
    run_planners(
        session, "request_followups", now=datetime.now(UTC) + timedelta(days=20), stats=stats
    )
    assert (
        session.scalar(
            select(func.count())
            .select_from(Match)
            .where(
                Match.recipient_id.is_(None), Match.status.in_(("requested", "approved", "active"))
            )
        )
        == 0
    )


def test_organiser_decisions_show_in_the_persons_access_log(client, w) -> None:
    h = w["h"]
    started = _publish(client, h["org"])
    turned_down = _publish(client, h["org"], title="Tuinieren bij de moestuin")
    ids = []
    for oid in (started, turned_down):
        mid = client.post("/v1/me/matches", json={"opportunityId": oid}, headers=h["person"])
        ids.append(mid.get_json()["id"])
        assert client.post(f"/v1/matches/{ids[-1]}/approve", headers=h["coach"]).status_code == 200
    assert client.post(f"/v1/matches/{ids[0]}/confirm", headers=h["org"]).status_code == 200
    assert client.post(f"/v1/matches/{ids[0]}/complete", headers=h["org"]).status_code == 200
    rejected = client.post(
        f"/v1/matches/{ids[1]}/reject", json={"reason": "Geen plek op dinsdag"}, headers=h["org"]
    )
    assert rejected.status_code == 200
    log = client.get("/v1/me/access-log?limit=100", headers=h["person"]).get_json()["items"]
    changes = sorted(
        (e["purpose"], e["actorRole"])
        for e in log
        if e["action"] == "update" and e["objectType"] == "match"
    )
    assert changes == [  # in plain Dutch: the request named no language
        ("De activiteit is afgerond", "organizer"),
        ("De organisator bevestigde dat je bent begonnen", "organizer"),
        ("De organisator kon je geen plek geven", "organizer"),
        ("Je coach keurde je aanvraag goed", "coach"),
        ("Je coach keurde je aanvraag goed", "coach"),
    ]
    english = client.get(
        "/v1/me/access-log?limit=100", headers={**h["person"], "Accept-Language": "en"}
    ).get_json()["items"]
    assert "Your coach approved your request" in {e["purpose"] for e in english}
    # another person's log shows none of it
    other = client.get("/v1/me/access-log", headers=h["person2"]).get_json()["items"]
    assert other == []
