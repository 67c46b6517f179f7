"""Every problem carries a machine-readable `code`; an app tells 401s apart without reading text."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta

import jwt as pyjwt
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from api.errors import PROBLEM_CODES
from tests.conftest import TEST_JWT_SECRET
from tests.factories import (
    PASSWORD,
    auth_headers,
    create_match,
    create_municipality,
    create_opportunity,
    create_team,
    create_user,
)


def _code(resp, status: int) -> str:
    assert resp.status_code == status, resp.get_data(as_text=True)[:300]
    assert resp.content_type == "application/problem+json"
    body = resp.get_json()
    assert body["code"] in PROBLEM_CODES
    return str(body["code"])


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _login(client: FlaskClient, email: str) -> dict:
    resp = client.post("/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert resp.status_code == 200
    return resp.get_json()


def test_401s_say_whether_to_refresh_or_sign_in_again(client, session: Session) -> None:
    m = create_municipality(session)
    user = create_user(session, municipality=m, role="coach", email="codes@example.org")
    pair = _login(client, "codes@example.org")

    assert _code(client.get("/v1/me/access-log"), 401) == "token_missing"
    assert _code(client.get("/v1/me/access-log", headers=_bearer("nonsense")), 401) == (
        "token_invalid"
    )
    wrong = {"email": "codes@example.org", "password": "not the password"}
    assert _code(client.post("/v1/auth/login", json=wrong), 401) == "invalid_credentials"

    now = int(time.time())
    claims = pyjwt.decode(pair["accessToken"], options={"verify_signature": False})
    claims.update(iat=now - 3600, nbf=now - 3600, exp=now - 60, jti=str(uuid.uuid4()))
    expired = pyjwt.encode(claims, TEST_JWT_SECRET, algorithm="HS256")
    assert _code(client.get("/v1/me/access-log", headers=_bearer(expired)), 401) == (
        "token_expired"
    )

    # Signed out: the same (unexpired) tokens are revoked, not expired.
    assert client.post("/v1/auth/logout", headers=_bearer(pair["accessToken"])).status_code == 204
    assert _code(client.get("/v1/me/access-log", headers=_bearer(pair["accessToken"])), 401) == (
        "token_revoked"
    )
    assert _code(client.post("/v1/auth/refresh", headers=_bearer(pair["refreshToken"])), 401) == (
        "token_revoked"
    )

    # A spent refresh token coming back revokes the family.
    again = _login(client, "codes@example.org")
    client.post("/v1/auth/refresh", headers=_bearer(again["refreshToken"]))
    reuse = client.post("/v1/auth/refresh", headers=_bearer(again["refreshToken"]))
    assert _code(reuse, 401) == "token_revoked"
    assert reuse.get_json()["detail"] == "Voor je veiligheid ben je uitgelogd. Log opnieuw in."
    assert user.email == "codes@example.org"


def test_codes_of_the_common_refusals(app: Flask, client, session: Session) -> None:
    m = create_municipality(session)
    team = create_team(session, municipality=m)
    coach = create_user(session, municipality=m, role="coach")
    person = create_user(session, municipality=m, role="recipient", coach=coach)
    other = create_user(session, municipality=m, role="recipient", coach=coach)
    opp = create_opportunity(session, team=team, capacity=1)
    now = datetime.now(UTC)
    day = timedelta(days=1)
    requested = [("suggested", now - 3 * day), ("requested", now - 2 * day)]
    create_match(session, person=other, opportunity=opp, history=[*requested, ("approved", now)])
    waiting = create_match(session, person=person, opportunity=opp, history=requested)
    h_person = auth_headers(app, session, person)
    h_coach = auth_headers(app, session, coach)

    bad = client.patch("/v1/me/profile", json={"maxDistanceKm": "far"}, headers=h_person)
    assert _code(bad, 400) == "invalid_input"
    assert _code(client.get("/v1/caseload", headers=h_person), 403) == "forbidden"
    missing = client.get(f"/v1/opportunities/{uuid.uuid4()}", headers=h_person)
    assert _code(missing, 404) == "not_found"
    assert _code(client.put("/v1/health"), 405) == "method_not_allowed"
    full = client.post(f"/v1/matches/{waiting.id}/approve", headers=h_coach)
    assert _code(full, 409) == "full"
    twice = client.post("/v1/me/matches", json={"opportunityId": str(opp.id)}, headers=h_person)
    assert _code(twice, 409) == "already_exists"
    text = client.post("/v1/auth/login", data="x", content_type="text/plain")
    assert _code(text, 415) == "unsupported_media_type"


def test_reused_idempotency_key_is_its_own_code(app: Flask, client, session: Session) -> None:
    m = create_municipality(session)
    person = create_user(session, municipality=m, role="recipient")
    headers = {**auth_headers(app, session, person), "Idempotency-Key": "checkin-1"}
    day = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    body = {"date": day, "hours": 2, "wellbeing": 4}
    assert client.post("/v1/me/checkins", json=body, headers=headers).status_code == 201
    other = client.post("/v1/me/checkins", json={**body, "hours": 3}, headers=headers)
    assert _code(other, 409) == "idempotency_conflict"


def test_malformed_plan_week_is_400_not_500(app: Flask, client, session: Session) -> None:
    m = create_municipality(session)
    person = create_user(session, municipality=m, role="recipient")
    headers = auth_headers(app, session, person)
    for week in ("next week", "2026W14", "2026-W99"):
        resp = client.post(
            "/v1/me/steps", json={"what": "Mijn cv maken", "dueWeek": week}, headers=headers
        )
        assert _code(resp, 400) == "invalid_input"
        assert resp.get_json()["invalidParams"][0]["name"] == "dueWeek"
