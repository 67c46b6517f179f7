"""Opportunity detail for a screen: concrete times, contact, organisation; placed by address;
for a recipient the same distance and reasons as the feed."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.geocoding.geocoders import GeocoderUnavailable
from api.geocoding.postcodes import POSTCODES
from api.opportunities.models import Opportunity
from tests.factories import (
    auth_headers,
    create_municipality,
    create_opportunity,
    create_team,
    create_user,
)


def body(**over: Any) -> dict[str, Any]:
    b: dict[str, Any] = {
        "kind": "volunteer",
        "title": "Koken in buurthuis De Meevaart",
        "description": "Samen koken voor buren. Je hoeft geen ervaring te hebben.",
        "address": "Balistraat 48A, 1094 JN Amsterdam",
        "interests": ["koken", "buurt"],
        "schedule": [
            {"day": "thu", "start": "13:00", "end": "16:00"},
            {"day": "tue", "start": "09:30", "end": "12:00"},
        ],
        "capacity": 4,
        "ladderStep": 3,
        "notReplacingPaidWork": True,
        "organisation": "Buurthuis De Meevaart",
        "contact": {"name": "Fatima Amrani", "phone": "020-6654321", "email": None},
        "directions": "Ingang aan de achterkant. Tram 14, halte Javaplein.",
        "imageUrl": "https://example.org/meevaart.jpg",
    }
    b.update(over)
    return b


@pytest.fixture()
def w(app, client, session: Session) -> dict[str, Any]:
    m = create_municipality(session, name="Amsterdam")
    team = create_team(session, municipality=m, name="Buurtteam Oost")
    org = create_user(session, municipality=m, role="organizer", team=team)
    coach = create_user(session, municipality=m, role="coach")
    person = create_user(session, municipality=m, role="recipient", coach=coach)
    h = {
        "org": auth_headers(app, session, org),
        "coach": auth_headers(app, session, coach),
        "person": auth_headers(app, session, person),
    }
    return {"m": m, "team": team, "h": h, "session": session}


def _count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Opportunity)) or 0


def _invalid(resp: Any) -> list[str]:
    assert resp.status_code == 400, resp.get_json()
    return [p["name"] for p in resp.get_json()["invalidParams"]]


def test_organiser_gives_times_contact_and_more_and_the_screen_gets_them(client, w) -> None:
    resp = client.post("/v1/opportunities", json=body(), headers=w["h"]["org"])
    assert resp.status_code == 201, resp.get_json()
    got = resp.get_json()
    # Concrete times in week order; the day parts for matching follow from them.
    assert got["schedule"] == [
        {"day": "tue", "start": "09:30", "end": "12:00"},
        {"day": "thu", "start": "13:00", "end": "16:00"},
    ]
    assert got["slots"] == ["tue-morning", "thu-afternoon"]
    assert got["hoursPerWeek"] == 5.5
    assert got["placesLeft"] == 4
    assert got["organisation"] == "Buurthuis De Meevaart"
    assert got["contact"] == {"name": "Fatima Amrani", "phone": "020-6654321", "email": None}
    assert got["directions"].startswith("Ingang aan de achterkant")
    assert got["imageUrl"] == "https://example.org/meevaart.jpg"
    # No coordinates given: placed at the postcode by the (offline) geocoder.
    lat, lon = POSTCODES["1094"]
    assert got["location"] == {"lat": lat, "lon": lon}

    read = client.get(f"/v1/opportunities/{got['id']}", headers=w["h"]["org"]).get_json()
    assert {k: read[k] for k in got if k != "updatedAt"} == {
        k: got[k] for k in got if k != "updatedAt"
    }


def test_without_organisation_and_contact_the_team_is_named(client, w) -> None:
    b = body(organisation=None, contact=None, directions=None, imageUrl=None)
    del b["schedule"]
    b["slots"] = ["sat-morning"]
    got = client.post("/v1/opportunities", json=b, headers=w["h"]["org"]).get_json()
    assert got["organisation"] == "Buurtteam Oost"
    assert got["contact"] is None and got["directions"] is None and got["imageUrl"] is None
    assert got["schedule"] == [] and got["hoursPerWeek"] is None
    assert got["slots"] == ["sat-morning"]


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"slots": ["sat-morning"]}, "slots"),  # disagrees with the schedule
        ({"schedule": [{"day": "tue", "start": "9:30", "end": "12:00"}]}, "schedule.0.start"),
        ({"schedule": [{"day": "tue", "start": "12:00", "end": "09:30"}]}, "schedule.0.end"),
        ({"schedule": [{"day": "tus", "start": "09:00", "end": "10:00"}]}, "schedule.0.day"),
        (
            {
                "schedule": [
                    {"day": "tue", "start": "09:00", "end": "11:00"},
                    {"day": "tue", "start": "10:30", "end": "12:00"},
                ]
            },
            "schedule",
        ),
        ({"schedule": [], "slots": None}, "slots"),
        ({"hoursPerWeek": 0}, "hoursPerWeek"),
        ({"hoursPerWeek": 2.25}, "hoursPerWeek"),
        ({"contact": {"name": "Fatima"}}, "contact"),
        ({"contact": {"name": "Fatima", "phone": "12"}}, "contact.phone"),
        ({"contact": {"name": "Fatima", "email": "not-an-address"}}, "contact.email"),
        ({"imageUrl": "http://example.org/a.jpg"}, "imageUrl"),
        ({"imageUrl": "https://user:secret@example.org/a.jpg"}, "imageUrl"),
        ({"imageUrl": "javascript:alert(1)"}, "imageUrl"),
        ({"imageUrl": "https://example.org/" + "a" * 500}, "imageUrl"),
        ({"directions": "x" * 1001}, "directions"),
        ({"address": "Balistraat 48A, Amsterdam"}, "address"),  # no postcode: cannot be placed
        ({"address": "Dorpsstraat 1, 9999 ZZ Nergens"}, "address"),  # unknown postcode
    ],
)
def test_bad_detail_is_400_naming_the_field_and_writes_nothing(
    client, w, over: dict[str, Any], field: str
) -> None:
    b = body(**over)
    if b.get("slots") is None:
        b.pop("slots", None)
    before = _count(w["session"])
    resp = client.post("/v1/opportunities", json=b, headers=w["h"]["org"])
    assert field in _invalid(resp)
    assert _count(w["session"]) == before


def test_coordinates_given_are_used_as_they_are(client, w) -> None:
    b = body(location={"lat": 52.3625, "lon": 4.94}, address="Balistraat 48A, Amsterdam")
    got = client.post("/v1/opportunities", json=b, headers=w["h"]["org"]).get_json()
    assert got["location"] == {"lat": 52.3625, "lon": 4.94}


def test_patch_keeps_day_parts_and_times_in_step_and_places_a_new_address(client, w) -> None:
    h = w["h"]["org"]
    got = client.post("/v1/opportunities", json=body(), headers=h).get_json()
    url = f"/v1/opportunities/{got['id']}"
    # Day parts alone cannot contradict the stored times.
    assert _invalid(client.patch(url, json={"slots": ["sat-morning"]}, headers=h)) == ["slots"]
    new = [{"day": "sat", "start": "10:00", "end": "12:30"}]
    changed = client.patch(url, json={"schedule": new}, headers=h).get_json()
    assert changed["schedule"] == new
    assert changed["slots"] == ["sat-morning", "sat-afternoon"]
    assert changed["hoursPerWeek"] == 2.5
    # A moved activity: the new address is placed again.
    moved = client.patch(url, json={"address": "Osdorpplein 4, 1068 EL Amsterdam"}, headers=h)
    lat, lon = POSTCODES["1068"]
    assert moved.get_json()["location"] == {"lat": lat, "lon": lon}
    # An address that cannot be placed changes nothing.
    bad = client.patch(url, json={"address": "Nergensstraat 1", "title": "Anders"}, headers=h)
    assert _invalid(bad) == ["address"]
    after = client.get(url, headers=h).get_json()
    assert after["address"] == "Osdorpplein 4, 1068 EL Amsterdam"
    assert after["title"] == got["title"]
    assert after["location"] == {"lat": lat, "lon": lon}
    # Clearing the contact.
    assert client.patch(url, json={"contact": None}, headers=h).get_json()["contact"] is None


def _profile(client, headers: dict[str, str]) -> None:
    prof = {
        "postcode": "1094",
        "availability": ["tue-morning", "thu-afternoon", "sat-morning"],
        "interests": ["koken"],
        "dutchLevel": "B1",
        "ladderStep": 2,
        "travelMode": "bike",
        "maxDistanceKm": 10,
    }
    assert client.patch("/v1/me/profile", json=prof, headers=headers).status_code == 200


def test_detail_for_a_recipient_agrees_with_the_feed(client, w) -> None:
    session, team, h = w["session"], w["team"], w["h"]
    _profile(client, h["person"])
    points = [(52.3640, 4.9400), (52.3700, 4.9000), (52.3580, 4.8600), (52.3657, 4.9455)]
    for n, (lat, lon) in enumerate(points):
        create_opportunity(
            session,
            team=team,
            lat=lat,
            lon=lon,
            title=f"Activiteit {n}",
            interests=["koken"] if n % 2 == 0 else ["tuinieren"],
            slots=["tue-morning"] if n < 2 else ["sat-morning", "wed-evening"],
            ladder_step=2 + n % 3,
        )
    feed = client.get("/v1/me/feed?limit=50", headers=h["person"]).get_json()["items"]
    assert len(feed) == len(points)
    for item in feed:
        detail = client.get(f"/v1/opportunities/{item['opportunity']['id']}", headers=h["person"])
        assert detail.status_code == 200
        got = detail.get_json()
        assert got["distanceKm"] == item["distanceKm"] == item["opportunity"]["distanceKm"]
        assert got["reasons"] == item["reasons"]
        assert got["reasons"], "the feed gives reasons for each suggestion"


def test_staff_and_recipients_without_a_postcode_get_no_distance_or_reasons(client, w) -> None:
    opp = create_opportunity(w["session"], team=w["team"])
    for who in ("coach", "org", "person"):
        got = client.get(f"/v1/opportunities/{opp.id}", headers=w["h"][who]).get_json()
        assert "distanceKm" not in got and "reasons" not in got, who


class _Down:
    """A geocoder that cannot be reached."""

    def locate(self, postcode: str) -> Any:
        raise GeocoderUnavailable("down")

    def locate_address(self, address: str) -> Any:
        raise GeocoderUnavailable("down")


def test_geocoder_down_is_503_and_writes_nothing(app, client, w, monkeypatch) -> None:
    monkeypatch.setitem(app.extensions, "meedoen_geocoder", _Down())
    before = _count(w["session"])
    resp = client.post("/v1/opportunities", json=body(), headers=w["h"]["org"])
    assert resp.status_code == 503
    assert resp.content_type == "application/problem+json"
    assert _count(w["session"]) == before


def test_detail_reasons_speak_the_language_the_feed_speaks(client, w) -> None:
    _profile(client, w["h"]["person"])
    create_opportunity(w["session"], team=w["team"], lat=52.3640, lon=4.9400)
    english = {**w["h"]["person"], "Accept-Language": "en"}
    for headers in (w["h"]["person"], english):
        feed = client.get("/v1/me/feed", headers=headers)
        item = feed.get_json()["items"][0]
        detail = client.get(f"/v1/opportunities/{item['opportunity']['id']}", headers=headers)
        assert detail.get_json()["reasons"] == item["reasons"]
        assert detail.headers["Content-Language"] == feed.headers["Content-Language"]
    texts = " ".join(r["text"] for r in detail.get_json()["reasons"])
    assert "km" in texts and "van huis" not in texts  # English now
