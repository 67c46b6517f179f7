"""Sign-in, token checks, rotation with reuse detection, sign-out, invitations."""

from __future__ import annotations

import base64
import json
import time
from datetime import timedelta

import jwt as pyjwt
from flask import Flask
from flask_jwt_extended import create_access_token
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.auth.models import TokenFamily
from tests.conftest import TEST_JWT_SECRET
from tests.factories import PASSWORD, auth_headers, create_municipality, create_user


def _login(client, email: str, password: str = PASSWORD):
    return client.post("/v1/auth/login", json={"email": email, "password": password})


def test_login_returns_tokens_and_role(client, session: Session) -> None:
    m = create_municipality(session)
    user = create_user(session, municipality=m, role="coach", email="Coach.One@example.org")
    resp = _login(client, "coach.one@EXAMPLE.org")
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["role"] == "coach"
    claims = pyjwt.decode(body["accessToken"], options={"verify_signature": False})
    assert claims["sub"] == str(user.id)
    assert claims["iss"] == "meedoen" and claims["aud"] == "meedoen-app"
    assert claims["exp"] - claims["iat"] == 15 * 60
    me = client.post(
        "/v1/invitations",
        json={"recipientName": "Fatima"},
        headers={"Authorization": f"Bearer {body['accessToken']}"},
    )
    assert me.status_code == 201


def test_login_failures_are_the_same_401(client, session: Session) -> None:
    m = create_municipality(session)
    create_user(session, municipality=m, email="a@example.org")
    create_user(session, municipality=m, email="inactive@example.org", active=False)
    wrong_pw = _login(client, "a@example.org", "wrong password")
    unknown = _login(client, "nobody@example.org")
    inactive = _login(client, "inactive@example.org")
    for resp in (wrong_pw, unknown, inactive):
        assert resp.status_code == 401
        assert resp.content_type == "application/problem+json"
        assert resp.get_json()["detail"] == wrong_pw.get_json()["detail"]


def test_login_bad_input_names_fields(client, session: Session) -> None:
    resp = client.post("/v1/auth/login", json={"email": "not-an-email", "pin": 1})
    assert resp.status_code == 400
    names = {p["name"] for p in resp.get_json()["invalidParams"]}
    assert names == {"email", "password", "pin"}


def _token(app: Flask, claims: dict, *, secret: str = TEST_JWT_SECRET, alg: str = "HS256") -> str:
    return pyjwt.encode(claims, secret, algorithm=alg)


def _base_claims(user, family_id) -> dict:
    now = int(time.time())
    return {
        "sub": str(user.id),
        "iat": now,
        "nbf": now,
        "exp": now + 600,
        "jti": "x",
        "type": "access",
        "fresh": False,
        "iss": "meedoen",
        "aud": "meedoen-app",
        "role": user.role,
        "mun": str(user.municipality_id),
        "team": None,
        "fam": str(family_id),
    }


def _family(app: Flask, session: Session, user):
    auth_headers(app, session, user)
    return session.scalars(select(TokenFamily).where(TokenFamily.user_id == user.id)).first()


def _invite(client, token: str):
    return client.post(
        "/v1/invitations",
        json={"recipientName": "Jan"},
        headers={"Authorization": f"Bearer {token}"},
    )


def test_good_handmade_token_is_accepted(app, client, session) -> None:
    user = create_user(session, municipality=create_municipality(session), role="coach")
    fam = _family(app, session, user)
    assert _invite(client, _token(app, _base_claims(user, fam.id))).status_code == 201


