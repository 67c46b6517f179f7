"""Faults: the database dropping connections, an exhausted pool, a push gateway that is down."""

from __future__ import annotations

import socket
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from api.app import create_app
from api.config import Settings, sqlalchemy_url
from api.db import get_session
from api.extensions import Blueprint
from api.nudges.dispatcher import dispatch_batch
from api.nudges.models import Device, Nudge
from api.nudges.providers import WebhookPushProvider
from tests.api.test_nudge_delivery import Gateway
from tests.conftest import TEST_DATABASE_URL
from tests.factories import create_municipality, create_user

APP_NAME = "meedoen-fault-test"


def _app_with(engine: Any):
    app = create_app(
        Settings.from_env({"DATABASE_URL": TEST_DATABASE_URL, "RATE_LIMITS": "off"}), engine=engine
    )
    blp = Blueprint("slow", __name__)

    @blp.route("/v1/test-slow")
    def slow():
        get_session().execute(text("select pg_sleep(3)"))
        return {"ok": True}

    app.register_blueprint(blp)
    return app


def _engine(**kw: Any):
    return create_engine(
        sqlalchemy_url(TEST_DATABASE_URL),
        pool_pre_ping=True,
        connect_args={"application_name": APP_NAME, "connect_timeout": 5},
        **kw,
    )


def _kill_app_connections() -> int:
    admin = create_engine(sqlalchemy_url(TEST_DATABASE_URL))
    with admin.connect() as conn:
        killed = conn.execute(
            text(
                "select count(pg_terminate_backend(pid)) from pg_stat_activity where application_name = :n"
            ),
            {"n": APP_NAME},
        ).scalar()
        conn.commit()
    admin.dispose()
    return int(killed or 0)


def test_dropped_connections_answer_503_then_recover_without_restart() -> None:
    engine = _engine(pool_size=2, max_overflow=0, pool_timeout=2)
    app = _app_with(engine)
    client = app.test_client()
    assert client.get("/v1/health").status_code == 200  # a pooled connection now exists
    result: dict[str, Any] = {}

    def in_flight() -> None:
        resp = app.test_client().get("/v1/test-slow")
        result["status"], result["type"], result["body"] = (
            resp.status_code,
            resp.content_type,
            resp.get_json(),
        )

    t = threading.Thread(target=in_flight)
    t.start()
    time.sleep(0.7)
    assert _kill_app_connections() >= 1  # as when PostgreSQL restarts
    t.join(timeout=10)
    assert result["status"] == 503
    assert result["type"] == "application/problem+json"
    assert "Traceback" not in str(result["body"])
    # the same app, not restarted: pre-ping replaces the dead connections
    for _ in range(3):
        assert client.get("/v1/health").status_code == 200
    engine.dispose()


def test_exhausted_pool_answers_503_fast_with_retry_after() -> None:
    engine = _engine(pool_size=1, max_overflow=0, pool_timeout=0.5)
    app = _app_with(engine)
    client = app.test_client()
    held = engine.connect()  # every connection is busy
    try:
        started = time.monotonic()
        resp = client.get("/v1/health")
        waited = time.monotonic() - started
    finally:
        held.close()
    assert resp.status_code == 503
    assert resp.content_type == "application/problem+json"
    assert int(resp.headers["Retry-After"]) >= 1
    assert waited < 5, "answered, did not hang"  # guard against a hang, not a benchmark
    assert client.get("/v1/health").status_code == 200
    engine.dispose()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_push_gateway_down_keeps_nudges_waiting_until_it_is_back(session: Session) -> None:
    t0 = datetime(2026, 11, 25, 9, tzinfo=UTC)
    m = create_municipality(session)
    person = create_user(session, municipality=m, role="recipient")
    session.add(Device(user_id=person.id, platform="android", push_token="device-token-2"))
    nudge = Nudge(
        municipality_id=m.id,
        user_id=person.id,
        kind="checkin_prompt",
        period="F9",
        language="en",
        params={"name": "Sam", "title": "Gardening"},
        status="pending",
        due_at=t0,
        attempts=0,
        created_at=t0,
    )
    session.add(nudge)
    session.flush()
    port = _free_port()
    provider = WebhookPushProvider(f"http://127.0.0.1:{port}/push", timeout=1)
    assert dispatch_batch(session, now=t0, provider=provider).retried == 1  # nobody listening
    assert dispatch_batch(session, now=t0 + timedelta(seconds=30), provider=provider).retried == 1
    session.refresh(nudge)
    assert nudge.status == "pending" and "unreachable" in (nudge.last_error or "")
    gateway = Gateway(failures=0, port=port)
    try:
        assert (
            dispatch_batch(session, now=t0 + timedelta(minutes=5), provider=provider).delivered == 1
        )
    finally:
        gateway.close()
    assert [b["title"] for b in gateway.accepted] == ["How are things going?"]
