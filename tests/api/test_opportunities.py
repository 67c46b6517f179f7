"""Organisers post and manage opportunities; everyone in the municipality reads published ones."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.opportunities.models import Opportunity
from tests.factories import (
    auth_headers,
    create_municipality,
    create_opportunity,
    create_team,
    create_user,
)


def valid_body(**over: Any) -> dict[str, Any]:
    body = {
        "kind": "volunteer",
        "title": "Koken in buurthuis De Meevaart",
        "description": "Samen koken voor buren. Je hoeft geen ervaring te hebben.",
        "address": "Balistraat 48A, Amsterdam",
        "location": {"lat": 52.3625, "lon": 4.9400},
        "interests": ["koken", "buurt"],
        "slots": ["tue-morning", "thu-afternoon"],
        "startDate": "2026-12-01",
        "endDate": "2027-06-30",
        "capacity": 4,
        "minDutchLevel": "A1",
        "accessibility": ["wheelchair"],
        "ladderStep": 3,
        "monthlyAllowanceEur": 25.5,
        "notReplacingPaidWork": True,
    }
    body.update(over)
    return body


@pytest.fixture()
def world(app, session: Session) -> dict[str, Any]:
    m = create_municipality(session, name="Amsterdam")
    other = create_municipality(session, name="Rotterdam")
    team = create_team(session, municipality=m, name="Buurtteam Oost")
    team2 = create_team(session, municipality=m, name="Vrijwilligerscentrale")
    org = create_user(session, municipality=m, role="organizer", team=team)
    org2 = create_user(session, municipality=m, role="organizer", team=team2)
    foreign_org = create_user(session, municipality=other, role="organizer")
    recipient = create_user(session, municipality=m, role="recipient")
    coach = create_user(session, municipality=m, role="coach")
    admin = create_user(session, municipality=m, role="admin")
    h = {
        name: auth_headers(app, session, u)
        for name, u in {
            "org": org,
            "org2": org2,
            "foreign_org": foreign_org,
            "recipient": recipient,
            "coach": coach,
            "admin": admin,
        }.items()
    }
    return {"m": m, "team": team, "team2": team2, "h": h, "other": other}


def _count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Opportunity)) or 0


def test_organiser_creates_a_draft_for_their_team(client, world) -> None:
    resp = client.post("/v1/opportunities", json=valid_body(), headers=world["h"]["org"])
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["status"] == "draft"
    assert body["team"] == {"id": str(world["team"].id), "name": "Buurtteam Oost"}
    assert body["location"] == {"lat": 52.3625, "lon": 4.94}
    assert body["interests"] == ["koken", "buurt"]
    assert body["monthlyAllowanceEur"] == 25.5
    assert body["notReplacingPaidWork"] is True
    assert body["publishedAt"] is None


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"location": {"lat": 48.85, "lon": 2.35}}, "location.lat"),
        ({"slots": ["monday-morning"]}, "slots.0"),
        ({"capacity": 0}, "capacity"),
        ({"startDate": "2027-01-10", "endDate": "2027-01-01"}, "endDate"),
        ({"interests": ["koken", "skydiven"]}, "interests"),
        ({"kind": "job"}, "kind"),
        ({"kind": "language_course"}, "teachesLevel"),
        ({"teachesLevel": "A2"}, "teachesLevel"),
        ({"notReplacingPaidWork": False}, "notReplacingPaidWork"),
        ({"minDutchLevel": "D1"}, "minDutchLevel"),
        ({"title": "x" * 121}, "title"),
        ({"ladderStep": 7}, "ladderStep"),
        ({"monthlyAllowanceEur": 5000}, "monthlyAllowanceEur"),
        ({"accessibility": ["wheelchair", "wheelchair"]}, "accessibility"),
        ({"salary": 10}, "salary"),
    ],
)
def test_bad_input_is_400_naming_the_field_and_writes_nothing(
    client, session: Session, world, override: dict, field: str
) -> None:
    before = _count(session)
    resp = client.post("/v1/opportunities", json=valid_body(**override), headers=world["h"]["org"])
    assert resp.status_code == 400, resp.get_json()
    assert resp.content_type == "application/problem+json"
    names = [p["name"] for p in resp.get_json()["invalidParams"]]
    assert field in names
    assert _count(session) == before


def test_missing_required_fields_are_all_named(client, world) -> None:
    resp = client.post("/v1/opportunities", json={"kind": "volunteer"}, headers=world["h"]["org"])
    assert resp.status_code == 400
    names = {p["name"] for p in resp.get_json()["invalidParams"]}
    assert {
        "title",
        "description",
        "address",
        "interests",
        "slots",
        "capacity",
        "ladderStep",
        "notReplacingPaidWork",
    } <= names
    assert "location" not in names, "without a point the address is placed by the geocoder"


def test_only_organisers_post(client, world) -> None:
    for role in ("recipient", "coach", "admin"):
        assert (
            client.post(
                "/v1/opportunities", json=valid_body(), headers=world["h"][role]
            ).status_code
            == 403
        )


def test_lifecycle_and_invalid_transitions(client, world) -> None:
    h = world["h"]["org"]
    oid = client.post("/v1/opportunities", json=valid_body(), headers=h).get_json()["id"]
    assert client.post(f"/v1/opportunities/{oid}/pause", headers=h).status_code == 409
    pub = client.post(f"/v1/opportunities/{oid}/publish", headers=h)
    assert pub.status_code == 200 and pub.get_json()["status"] == "published"
    assert pub.get_json()["publishedAt"]
    assert client.post(f"/v1/opportunities/{oid}/publish", headers=h).status_code == 409
    assert client.post(f"/v1/opportunities/{oid}/pause", headers=h).get_json()["status"] == "paused"
    assert (
        client.post(f"/v1/opportunities/{oid}/publish", headers=h).get_json()["status"]
        == "published"
    )
    assert client.post(f"/v1/opportunities/{oid}/close", headers=h).get_json()["status"] == "closed"
    conflict = client.post(f"/v1/opportunities/{oid}/publish", headers=h)
    assert conflict.status_code == 409
    assert conflict.content_type == "application/problem+json"
    assert (
        client.patch(f"/v1/opportunities/{oid}", json={"capacity": 9}, headers=h).status_code == 409
    )


def test_patch_checks_combination_with_stored_values(client, world) -> None:
    h = world["h"]["org"]
    oid = client.post("/v1/opportunities", json=valid_body(), headers=h).get_json()["id"]
    bad = client.patch(f"/v1/opportunities/{oid}", json={"endDate": "2026-11-01"}, headers=h)
    assert bad.status_code == 400
    assert bad.get_json()["invalidParams"][0]["name"] == "endDate"
    course = client.patch(f"/v1/opportunities/{oid}", json={"kind": "language_course"}, headers=h)
    assert course.status_code == 400
    ok = client.patch(
        f"/v1/opportunities/{oid}",
        json={"kind": "language_course", "teachesLevel": "A2", "capacity": 12},
        headers=h,
    )
    assert ok.status_code == 200
    assert ok.get_json()["teachesLevel"] == "A2" and ok.get_json()["capacity"] == 12
    unchanged = client.get(f"/v1/opportunities/{oid}", headers=h).get_json()
    assert unchanged["endDate"] == "2027-06-30"


def test_visibility_and_ownership(client, session: Session, world) -> None:
    h = world["h"]
    draft = create_opportunity(session, team=world["team"], status="draft")
    published = create_opportunity(session, team=world["team"], status="published")
    foreign_team = create_team(session, municipality=world["other"])
    foreign = create_opportunity(session, team=foreign_team, status="published")
    # drafts: only the own team sees them
    assert client.get(f"/v1/opportunities/{draft.id}", headers=h["org"]).status_code == 200
    for who in ("org2", "recipient", "coach", "admin", "foreign_org"):
        assert client.get(f"/v1/opportunities/{draft.id}", headers=h[who]).status_code == 404, who
    # published: everyone in the municipality, nobody outside
    for who in ("org", "org2", "recipient", "coach", "admin"):
        assert client.get(f"/v1/opportunities/{published.id}", headers=h[who]).status_code == 200
    assert (
        client.get(f"/v1/opportunities/{published.id}", headers=h["foreign_org"]).status_code == 404
    )
    assert client.get(f"/v1/opportunities/{foreign.id}", headers=h["org"]).status_code == 404
    # changing: only the own team
    assert (
        client.patch(
            f"/v1/opportunities/{draft.id}", json={"capacity": 2}, headers=h["org2"]
        ).status_code
        == 404
    )
    assert (
        client.patch(
            f"/v1/opportunities/{published.id}", json={"capacity": 2}, headers=h["org2"]
        ).status_code
        == 404  # visible to read, but not theirs: a foreign object is 404
    )
    assert (
        client.post(f"/v1/opportunities/{published.id}/close", headers=h["org2"]).status_code == 404
    )
    assert (
        client.patch(
            f"/v1/opportunities/{foreign.id}", json={"capacity": 2}, headers=h["org"]
        ).status_code
        == 404
    )
    session.refresh(published)
    assert published.capacity == 3 and published.status == "published"
    listed = client.get("/v1/opportunities", headers=h["recipient"]).get_json()["items"]
    assert [o["id"] for o in listed] == [str(published.id)]


def test_near_listing_uses_distance_radius_filters_and_pagination(
    client, session: Session, world
) -> None:
    team = world["team"]
    # Amsterdam Centraal-ish at 52.3791, 4.9003; points at about 0.5, 2, 6 and 20 km north/east
    a = create_opportunity(
        session, team=team, lat=52.3836, lon=4.9003, title="Dichtbij", interests=["koken"]
    )
    b = create_opportunity(
        session,
        team=team,
        lat=52.3971,
        lon=4.9003,
        title="Twee km",
        interests=["tuinieren"],
        kind="informal_care",
    )
    c = create_opportunity(
        session, team=team, lat=52.4330, lon=4.9003, title="Zes km", interests=["koken"]
    )
    create_opportunity(session, team=team, lat=52.5590, lon=4.9003, title="Ver weg")
    create_opportunity(session, team=team, lat=52.3800, lon=4.9003, title="Concept", status="draft")
    h = world["h"]["recipient"]
    resp = client.get("/v1/opportunities?near=52.3791,4.9003&radiusKm=10", headers=h)
    assert resp.status_code == 200
    assert [o["title"] for o in resp.get_json()["items"]] == ["Dichtbij", "Twee km", "Zes km"]
    assert [o["distanceKm"] for o in resp.get_json()["items"]] == [0.5, 2.0, 6.0]
    only_kind = client.get(
        "/v1/opportunities?near=52.3791,4.9003&radiusKm=10&kind=informal_care", headers=h
    )
    assert [o["id"] for o in only_kind.get_json()["items"]] == [str(b.id)]
    only_interest = client.get(
        "/v1/opportunities?near=52.3791,4.9003&radiusKm=10&interest=koken", headers=h
    )
    assert [o["id"] for o in only_interest.get_json()["items"]] == [str(a.id), str(c.id)]
    seen, cursor = [], None
    for _ in range(5):
        url = "/v1/opportunities?near=52.3791,4.9003&radiusKm=10&limit=1"
        page = client.get(url + (f"&cursor={cursor}" if cursor else ""), headers=h).get_json()
        seen += [o["title"] for o in page["items"]]
        cursor = page["nextCursor"]
        if not cursor:
            break
    assert seen == ["Dichtbij", "Twee km", "Zes km"]


def test_plain_listing_paginates_newest_first_without_repeats(
    client, session: Session, world
) -> None:
    for i in range(5):
        create_opportunity(session, team=world["team"], title=f"Klus {i}")
    titles, cursor = [], None
    while True:
        url = "/v1/opportunities?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(url, headers=world["h"]["coach"]).get_json()
        titles += [o["title"] for o in page["items"]]
        cursor = page["nextCursor"]
        if not cursor:
            break
    assert sorted(titles) == [f"Klus {i}" for i in range(5)]
    assert len(set(titles)) == 5


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("near=abc", "near"),
        ("near=48.85,2.35", "near"),
        ("limit=101", "limit"),
        ("limit=0", "limit"),
        ("radiusKm=500&near=52.37,4.89", "radiusKm"),
        ("kind=job", "kind"),
        ("cursor=not-a-cursor", "cursor"),
        ("colour=blue", "colour"),
    ],
)
def test_bad_query_is_400_naming_the_parameter(client, world, query: str, field: str) -> None:
    resp = client.get(f"/v1/opportunities?{query}", headers=world["h"]["recipient"])
    assert resp.status_code == 400
    assert field in [p["name"] for p in resp.get_json()["invalidParams"]]


def test_list_needs_sign_in(client) -> None:
    assert client.get("/v1/opportunities").status_code == 401


def test_interests_taxonomy_is_public_with_both_languages(client) -> None:
    resp = client.get("/v1/interests")
    assert resp.status_code == 200
    items = resp.get_json()["items"]
    assert len(items) >= 40
    koken = next(i for i in items if i["key"] == "koken")
    assert koken["labels"]["nl"] and koken["labels"]["en"] and koken["category"]


def test_the_paid_work_rule_is_told_in_the_organisers_language(client, world) -> None:
    body = valid_body(notReplacingPaidWork=False)
    for language, reason in (
        (
            "nl",
            "Vrijwilligerswerk mag geen betaald werk vervangen. Bevestig dat het dat niet doet.",
        ),
        ("en", "Volunteer work may not replace paid work; confirm that it does not."),
    ):
        headers = {**world["h"]["org"], "Accept-Language": language}
        resp = client.post("/v1/opportunities", json=body, headers=headers)
        assert resp.status_code == 400
        reasons = {p["name"]: p["reason"] for p in resp.get_json()["invalidParams"]}
        assert reasons["notReplacingPaidWork"] == reason