def test_expired_tampered_none_and_wrong_audience_tokens_are_401(app, client, session) -> None:
    user = create_user(session, municipality=create_municipality(session), role="coach")
    fam = _family(app, session, user)
    good = _base_claims(user, fam.id)
    expired = {
        **good,
        "iat": good["iat"] - 3600,
        "nbf": good["nbf"] - 3600,
        "exp": good["iat"] - 60,
    }
    wrong_aud = {**good, "aud": "someone-else"}
    wrong_iss = {**good, "iss": "evil"}
    header = base64.urlsafe_b64encode(json.dumps({"alg": "none", "typ": "JWT"}).encode()).rstrip(
        b"="
    )
    payload = base64.urlsafe_b64encode(json.dumps(good).encode()).rstrip(b"=")
    alg_none = (header + b"." + payload + b".").decode()
    signed = _token(app, good)
    head, body, sig = signed.split(".")
    forged_body = (
        base64.urlsafe_b64encode(json.dumps({**good, "role": "admin"}).encode())
        .rstrip(b"=")
        .decode()
    )
    tampered = f"{head}.{forged_body}.{sig}"
    other_secret = _token(app, good, secret="another-secret-that-is-long-enough-1234")
    hs512 = _token(app, good, alg="HS512")
    for token in (
        _token(app, expired),
        _token(app, wrong_aud),
        _token(app, wrong_iss),
        alg_none,
        tampered,
        other_secret,
        hs512,
        "not-a-jwt",
    ):
        resp = _invite(client, token)
        assert resp.status_code == 401, token
        assert resp.content_type == "application/problem+json"
        assert resp.get_json()["status"] == 401


def test_refresh_rotates_and_reuse_revokes_family(client, session: Session) -> None:
    m = create_municipality(session)
    create_user(session, municipality=m, role="coach", email="c@example.org")
    first = _login(client, "c@example.org").get_json()
    r1 = client.post(
        "/v1/auth/refresh", headers={"Authorization": f"Bearer {first['refreshToken']}"}
    )
    assert r1.status_code == 200
    second = r1.get_json()
    assert second["refreshToken"] != first["refreshToken"]
    assert _invite(client, second["accessToken"]).status_code == 201
    # the spent token comes back: the whole family ends, including the newest tokens
    reuse = client.post(
        "/v1/auth/refresh", headers={"Authorization": f"Bearer {first['refreshToken']}"}
    )
    assert reuse.status_code == 401
    assert reuse.content_type == "application/problem+json"
    assert _invite(client, second["accessToken"]).status_code == 401
    again = client.post(
        "/v1/auth/refresh", headers={"Authorization": f"Bearer {second['refreshToken']}"}
    )
    assert again.status_code == 401
    # another sign-in is unaffected
    fresh = _login(client, "c@example.org").get_json()
    assert _invite(client, fresh["accessToken"]).status_code == 201


def test_access_token_cannot_refresh_and_refresh_cannot_act(client, session: Session) -> None:
    m = create_municipality(session)
    create_user(session, municipality=m, role="coach", email="c2@example.org")
    pair = _login(client, "c2@example.org").get_json()
    assert (
        client.post(
            "/v1/auth/refresh", headers={"Authorization": f"Bearer {pair['accessToken']}"}
        ).status_code
        == 401
    )
    assert _invite(client, pair["refreshToken"]).status_code == 401


def test_logout_revokes_access_and_refresh(client, session: Session) -> None:
    m = create_municipality(session)
    create_user(session, municipality=m, role="coach", email="c3@example.org")
    pair = _login(client, "c3@example.org").get_json()
    out = client.post("/v1/auth/logout", headers={"Authorization": f"Bearer {pair['accessToken']}"})
    assert out.status_code == 204
    assert _invite(client, pair["accessToken"]).status_code == 401
    assert (
        client.post(
            "/v1/auth/refresh", headers={"Authorization": f"Bearer {pair['refreshToken']}"}
        ).status_code
        == 401
    )


def test_role_denial_is_403_problem(app, client, session: Session) -> None:
    m = create_municipality(session)
    recipient = create_user(session, municipality=m, role="recipient")
    resp = client.post(
        "/v1/invitations",
        json={"recipientName": "X"},
        headers=auth_headers(app, session, recipient),
    )
    assert resp.status_code == 403
    assert resp.content_type == "application/problem+json"
    coach = create_user(session, municipality=m, role="coach")
    resp = client.post(
        "/v1/admin/users",
        json={"email": "new@example.org", "role": "coach", "name": "Nieuwe Coach"},
        headers=auth_headers(app, session, coach),
    )
    assert resp.status_code == 403


