"""Tokens are trusted only as far as the database agrees: own key per installation, one lookup."""

from __future__ import annotations

import os
import stat
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt as pyjwt
import pytest
from flask import Blueprint, Flask
from flask_jwt_extended import verify_jwt_in_request
from sqlalchemy import Connection, event, select
from sqlalchemy.orm import Session, sessionmaker

from api.app import create_app
from api.auth.models import TokenFamily
from api.auth.security import current_actor, signed_in
from api.config import MIN_SECRET_LENGTH, ConfigError, Settings, installation_secret
from api.profiles.models import RecipientProfile
from tests.conftest import TEST_DATABASE_URL, TEST_JWT_SECRET
from tests.factories import (
    PASSWORD,
    auth_headers,
    create_municipality,
    create_profile,
    create_team,
    create_user,
)

# The key that used to sit in api/config.py as the development default; anyone could read it.
OLD_REPOSITORY_KEY = "meedoen-dev-secret-change-me-0123456789abcdef"  # noqa: S105


def _claims(user, family_id, **over) -> dict:
    now = int(time.time())
    claims = {
        "sub": str(user.id),
        "iat": now,
        "nbf": now,
        "exp": now + 600,
        "jti": str(uuid.uuid4()),
        "type": "access",
        "fresh": False,
        "iss": "meedoen",
        "aud": "meedoen-app",
        "role": user.role,
        "mun": str(user.municipality_id),
        "team": str(user.team_id) if user.team_id else None,
        "fam": str(family_id),
    }
    claims.update(over)
    return {k: v for k, v in claims.items() if v is not ...}


def _sign(claims: dict, secret: str = TEST_JWT_SECRET) -> dict[str, str]:
    return {"Authorization": f"Bearer {pyjwt.encode(claims, secret, algorithm='HS256')}"}


def _family_id(app: Flask, session: Session, user) -> uuid.UUID:
    auth_headers(app, session, user)
    return session.scalars(
        select(TokenFamily.id)
        .where(TokenFamily.user_id == user.id)
        .order_by(TokenFamily.created_at.desc())
        .limit(1)
    ).one()


def _assert_401(resp) -> None:
    assert resp.status_code == 401, resp.get_data(as_text=True)
    assert resp.content_type == "application/problem+json"


@pytest.fixture()
def key_file(tmp_path: Path) -> Path:
    return tmp_path / "instance" / "jwt-secret"


@pytest.fixture()
def installed_app(
    engine, connection: Connection, session: Session, key_file: Path
) -> Iterator[Flask]:
    """The app as `make run` starts it: no JWT_SECRET_KEY, so its own generated key."""
    settings = Settings.from_env(
        {"DATABASE_URL": TEST_DATABASE_URL, "RATE_LIMITS": "off", "JWT_SECRET_FILE": str(key_file)}
    )
    app = create_app(settings, engine=engine)
    probe = Blueprint("probe", __name__)

    @probe.route("/v1/test-whoami")
    @signed_in
    def whoami():
        verify_jwt_in_request()  # a second check in the same request (as @idempotent does)
        actor = current_actor()
        return {"user": str(actor.user_id), "role": actor.role, "mun": str(actor.municipality_id)}

    app.register_blueprint(probe)
    app.extensions["meedoen_sessionmaker"] = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    yield app


# --- the signing key --------------------------------------------------------------------------


def test_key_file_is_created_once_with_mode_600_and_reused(key_file: Path) -> None:
    first = Settings.from_env({"JWT_SECRET_FILE": str(key_file)}).jwt_secret_key
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(key_file.parent.stat().st_mode) == 0o700
    assert len(first) >= MIN_SECRET_LENGTH and first != OLD_REPOSITORY_KEY
    before = key_file.stat().st_mtime_ns, key_file.stat().st_ino
    again = Settings.from_env({"JWT_SECRET_FILE": str(key_file)}).jwt_secret_key
    assert again == first
    assert (key_file.stat().st_mtime_ns, key_file.stat().st_ino) == before
    assert os.listdir(key_file.parent) == ["jwt-secret"]  # no temporary files left behind
    other = Settings.from_env({"JWT_SECRET_FILE": str(key_file.parent / "other")}).jwt_secret_key
    assert other != first  # random per installation, not a shared default


def test_workers_starting_together_share_one_key(key_file: Path) -> None:
    start = threading.Barrier(8)
    keys: list[str] = []

    def worker() -> None:
        start.wait()
        keys.append(installation_secret(key_file))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(keys) == 8 and len(set(keys)) == 1
    assert key_file.read_text().strip() == keys[0]


