"""A real PostgreSQL restart while a request is in flight (runs last among the database tests).

The in-flight request gets a 503 problem+json; later requests recover in the same app, without a
restart of the app (pool_pre_ping). The cluster is always started again, also when the test fails.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from api.app import create_app
from api.config import Settings, sqlalchemy_url
from api.db import get_session
from api.extensions import Blueprint
from tests.conftest import TEST_DATABASE_URL

LOCAL = "127.0.0.1" in TEST_DATABASE_URL or "localhost" in TEST_DATABASE_URL
CAN_RESTART = LOCAL and shutil.which("pg_ctlcluster") is not None and os.geteuid() == 0


def _cluster() -> str:
    return sorted(os.listdir("/etc/postgresql"))[-1]


def _pg(action: str) -> None:
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", _cluster(), "main", action, "-m", "fast"]
        if action != "start"
        else ["pg_ctlcluster", "--skip-systemctl-redirect", _cluster(), "main", "start"],
        check=False,
        capture_output=True,
        timeout=60,
    )


def _wait_ready(seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1"], check=False).returncode == 0:
            return
        time.sleep(0.2)
    raise AssertionError("PostgreSQL did not come back")


@pytest.mark.skipif(not CAN_RESTART, reason="needs the local cluster and root to restart it")
def test_postgres_restart_in_flight_is_503_then_recovers_without_restarting_the_app() -> None:
    engine = create_engine(
        sqlalchemy_url(TEST_DATABASE_URL),
        pool_pre_ping=True,
        pool_size=2,
        max_overflow=0,
        pool_timeout=5,
        hide_parameters=True,
    )
    app = create_app(
        Settings.from_env({"DATABASE_URL": TEST_DATABASE_URL, "RATE_LIMITS": "off"}), engine=engine
    )
    blp = Blueprint("slow-restart", __name__)

    @blp.route("/v1/test-slow-restart")
    def slow():
        get_session().execute(text("select pg_sleep(10)"))
        return {"ok": True}

    app.register_blueprint(blp)
    client = app.test_client()
    assert client.get("/v1/health").status_code == 200
    result: dict[str, Any] = {}

    def in_flight() -> None:
        resp = app.test_client().get("/v1/test-slow-restart")
        result["status"], result["type"] = resp.status_code, resp.content_type

    t = threading.Thread(target=in_flight)
    try:
        t.start()
        time.sleep(0.7)
        _pg("restart")
        _wait_ready()
        t.join(timeout=30)
        assert result["status"] == 503
        assert result["type"] == "application/problem+json"
        # the same app object: the pool replaces the dead connections by itself
        statuses = [client.get("/v1/health").status_code for _ in range(3)]
        assert statuses == [200, 200, 200]
    finally:
        if subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1"], check=False).returncode != 0:
            _pg("start")
            _wait_ready()
        engine.dispose()
