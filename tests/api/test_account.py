"""Account: token responses that say how long and for whom, GET /v1/me, changing the password,
and one-time reset codes from the coach or admin (POST /v1/auth/reset)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from api.audit.models import AuditEvent
from api.auth.models import TokenFamily
from api.db import utcnow
from api.invitations.models import Invitation
from api.municipalities.models import Municipality
from api.signin import service as signin_service
from api.users.models import User
from tests.api.test_rate_limits import _assert_429, _limited_app
from tests.factories import (
    PASSWORD,
    auth_headers,
    create_municipality,
    create_profile,
    create_team,
    create_user,
)

NEW_PASSWORD = "Kraanvogel-Boven-Het-IJ-77"


def _login(client: FlaskClient, email: str | None, password: str = PASSWORD):
    return client.post("/v1/auth/login", json={"email": email, "password": password})


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_token_responses_carry_expiry_and_account(client: FlaskClient, session: Session) -> None:
    m = create_municipality(session)
    coach = create_user(session, municipality=m, role="coach", name="Karin de Vries")
    body = _login(client, coach.email).get_json()
    assert body["expiresIn"] == 15 * 60
    assert body["account"] == {"id": str(coach.id), "role": "coach", "name": "Karin de Vries"}
    again = client.post("/v1/auth/refresh", headers=_bearer(body["refreshToken"])).get_json()
    assert again["expiresIn"] == 900 and again["account"]["id"] == str(coach.id)
    invite = client.post(
        "/v1/invitations",
        json={"recipientName": "Sam Jansen"},
        headers=_bearer(body["accessToken"]),
    ).get_json()
    registered = client.post(
        "/v1/auth/register",
        json={
            "inviteCode": invite["inviteCode"],
            "email": "sam@example.org",
            "password": NEW_PASSWORD,
        },
    ).get_json()
    assert registered["expiresIn"] == 900
    assert registered["account"] == {
        "id": invite["recipientId"],
        "role": "recipient",
        "name": "Sam Jansen",
    }


def test_me_tells_who_is_signed_in(app: Flask, client: FlaskClient, session: Session) -> None:
    m = create_municipality(session, name="Zaanstad")
    coach = create_user(session, municipality=m, role="coach", name="Karin de Vries")
    person = create_user(session, municipality=m, coach=coach, name="Sam Jansen")
    create_profile(session, user=person, language="en")
    team = create_team(session, municipality=m, name="Buurthuis Oost")
    organiser = create_user(session, municipality=m, role="organizer", team=team)

    mine = client.get("/v1/me", headers=auth_headers(app, session, person))
    assert mine.status_code == 200
    body = mine.get_json()
    assert body["id"] == str(person.id) and body["role"] == "recipient"
    assert body["name"] == "Sam Jansen" and body["email"] == person.email
    assert body["municipality"] == {"id": str(m.id), "name": "Zaanstad"}
    assert body["coach"] == {"id": str(coach.id), "name": "Karin de Vries"}
    assert body["team"] is None and body["language"] == "en"
    assert "passwordHash" not in body

    theirs = client.get("/v1/me", headers=auth_headers(app, session, organiser)).get_json()
    assert theirs["team"] == {"id": str(team.id), "name": "Buurthuis Oost"}
    assert theirs["coach"] is None and theirs["language"] == "nl"
    assert client.get("/v1/me").status_code == 401


def test_changing_the_password_ends_the_other_sign_ins(
    client: FlaskClient, session: Session
) -> None:
    m = create_municipality(session)
    person = create_user(session, municipality=m)
    here = _login(client, person.email).get_json()
    phone = _login(client, person.email).get_json()
    url = "/v1/me/password"

    wrong = client.post(
        url,
        json={"oldPassword": "not-the-password", "newPassword": NEW_PASSWORD},
        headers=_bearer(here["accessToken"]),
    )
    assert wrong.status_code == 400
    assert wrong.get_json()["invalidParams"][0]["name"] == "oldPassword"
    weak = client.post(
        url,
        json={"oldPassword": PASSWORD, "newPassword": "password1"},
        headers=_bearer(here["accessToken"]),
    )
    assert weak.status_code == 400
    assert weak.get_json()["invalidParams"][0]["name"] == "newPassword"
    own_name = client.post(
        url,
        json={"oldPassword": PASSWORD, "newPassword": f"{person.email}-x"},
        headers=_bearer(here["accessToken"]),
    )
    assert own_name.status_code == 400
    assert own_name.get_json()["invalidParams"][0]["name"] == "newPassword"
    # nothing changed so far: the phone still works
    assert client.get("/v1/me", headers=_bearer(phone["accessToken"])).status_code == 200

    ok = client.post(
        url,
        json={"oldPassword": PASSWORD, "newPassword": NEW_PASSWORD},
        headers=_bearer(here["accessToken"]),
    )
    assert ok.status_code == 204
    assert client.get("/v1/me", headers=_bearer(here["accessToken"])).status_code == 200
    assert client.get("/v1/me", headers=_bearer(phone["accessToken"])).status_code == 401
    assert (
        client.post("/v1/auth/refresh", headers=_bearer(phone["refreshToken"])).status_code == 401
    )
    assert client.post("/v1/auth/refresh", headers=_bearer(here["refreshToken"])).status_code == 200
    assert _login(client, person.email).status_code == 401
    assert _login(client, person.email, NEW_PASSWORD).status_code == 200
    audit = session.scalars(
        select(AuditEvent).where(
            AuditEvent.subject_id == person.id, AuditEvent.object_type == "password"
        )
    ).all()
    assert [(a.action, a.result) for a in audit] == [("update", "success")]


def _world(session: Session) -> dict[str, User]:
    m = create_municipality(session)
    other_m = create_municipality(session)
    coach = create_user(session, municipality=m, role="coach")
    other_coach = create_user(session, municipality=m, role="coach")
    return {
        "coach": coach,
        "other_coach": other_coach,
        "person": create_user(session, municipality=m, coach=coach, name="Petra Persoon"),
        "stranger": create_user(session, municipality=m, coach=other_coach),
        "admin": create_user(session, municipality=m, role="admin"),
        "other_admin": create_user(session, municipality=other_m, role="admin"),
    }


def test_coach_gives_a_reset_code_for_their_caseload_only(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    w = _world(session)
    h = auth_headers(app, session, w["coach"])
    resp = client.post(f"/v1/caseload/{w['person'].id}/reset-codes", headers=h)
    assert resp.status_code == 201
    body = resp.get_json()
    assert body["purpose"] == "reset" and body["userId"] == str(w["person"].id)
    assert len(body["code"]) == 14
    entry = session.scalars(
        select(AuditEvent).where(
            AuditEvent.subject_id == w["person"].id, AuditEvent.object_type == "reset_code"
        )
    ).one()
    assert (entry.actor_id, entry.action) == (w["coach"].id, "create")

    foreign = client.post(f"/v1/caseload/{w['stranger'].id}/reset-codes", headers=h)
    missing = client.post(f"/v1/caseload/{uuid.uuid4()}/reset-codes", headers=h)
    assert foreign.status_code == missing.status_code == 404
    assert foreign.get_json()["detail"] == missing.get_json()["detail"]
    assert (
        session.scalar(select(Invitation).where(Invitation.recipient_id == w["stranger"].id))
        is None
    )


def test_admin_gives_codes_within_the_municipality(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    w = _world(session)
    h = auth_headers(app, session, w["admin"])
    for who in ("coach", "person"):
        resp = client.post(f"/v1/admin/users/{w[who].id}/reset-codes", headers=h)
        assert resp.status_code == 201 and resp.get_json()["purpose"] == "reset"
    across = client.post(
        f"/v1/admin/users/{w['person'].id}/reset-codes",
        headers=auth_headers(app, session, w["other_admin"]),
    )
    assert across.status_code == 404


def test_a_person_who_never_activated_gets_a_new_invitation_code(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    w = _world(session)
    h = auth_headers(app, session, w["coach"])
    invite = client.post("/v1/invitations", json={"recipientName": "Nog Niet"}, headers=h)
    person_id = invite.get_json()["recipientId"]
    again = client.post(f"/v1/caseload/{person_id}/reset-codes", headers=h).get_json()
    assert again["purpose"] == "activate"
    body = {"inviteCode": invite.get_json()["inviteCode"], "email": "nn@example.org"}
    body["password"] = NEW_PASSWORD
    assert client.post("/v1/auth/register", json=body).status_code == 404  # the old code stopped
    body["inviteCode"] = again["code"]
    assert client.post("/v1/auth/register", json=body).status_code == 201


def test_reset_sets_the_password_once_and_ends_every_sign_in(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    w = _world(session)
    person = w["person"]
    old = _login(client, person.email).get_json()
    h = auth_headers(app, session, w["coach"])
    code = client.post(f"/v1/caseload/{person.id}/reset-codes", headers=h).get_json()["code"]

    weak = client.post("/v1/auth/reset", json={"resetCode": code, "password": "welkom123"})
    assert weak.status_code == 400 and weak.get_json()["invalidParams"][0]["name"] == "password"
    # a failed attempt leaves the code unspent; a typed code may differ in case and dashes
    typed = code.replace("-", "").lower()
    resp = client.post("/v1/auth/reset", json={"resetCode": typed, "password": NEW_PASSWORD})
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["account"] == {"id": str(person.id), "role": "recipient", "name": "Petra Persoon"}
    assert client.get("/v1/me", headers=_bearer(body["accessToken"])).status_code == 200
    assert client.get("/v1/me", headers=_bearer(old["accessToken"])).status_code == 401
    revoked = session.scalars(
        select(TokenFamily.revoked_reason).where(
            TokenFamily.user_id == person.id, TokenFamily.revoked_at.is_not(None)
        )
    ).all()
    assert "password-reset" in revoked
    assert _login(client, person.email, NEW_PASSWORD).status_code == 200

    twice = client.post("/v1/auth/reset", json={"resetCode": code, "password": NEW_PASSWORD})
    assert twice.status_code == 400
    assert twice.get_json()["invalidParams"][0]["name"] == "resetCode"


def test_reset_codes_expire_are_replaced_and_open_only_their_own_door(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    w = _world(session)
    person = w["person"]
    h = auth_headers(app, session, w["coach"])
    url = f"/v1/caseload/{person.id}/reset-codes"
    first = client.post(url, headers=h).get_json()["code"]
    second = client.post(url, headers=h).get_json()["code"]
    body = {"password": NEW_PASSWORD}
    assert client.post("/v1/auth/reset", json={**body, "resetCode": first}).status_code == 400
    # a reset code is no invitation code
    register = {"inviteCode": second, "email": person.email, **body}
    assert client.post("/v1/auth/register", json=register).status_code == 404
    # expired
    session.execute(
        update(Invitation)
        .where(Invitation.recipient_id == person.id)
        .values(expires_at=utcnow() - timedelta(seconds=1))
    )
    assert client.post("/v1/auth/reset", json={**body, "resetCode": second}).status_code == 400
    # an invitation code is no reset code
    invite = client.post("/v1/invitations", json={"recipientName": "X"}, headers=h).get_json()
    made_up = client.post("/v1/auth/reset", json={**body, "resetCode": invite["inviteCode"]})
    unknown = client.post("/v1/auth/reset", json={**body, "resetCode": "AAAA-BBBB-CCCC"})
    assert made_up.status_code == unknown.status_code == 400
    assert made_up.get_json() == unknown.get_json()


@pytest.fixture()
def two_people(app: Flask, engine: Engine) -> Iterator[dict[str, Any]]:
    """Two committed accounts with a sign-in each (the rate-limited app has its own connections)."""
    with Session(engine, expire_on_commit=False) as s:
        m = create_municipality(s)
        people = []
        for _ in range(2):
            user = create_user(s, municipality=m)
            with app.app_context():
                pair = signin_service.start_session(s, user)
            people.append({"access": pair.access_token})
        s.commit()
    yield {"people": people}
    with Session(engine) as s:
        s.delete(s.get(Municipality, m.id))
        s.commit()


def test_reset_and_password_change_are_rate_limited(
    engine: Engine, two_people: dict[str, Any]
) -> None:
    client = _limited_app(engine).test_client()
    address = {"REMOTE_ADDR": "198.51.100.77"}
    body = {"resetCode": "AAAA-BBBB-CCCC", "password": NEW_PASSWORD}
    codes = [
        client.post("/v1/auth/reset", json=body, environ_overrides=address).status_code
        for _ in range(10)
    ]
    assert codes == [400] * 10
    _assert_429(client.post("/v1/auth/reset", json=body, environ_overrides=address))

    # guessing at the current password is as limited as signing in (5 a minute per account)
    token = two_people["people"][0]["access"]
    wrong = {"oldPassword": "not-it-at-all", "newPassword": NEW_PASSWORD}
    statuses = [
        client.post("/v1/me/password", json=wrong, headers=_bearer(token)).status_code
        for _ in range(5)
    ]
    assert statuses == [400] * 5
    _assert_429(client.post("/v1/me/password", json=wrong, headers=_bearer(token)))
    other = two_people["people"][1]["access"]
    assert client.post("/v1/me/password", json=wrong, headers=_bearer(other)).status_code == 400