def test_unsafe_key_file_is_refused(key_file: Path) -> None:
    key_file.parent.mkdir()
    key_file.write_text("x" * 64)
    key_file.chmod(0o644)
    with pytest.raises(ConfigError, match="600"):
        Settings.from_env({"JWT_SECRET_FILE": str(key_file)})
    key_file.chmod(0o600)
    key_file.write_text("too-short")
    with pytest.raises(ConfigError, match="no usable key"):
        Settings.from_env({"JWT_SECRET_FILE": str(key_file)})


def test_production_refuses_a_missing_or_short_key(key_file: Path) -> None:
    for secret in (None, "", "x" * (MIN_SECRET_LENGTH - 1)):
        env = {"MEEDOEN_ENV": "production", "JWT_SECRET_FILE": str(key_file)}
        if secret is not None:
            env["JWT_SECRET_KEY"] = secret
        with pytest.raises(ConfigError, match="JWT_SECRET_KEY"):
            Settings.from_env(env)
    assert not key_file.exists()  # production never falls back to a generated key
    strong = "k" * MIN_SECRET_LENGTH
    assert Settings.from_env({"MEEDOEN_ENV": "production", "JWT_SECRET_KEY": strong})
    with pytest.raises(ConfigError, match="too short"):
        Settings.from_env({"JWT_SECRET_KEY": "short"})


def test_token_forged_with_the_old_repository_key_is_refused(
    installed_app: Flask, session: Session
) -> None:
    m = create_municipality(session)
    coach = create_user(session, municipality=m, role="coach", email="coach@example.org")
    person = create_user(session, municipality=m, role="recipient", coach=coach)
    client = installed_app.test_client()
    pair = client.post(
        "/v1/auth/login", json={"email": "coach@example.org", "password": PASSWORD}
    ).get_json()
    real = pyjwt.decode(pair["accessToken"], options={"verify_signature": False})
    detail = f"/v1/caseload/{person.id}"
    own = {"Authorization": f"Bearer {pair['accessToken']}"}
    assert client.get(detail, headers=own).status_code == 200
    # exactly the same claims, signed with the key anyone could read in the repository
    _assert_401(client.get(detail, headers=_sign(real, OLD_REPOSITORY_KEY)))


# --- claims must agree with the database ------------------------------------------------------


def test_claims_that_disagree_with_the_database_are_401(app, client, session: Session) -> None:
    m = create_municipality(session)
    other_m = create_municipality(session)
    coach = create_user(session, municipality=m, role="coach")
    person = create_user(session, municipality=m, role="recipient", coach=coach)
    foreign_coach = create_user(session, municipality=other_m, role="coach")
    foreign_person = create_user(
        session, municipality=other_m, role="recipient", coach=foreign_coach
    )
    team = create_team(session, municipality=m)
    fam = _family_id(app, session, person)
    coach_fam = _family_id(app, session, coach)
    detail = f"/v1/caseload/{foreign_person.id}"
    ok = client.get(f"/v1/caseload/{person.id}", headers=_sign(_claims(coach, coach_fam)))
    assert ok.status_code == 200  # the handmade token is fine as long as it tells the truth
    forged = [
        # a recipient makes themselves a coach of another municipality (the reported attack)
        _claims(person, fam, role="coach", mun=str(other_m.id)),
        _claims(person, fam, role="coach"),
        _claims(coach, coach_fam, role="admin"),
        _claims(coach, coach_fam, mun=str(other_m.id)),
        _claims(coach, coach_fam, team=str(team.id)),
        # another person's identity on one's own sign-in, and the reverse
        _claims(foreign_coach, coach_fam),
        _claims(coach, fam),
        _claims(coach, uuid.uuid4()),
        _claims(coach, coach_fam, fam=...),
        _claims(coach, coach_fam, fam="not-a-uuid"),
    ]
    for claims in forged:
        _assert_401(client.get(detail, headers=_sign(claims)))
        _assert_401(client.get(f"/v1/caseload/{person.id}", headers=_sign(claims)))


def test_token_without_exp_is_401(app, client, session: Session) -> None:
    m = create_municipality(session)
    coach = create_user(session, municipality=m, role="coach")
    person = create_user(session, municipality=m, role="recipient", coach=coach)
    fam = _family_id(app, session, coach)
    assert (
        client.get(f"/v1/caseload/{person.id}", headers=_sign(_claims(coach, fam))).status_code
        == 200
    )
    for missing in ("exp", "iat"):
        _assert_401(
            client.get(
                f"/v1/caseload/{person.id}", headers=_sign(_claims(coach, fam, **{missing: ...}))
            )
        )


