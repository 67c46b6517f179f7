"""A recipient's own profile: coarse home area only, bounded choices, nothing written on bad input."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from tests.factories import auth_headers, create_municipality, create_user


@pytest.fixture()
def me(app, session: Session) -> dict[str, Any]:
    m = create_municipality(session)
    user = create_user(session, municipality=m, role="recipient", name="Samira El Amrani")
    return {"user": user, "h": auth_headers(app, session, user)}


def test_first_read_makes_a_profile_with_the_persons_id(client, me) -> None:
    resp = client.get("/v1/me/profile", headers=me["h"])
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["id"] == str(me["user"].id)
    assert body["displayName"] == "Samira"
    assert body["nudgePreferences"] == {
        "paused": False,
        "maxPerWeek": 2,
        "quietHours": None,
        "inboxOnly": [],
    }
    assert resp.headers["Cache-Control"] == "no-store"


def test_postcode_becomes_a_coarse_area_and_the_full_postcode_is_not_kept(
    client, session: Session, me
) -> None:
    resp = client.patch("/v1/me/profile", json={"postcode": "1055 ab"}, headers=me["h"])
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["postcode"] == "1055"
    area = body["homeArea"]
    assert 52.3 < area["lat"] < 52.45 and 4.75 < area["lon"] < 5.0
    row = session.execute(
        text(
            "select postcode_area, ST_AsText(home_area) from recipient_profiles where user_id = :u"
        ),
        {"u": me["user"].id},
    ).one()
    assert row[0] == "1055"
    assert "AB" not in str(row).upper().replace("ST_ASTEXT", "")


def test_full_update_round_trips(client, me) -> None:
    patch = {
        "displayName": "Sam",
        "preferredLanguage": "en",
        "travelMode": "walk",
        "maxDistanceKm": 3,
        "interests": ["koken", "tuinieren"],
        "availability": ["tue-morning", "sat-afternoon"],
        "accessibilityNeeds": ["quiet_space"],
        "dutchLevel": "A2",
        "ladderStep": 2,
        "goals": "Weer onder de mensen komen",
        "sharedContact": "06-12345678",
        "nudgePreferences": {
            "paused": True,
            "maxPerWeek": 1,
            "quietHours": {"start": "20:00", "end": "09:00"},
            "inboxOnly": ["checkin_prompt", "did_it_help"],
        },
    }
    resp = client.patch("/v1/me/profile", json=patch, headers=me["h"])
    assert resp.status_code == 200, resp.get_json()
    got = client.get("/v1/me/profile", headers=me["h"]).get_json()
    for key, value in patch.items():
        assert got[key] == value, key


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"postcode": "9999"}, "postcode"),
        ({"postcode": "12345"}, "postcode"),
        ({"travelMode": "walk", "maxDistanceKm": 10}, "maxDistanceKm"),
        ({"maxDistanceKm": 100}, "maxDistanceKm"),
        ({"interests": ["koken", "onbekend"]}, "interests"),
        ({"availability": ["someday"]}, "availability.0"),
        ({"dutchLevel": "Z9"}, "dutchLevel"),
        ({"ladderStep": 0}, "ladderStep"),
        ({"preferredLanguage": "fr"}, "preferredLanguage"),
        (
            {"nudgePreferences": {"quietHours": {"start": "25:00", "end": "08:00"}}},
            "nudgePreferences.quietHours.start",
        ),
        ({"nudgePreferences": {"maxPerWeek": 50}}, "nudgePreferences.maxPerWeek"),
        ({"goals": "x" * 1001}, "goals"),
        ({"exactAddress": "Hoofdstraat 1"}, "exactAddress"),
        ({"interests": ["koken"] * 2}, "interests"),
    ],
)
def test_bad_input_is_400_and_changes_nothing(client, me, patch: dict, field: str) -> None:
    before = client.get("/v1/me/profile", headers=me["h"]).get_json()
    resp = client.patch(
        "/v1/me/profile", json={"displayName": "Veranderd", **patch}, headers=me["h"]
    )
    assert resp.status_code == 400, resp.get_json()
    assert field in [p["name"] for p in resp.get_json()["invalidParams"]]
    assert client.get("/v1/me/profile", headers=me["h"]).get_json() == before


def test_walk_mode_caps_a_too_long_distance(client, me) -> None:
    client.patch(
        "/v1/me/profile", json={"travelMode": "transit", "maxDistanceKm": 25}, headers=me["h"]
    )
    resp = client.patch("/v1/me/profile", json={"travelMode": "walk"}, headers=me["h"])
    assert resp.get_json()["maxDistanceKm"] == 5


def test_only_recipients_have_a_profile(app, client, session: Session) -> None:
    coach = create_user(session, municipality=create_municipality(session), role="coach")
    assert (
        client.get("/v1/me/profile", headers=auth_headers(app, session, coach)).status_code == 403
    )
