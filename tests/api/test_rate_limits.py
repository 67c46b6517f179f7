"""Rate limits mean what they say: shared by every process, per account when signed in, per address
when not; 429 says when to retry and is documented wherever it can happen."""

from __future__ import annotations

import logging
import random
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from flask import Flask
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from api.app import create_app
from api.config import Settings
from api.meta.openapi import build_openapi
from api.municipalities.models import Municipality
from api.ratelimit import limiter
from api.signin import service as signin_service
from tests.api.live import TEST_REDIS_URL, live_servers, redis_prefix
from tests.conftest import TEST_DATABASE_URL, TEST_JWT_SECRET
from tests.factories import (
    auth_headers,
    create_municipality,
    create_opportunity,
    create_profile,
    create_team,
    create_user,
)

WRITE_METHODS = {"post", "put", "patch", "delete"}


def _limited_app(engine: Any, **env: str) -> Flask:
    settings = Settings.from_env(
        {
            "DATABASE_URL": TEST_DATABASE_URL,
            "RATE_LIMITS": "on",
            "JWT_SECRET_KEY": TEST_JWT_SECRET,  # tokens minted by the suite's app verify here
            **env,
        }
    )
    return create_app(settings, engine=engine)


@pytest.fixture()
def prefix() -> Iterator[str]:
    with redis_prefix() as p:
        yield p


def _assert_429(resp) -> None:
    assert resp.status_code == 429
    assert resp.content_type == "application/problem+json"
    assert int(resp.headers["Retry-After"]) >= 1


def _address() -> dict[str, str]:
    return {"REMOTE_ADDR": f"198.18.{random.randint(0, 255)}.{random.randint(1, 254)}"}


def test_a_limit_is_told_in_the_readers_language_not_the_limiters(engine) -> None:
    """The limiter's own text ("5 per 1 minute") is English and names no next step."""
    client = _limited_app(engine).test_client()
    here = {"REMOTE_ADDR": "198.51.100.21"}
    body = {"email": "limits-language@example.org", "password": "wrong-password"}
    for _ in range(5):
        client.post("/v1/auth/login", json=body, environ_overrides=here)
    dutch = client.post("/v1/auth/login", json=body, environ_overrides=here)
    _assert_429(dutch)
    assert dutch.get_json()["detail"] == (
        "Veel verzoeken in korte tijd. Wacht even en probeer het dan opnieuw."
    )
    english = client.post(
        "/v1/auth/login", json=body, environ_overrides=here, headers={"Accept-Language": "en"}
    )
    _assert_429(english)
    assert english.get_json()["detail"] == (
        "Too many requests in a short time. Please wait a moment and try again."
    )


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


def test_writes_without_a_valid_token_are_limited_per_address(engine) -> None:
    client = _limited_app(engine).test_client()
    address = _address()
    # a made-up token for every request earns no fresh counter: the address is counted
    codes = [
        client.post(
            "/v1/me/devices",
            json={},
            headers={"Authorization": f"Bearer made-up-{i}"},
            environ_overrides=address,
        ).status_code
        for i in range(61)
    ]
    assert set(codes[:60]) == {401} and codes[60] == 429
    assert client.get("/v1/health", environ_overrides=address).status_code == 200  # reads are not


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


def test_limits_are_shared_through_redis(engine, prefix: str) -> None:
    """Two app instances with the same REDIS_URL count together; the counters live in Redis."""
    env = {"REDIS_URL": TEST_REDIS_URL, "RATE_LIMIT_PREFIX": prefix}
    first, second = (_limited_app(engine, **env).test_client() for _ in range(2))
    address = _address()
    body = {"email": f"{uuid.uuid4().hex}@example.org", "password": "wrong-password"}
    codes = [
        (first if i % 2 else second)
        .post("/v1/auth/login", json=body, environ_overrides=address)
        .status_code
        for i in range(6)
    ]
    assert codes == [401] * 5 + [429]
    keys = redis.Redis.from_url(TEST_REDIS_URL).keys(f"LIMITS:LIMITER/{prefix}/*")
    assert any(address["REMOTE_ADDR"].encode() in k for k in keys)


def test_parallel_wrong_logins_for_one_account_on_two_servers_give_exactly_the_limit(
    prefix: str,
) -> None:
    """The finding: 24 parallel wrong logins gave 10 x 401 with a limit of 5 (per-worker counts).

    Two real servers (each with its processes, as `make run` starts them) share one Redis; every
    request comes from another address (PROXY_COUNT=1 trusts X-Forwarded-For here), so only the
    per-account limit (5 per minute) can stop them.
    """
    env = {"REDIS_URL": TEST_REDIS_URL, "RATE_LIMIT_PREFIX": prefix, "PROXY_COUNT": "1"}
    body = f'{{"email": "{uuid.uuid4().hex}@example.org", "password": "wrong-password"}}'.encode()
    with live_servers(2, **env) as (one, two):
        barrier = threading.Barrier(24)
        statuses: list[int] = []
        lock = threading.Lock()

        def attempt(i: int) -> None:
            server = one if i % 2 else two
            headers = {"Content-Type": "application/json", "X-Forwarded-For": f"198.19.7.{i + 1}"}
            barrier.wait(timeout=30)
            status, _, _ = server.request(
                "POST", "/v1/auth/login", body=body, headers=headers, timeout=60
            )
            with lock:
                statuses.append(status)

        threads = [threading.Thread(target=attempt, args=(i,)) for i in range(24)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=90)
    print(f"\n24 parallel wrong logins for one account on two servers: {dict(Counter(statuses))}")
    assert Counter(statuses) == {401: 5, 429: 19}