def test_changed_role_municipality_or_team_ends_the_token(app, client, session: Session) -> None:
    m = create_municipality(session)
    other_m = create_municipality(session)
    coach = create_user(session, municipality=m, role="coach")
    admin = create_user(session, municipality=m, role="admin")
    organizer = create_user(session, municipality=m, role="organizer")
    h_coach = auth_headers(app, session, coach)
    h_admin = auth_headers(app, session, admin)
    h_org = auth_headers(app, session, organizer)
    for h in (h_coach, h_admin, h_org):
        assert client.get("/v1/me/access-log", headers=h).status_code == 200
    coach.role = "admin"
    admin.municipality_id = other_m.id
    organizer.team_id = create_team(session, municipality=m, name="Ander team").id
    session.flush()
    for h in (h_coach, h_admin, h_org):
        _assert_401(client.get("/v1/me/access-log", headers=h))
    # a new sign-in carries the new facts and works
    assert (
        client.get("/v1/me/access-log", headers=auth_headers(app, session, coach)).status_code
        == 200
    )


def test_deactivated_or_erased_user_is_401_at_the_next_request(
    app, client, session: Session
) -> None:
    m = create_municipality(session)
    coach = create_user(session, municipality=m, role="coach")
    person = create_user(session, municipality=m, role="recipient", coach=coach)
    h_coach = auth_headers(app, session, coach)
    h_person = auth_headers(app, session, person)
    assert client.get("/v1/me/access-log", headers=h_coach).status_code == 200
    coach.is_active = False
    session.flush()
    _assert_401(client.get("/v1/me/access-log", headers=h_coach))
    assert client.delete("/v1/me", headers=h_person).status_code == 204
    _assert_401(client.get("/v1/me/access-log", headers=h_person))


