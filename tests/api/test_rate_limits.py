"""Sign-in is limited per account and per address, writes per caller; 429 says when to retry."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy.orm import Session

from api.app import create_app
from api.config import Settings
from tests.conftest import TEST_DATABASE_URL
from tests.factories import (
    auth_headers,
    create_municipality,
    create_opportunity,
    create_profile,
    create_team,
    create_user,
)


def _limited_app(engine: Any) -> Flask:
    settings = Settings.from_env({"DATABASE_URL": TEST_DATABASE_URL, "RATE_LIMITS": "on"})
    return create_app(settings, engine=engine)


def _assert_429(resp) -> None:
    assert resp.status_code == 429
    assert resp.content_type == "application/problem+json"
    assert int(resp.headers["Retry-After"]) >= 1


def test_login_per_account_then_per_address(engine) -> None:
    client = _limited_app(engine).test_client()
    first = {"REMOTE_ADDR": "198.51.100.7"}
    body = {"email": "target@example.org", "password": "wrong-password"}
    for _ in range(5):
        assert client.post("/v1/auth/login", json=body, environ_overrides=first).status_code == 401
    _assert_429(client.post("/v1/auth/login", json=body, environ_overrides=first))
    # the same account from another address is still limited (per account) ...
    _assert_429(
        client.post("/v1/auth/login", json=body, environ_overrides={"REMOTE_ADDR": "198.51.100.8"})
    )
    # ... while another account from the first address is not (yet)
    other = {"email": "someone@example.org", "password": "wrong-password"}
    assert client.post("/v1/auth/login", json=other, environ_overrides=first).status_code == 401
    # one address trying many accounts hits the per-address limit
    spray = {"REMOTE_ADDR": "198.51.100.9"}
    codes = [
        client.post(
            "/v1/auth/login",
            json={"email": f"u{i}@example.org", "password": "x" * 8},
            environ_overrides=spray,
        ).status_code
        for i in range(21)
    ]
    assert codes[:20] == [401] * 20 and codes[20] == 429


def test_writes_are_limited_per_caller_reads_are_not(engine) -> None:
    client = _limited_app(engine).test_client()
    headers = {"Authorization": "Bearer not-a-real-token"}
    codes = [client.post("/v1/me/devices", json={}, headers=headers).status_code for _ in range(61)]
    assert set(codes[:60]) == {401} and codes[60] == 429
    assert client.get("/v1/health").status_code == 200


def test_daily_cap_on_interest_requests(app, client, session: Session) -> None:
    m = create_municipality(session)
    team = create_team(session, municipality=m)
    person = create_user(session, municipality=m, role="recipient")
    create_profile(session, user=person)
    h = auth_headers(app, session, person)
    opps = [create_opportunity(session, team=team, title=f"Klus {i}") for i in range(6)]
    for opp in opps[:5]:
        assert (
            client.post(
                "/v1/me/matches", json={"opportunityId": str(opp.id)}, headers=h
            ).status_code
            == 201
        )
    resp = client.post("/v1/me/matches", json={"opportunityId": str(opps[5].id)}, headers=h)
    _assert_429(resp)
    assert "5" in resp.get_json()["detail"]


def test_limits_are_shared_through_redis_when_configured(engine) -> None:
    """Two app instances (two servers) with REDIS_URL count together."""
    import random
    import uuid

    import redis

    url = "redis://127.0.0.1:6379/15"
    redis.Redis.from_url(url).ping()  # the machine's Redis; fails loudly when it is missing
    settings = Settings.from_env(
        {"DATABASE_URL": TEST_DATABASE_URL, "RATE_LIMITS": "on", "REDIS_URL": url}
    )
    first, second = (create_app(settings, engine=engine).test_client() for _ in range(2))
    address = {"REMOTE_ADDR": f"198.18.{random.randint(0, 255)}.{random.randint(1, 254)}"}
    body = {"email": f"{uuid.uuid4().hex}@example.org", "password": "wrong-password"}
    codes = [
        (first if i % 2 else second)
        .post("/v1/auth/login", json=body, environ_overrides=address)
        .status_code
        for i in range(6)
    ]
    assert codes == [401] * 5 + [429]
    # the counters live in Redis (where other servers see them), not in this process
    keys = redis.Redis.from_url(url).keys(f"LIMITS:LIMITER/meedoen/{address['REMOTE_ADDR']}/*")
    assert keys