def test_invitation_register_flow(app, client, session: Session) -> None:
    m = create_municipality(session)
    coach = create_user(session, municipality=m, role="coach")
    resp = client.post(
        "/v1/invitations",
        json={"recipientName": "Amina", "email": "Amina@Example.org"},
        headers=auth_headers(app, session, coach),
    )
    assert resp.status_code == 201
    code = resp.get_json()["inviteCode"]
    # before activation the person cannot sign in
    assert _login(client, "amina@example.org", "mijn-wachtwoord").status_code == 401
    wrong_email = client.post(
        "/v1/auth/register",
        json={"inviteCode": code, "email": "other@example.org", "password": "mijn-wachtwoord"},
    )
    assert wrong_email.status_code == 400
    assert wrong_email.get_json()["invalidParams"][0]["name"] == "email"
    short = client.post(
        "/v1/auth/register",
        json={"inviteCode": code, "email": "amina@example.org", "password": "kort"},
    )
    assert short.status_code == 400
    assert short.get_json()["invalidParams"][0]["name"] == "password"
    ok = client.post(
        "/v1/auth/register",
        json={
            "inviteCode": code.lower(),
            "email": "amina@example.org",
            "password": "mijn-wachtwoord",
        },
    )
    assert ok.status_code == 201
    assert ok.get_json()["role"] == "recipient"
    assert _login(client, "amina@example.org", "mijn-wachtwoord").status_code == 200
    again = client.post(
        "/v1/auth/register",
        json={"inviteCode": code, "email": "amina@example.org", "password": "nog-een-keer"},
    )
    assert again.status_code == 404


def test_expired_invitation_is_refused(app, client, session: Session) -> None:
    from api.invitations.models import Invitation

    m = create_municipality(session)
    coach = create_user(session, municipality=m, role="coach")
    code = client.post(
        "/v1/invitations", json={"recipientName": "Piet"}, headers=auth_headers(app, session, coach)
    ).get_json()["inviteCode"]
    inv = session.scalars(select(Invitation).order_by(Invitation.created_at.desc())).first()
    assert inv is not None
    inv.expires_at = inv.expires_at - timedelta(days=30)
    session.flush()
    resp = client.post(
        "/v1/auth/register",
        json={"inviteCode": code, "email": "piet@example.org", "password": "lang-genoeg"},
    )
    assert resp.status_code == 404


def test_admin_creates_staff_in_own_municipality_only(app, client, session: Session) -> None:
    m = create_municipality(session)
    other = create_municipality(session)
    admin = create_user(session, municipality=m, role="admin")
    from tests.factories import create_team

    own_team = create_team(session, municipality=m)
    foreign_team = create_team(session, municipality=other)
    h = auth_headers(app, session, admin)
    ok = client.post(
        "/v1/admin/users",
        json={
            "email": "org@example.org",
            "role": "organizer",
            "name": "Org",
            "teamId": str(own_team.id),
        },
        headers=h,
    )
    assert ok.status_code == 201
    body = ok.get_json()
    assert body["municipalityId"] == str(m.id) and body["inviteCode"]
    foreign = client.post(
        "/v1/admin/users",
        json={
            "email": "org2@example.org",
            "role": "organizer",
            "name": "Org",
            "teamId": str(foreign_team.id),
        },
        headers=h,
    )
    assert foreign.status_code == 400
    assert foreign.get_json()["invalidParams"][0]["name"] == "teamId"
    dup = client.post(
        "/v1/admin/users",
        json={"email": "ORG@example.org", "role": "coach", "name": "Dup"},
        headers=h,
    )
    assert dup.status_code == 409
    bad_role = client.post(
        "/v1/admin/users",
        json={"email": "x@example.org", "role": "recipient", "name": "X"},
        headers=h,
    )
    assert bad_role.status_code == 400
    # staff activate their account with the code and can then sign in
    reg = client.post(
        "/v1/auth/register",
        json={
            "inviteCode": body["inviteCode"],
            "email": "org@example.org",
            "password": "organiser-pw",
        },
    )
    assert reg.status_code == 201 and reg.get_json()["role"] == "organizer"


def test_access_token_of_deactivated_user_stops_working(app, client, session: Session) -> None:
    coach = create_user(session, municipality=create_municipality(session), role="coach")
    h = auth_headers(app, session, coach)
    coach.is_active = False
    session.flush()
    assert client.post("/v1/invitations", json={"recipientName": "A"}, headers=h).status_code == 401


def test_flask_jwt_created_token_carries_pinned_claims(app) -> None:
    with app.app_context():
        token = create_access_token(identity="x")
    header = pyjwt.get_unverified_header(token)
    claims = pyjwt.decode(token, options={"verify_signature": False})
    assert header["alg"] == "HS256"
    assert claims["iss"] == "meedoen" and claims["aud"] == "meedoen-app"