def test_revoked_family_is_401_after_logout_and_after_refresh_reuse(
    client, session: Session
) -> None:
    m = create_municipality(session)
    create_user(session, municipality=m, role="coach", email="fam@example.org")

    def login() -> dict:
        body = {"email": "fam@example.org", "password": PASSWORD}
        return client.post("/v1/auth/login", json=body).get_json()

    def bearer(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    out = login()
    assert client.post("/v1/auth/logout", headers=bearer(out["accessToken"])).status_code == 204
    _assert_401(client.get("/v1/me/access-log", headers=bearer(out["accessToken"])))
    _assert_401(client.post("/v1/auth/refresh", headers=bearer(out["refreshToken"])))

    stolen = login()
    rotated = client.post("/v1/auth/refresh", headers=bearer(stolen["refreshToken"])).get_json()
    assert (
        client.get("/v1/me/access-log", headers=bearer(rotated["accessToken"])).status_code == 200
    )
    _assert_401(client.post("/v1/auth/refresh", headers=bearer(stolen["refreshToken"])))
    for token in (stolen["accessToken"], rotated["accessToken"]):
        _assert_401(client.get("/v1/me/access-log", headers=bearer(token)))


# --- cost -------------------------------------------------------------------------------------


def test_each_request_resolves_the_user_with_one_statement(
    installed_app: Flask, connection: Connection, session: Session
) -> None:
    m = create_municipality(session)
    coach = create_user(session, municipality=m, role="coach", email="cost@example.org")
    client = installed_app.test_client()
    token = client.post(
        "/v1/auth/login", json={"email": "cost@example.org", "password": PASSWORD}
    ).get_json()["accessToken"]
    statements: list[str] = []

    def listen(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(connection, "before_cursor_execute", listen)
    try:
        resp = client.get("/v1/test-whoami", headers={"Authorization": f"Bearer {token}"})
    finally:
        event.remove(connection, "before_cursor_execute", listen)
    assert resp.status_code == 200
    # the actor is the database's row (verified twice in the request, looked up once)
    assert resp.get_json() == {"user": str(coach.id), "role": "coach", "mun": str(m.id)}
    sql = [s for s in statements if "SAVEPOINT" not in s.upper()]
    assert len(sql) == 1, sql
    assert "token_families" in sql[0] and "users" in sql[0]


def test_the_lookup_is_not_reused_by_a_later_request(app, client, session: Session) -> None:
    coach = create_user(session, municipality=create_municipality(session), role="coach")
    h = auth_headers(app, session, coach)
    with app.app_context():  # one app context (and flask.g) over two requests
        assert client.get("/v1/me/access-log", headers=h).status_code == 200
        coach.is_active = False
        session.flush()
        _assert_401(client.get("/v1/me/access-log", headers=h))


def test_a_verified_token_is_refused_once_it_expires(app, client, session: Session) -> None:
    """Verified tokens are remembered per process, but never past their expiry."""
    m = create_municipality(session)
    coach = create_user(session, municipality=m, role="coach")
    person = create_user(session, municipality=m, role="recipient", coach=coach)
    fam = _family_id(app, session, coach)
    headers = _sign(_claims(coach, fam, exp=int(time.time()) + 3))
    for _ in range(2):  # the second answer comes from the remembered verification
        assert client.get(f"/v1/caseload/{person.id}", headers=headers).status_code == 200
    time.sleep(3.2)
    expired = client.get(f"/v1/caseload/{person.id}", headers=headers)
    _assert_401(expired)
    assert expired.get_json()["code"] == "token_expired"
    # and a token signed with another key is refused even when its text was seen before
    other = create_app()
    other.config["JWT_SECRET_KEY"] = "another-installation-" + "x" * 40
    fresh = _sign(_claims(coach, fam))
    assert client.get(f"/v1/caseload/{person.id}", headers=fresh).status_code == 200
    with other.test_request_context(headers=fresh), pytest.raises(pyjwt.InvalidSignatureError):
        verify_jwt_in_request()


# --- the feed confirms the sign-in in its own query ---------------------------------------------


def test_the_feed_refuses_what_every_other_route_refuses(app, client, session: Session) -> None:
    """The feed checks the sign-in in its one query (not a lookup of its own first): the same
    forged, ended or outdated tokens are 401, a coach is 403, and a refused request makes
    nobody's profile."""
    m = create_municipality(session)
    other_m = create_municipality(session)
    coach = create_user(session, municipality=m, role="coach")
    person = create_user(session, municipality=m, role="recipient", coach=coach)
    other = create_user(session, municipality=m, role="recipient", coach=coach)
    create_profile(session, user=person)
    fam = _family_id(app, session, person)
    coach_fam = _family_id(app, session, coach)
    ok = client.get("/v1/me/feed", headers=_sign(_claims(person, fam)))
    assert ok.status_code == 200 and ok.get_json()["profileComplete"] is True
    forged = [
        _claims(person, fam, role="coach"),
        _claims(person, fam, mun=str(other_m.id)),
        _claims(person, fam, mun=str(m.id).upper()),
        _claims(person, fam, team=str(uuid.uuid4())),
        _claims(other, fam),  # another person's identity on one's own sign-in
        _claims(person, coach_fam),
        _claims(person, uuid.uuid4()),
        _claims(person, fam, fam="not-a-uuid"),
    ]
    for claims in forged:
        resp = client.get("/v1/me/feed", headers=_sign(claims))
        _assert_401(resp)
        assert "items" not in resp.get_json()
    assert client.get("/v1/me/feed", headers=auth_headers(app, session, coach)).status_code == 403
    # a person without a profile yet: a refused request does not make one
    other_h = auth_headers(app, session, other)
    other.is_active = False
    session.flush()
    resp = client.get("/v1/me/feed", headers=other_h)
    _assert_401(resp)
    assert resp.get_json()["code"] == "token_revoked"
    assert resp.headers["WWW-Authenticate"] == 'Bearer realm="meedoen"'
    assert (
        session.scalar(select(RecipientProfile).where(RecipientProfile.user_id == other.id)) is None
    )
    # ended sign-ins: the person's after logout, a coach's (401 before 403)
    h = auth_headers(app, session, person)
    assert client.post("/v1/auth/logout", headers=h).status_code == 204
    _assert_401(client.get("/v1/me/feed", headers=h))
    coach_h = auth_headers(app, session, coach)
    assert client.post("/v1/auth/logout", headers=coach_h).status_code == 204
    _assert_401(client.get("/v1/me/feed", headers=coach_h))


def test_the_feed_costs_one_statement_with_its_sign_in_check(
    app, client, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Counted at the driver: the feed runs its one query on the driver's own cursor."""
    import psycopg

    m = create_municipality(session)
    person = create_user(session, municipality=m, role="recipient")
    profile = create_profile(session, user=person)
    profile.availability = []  # no times yet: nothing to rank
    session.flush()
    h = auth_headers(app, session, person)
    statements: list[str] = []
    execute = psycopg.Cursor.execute

    def counted(cursor: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
        statements.append(str(query))
        return execute(cursor, query, *args, **kwargs)

    monkeypatch.setattr(psycopg.Cursor, "execute", counted)
    resp = client.get("/v1/me/feed", headers=h)
    monkeypatch.undo()
    assert resp.status_code == 200 and resp.get_json()["profileComplete"] is False
    sql = [s for s in statements if "SAVEPOINT" not in s.upper()]
    assert len(sql) == 1, sql
    assert "token_families" in sql[0] and "recipient_profiles" in sql[0]