@pytest.fixture()
def two_people(app: Flask, engine: Engine) -> Iterator[dict[str, Any]]:
    """Two committed recipients with a profile and a sign-in each; removed afterwards."""
    with Session(engine, expire_on_commit=False) as s:
        m = create_municipality(s)
        people = []
        for _ in range(2):
            user = create_user(s, municipality=m, role="recipient")
            create_profile(s, user=user)
            with app.app_context():
                pair = signin_service.start_session(s, user)
            people.append(
                {"user": user, "access": pair.access_token, "refresh": pair.refresh_token}
            )
        s.commit()
    yield {"people": people}
    with Session(engine) as s:
        s.delete(s.get(Municipality, m.id))
        s.commit()


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_two_people_behind_one_address_are_limited_separately(
    engine, prefix: str, two_people: dict[str, Any]
) -> None:
    """One mobile-network address, two people: writes, feed and refresh count per account."""
    client = _limited_app(engine, REDIS_URL=TEST_REDIS_URL, RATE_LIMIT_PREFIX=prefix).test_client()
    shared = _address()
    a, b = two_people["people"]
    device = {"platform": "android", "pushToken": "push-token-0123456789"}

    def write(person: dict[str, Any]):
        return client.post(
            "/v1/me/devices",
            json=device,
            headers=_bearer(person["access"]),
            environ_overrides=shared,
        )

    assert {write(a).status_code for _ in range(60)} <= {200, 201}
    _assert_429(write(a))
    assert write(b).status_code in (200, 201)

    def feed(person: dict[str, Any]):
        return client.get(
            "/v1/me/feed", headers=_bearer(person["access"]), environ_overrides=shared
        )

    assert {feed(a).status_code for _ in range(30)} == {200}
    _assert_429(feed(a))
    assert feed(b).status_code == 200

    def refresh(person: dict[str, Any]):
        resp = client.post(
            "/v1/auth/refresh", headers=_bearer(person["refresh"]), environ_overrides=shared
        )
        if resp.status_code == 200:
            person["refresh"] = resp.get_json()["refreshToken"]
        return resp

    assert {refresh(a).status_code for _ in range(10)} == {200}
    _assert_429(refresh(a))
    assert refresh(b).status_code == 200


def test_without_reachable_redis_it_warns_at_start_and_still_limits(
    engine, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="api.ratelimit"):
        app = _limited_app(engine, REDIS_URL="redis://127.0.0.1:1/14")  # nothing listens there
    assert any("RATE LIMITS ARE NOT SHARED" in r.getMessage() for r in caplog.records)
    client = app.test_client()
    body = {"email": f"{uuid.uuid4().hex}@example.org", "password": "wrong-password"}
    address = _address()
    codes = [
        client.post("/v1/auth/login", json=body, environ_overrides=address).status_code
        for _ in range(6)
    ]
    assert codes == [401] * 5 + [429]  # counted in memory meanwhile


def test_retry_after_only_on_429_and_503(engine) -> None:
    client = _limited_app(engine).test_client()
    address = _address()
    body = {"email": f"{uuid.uuid4().hex}@example.org", "password": "wrong-password"}
    responses = [
        client.get("/v1/health", environ_overrides=address),  # 200
        client.get("/v1/nowhere", environ_overrides=address),  # 404
        client.delete("/v1/health", environ_overrides=address),  # 405
        client.post("/v1/auth/login", json={"email": 1}, environ_overrides=address),  # 400
        *(
            client.post("/v1/auth/login", json=body, environ_overrides=address)
            for _ in range(6)  # 401 x 5, then 429
        ),
    ]
    seen = Counter(r.status_code for r in responses)
    assert {200, 400, 401, 404, 405, 429} <= set(seen)
    for resp in responses:
        assert ("Retry-After" in resp.headers) == (resp.status_code in (429, 503)), resp.status


def test_openapi_documents_429_on_every_limited_operation(app: Flask) -> None:
    """Writes carry the default limit; routes with their own limit are found in the limiter."""
    with app.test_request_context():
        spec = build_openapi(app.extensions["meedoen_api"])
    limited_views = limiter._marked_for_limiting  # qualified names of views with their own limit
    checked = 0
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        own_limit = f"{view.__module__}.{view.__qualname__}" in limited_views
        path = rule.rule.removeprefix("/v1")
        path = path.replace("<uuid:", "{").replace("<", "{").replace(">", "}")
        for method in {m.lower() for m in rule.methods or ()} - {"head", "options"}:
            op = spec["paths"].get(path, {}).get(method)
            if op is None or not (own_limit or method in WRITE_METHODS):
                continue
            resp = op["responses"].get("429")
            assert resp, f"{method} {path} can answer 429 but does not document it"
            schema = resp["content"]["application/problem+json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/Problem"}
            assert resp["headers"]["Retry-After"] == {"$ref": "#/components/headers/Retry-After"}
            checked += 1
    assert checked > 20
