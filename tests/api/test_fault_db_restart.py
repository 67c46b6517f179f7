"""A real PostgreSQL restart while a request is in flight, on a throwaway cluster of this test's own.

The test makes a cluster in a temporary directory (initdb + pg_ctl as the postgres user, on a free
loopback port), adds PostGIS and migrates it, and restarts THAT cluster with a request in flight.
The in-flight request gets a 503 problem+json; later requests recover in the same app, without a
restart of the app (pool_pre_ping). The cluster is stopped and removed afterwards, also when the
test fails. The machine's shared cluster is never touched, so the test runs anywhere in any order.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from api.app import create_app
from api.config import Settings, sqlalchemy_url
from api.db import get_session
from api.extensions import Blueprint
from tests.api.live import free_port

ROOT = Path(__file__).resolve().parents[2]


def _pg_bin() -> Path | None:
    """The newest installed PostgreSQL server binaries (Debian layout)."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4])
    )
    return Path(found[-1]).parent if found else None


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


PG_BIN = _pg_bin()
IS_ROOT = os.geteuid() == 0  # initdb refuses root: then the cluster belongs to postgres
CAN_RUN = PG_BIN is not None and (not IS_ROOT or _has_user("postgres"))


class ThrowawayCluster:
    """A PostgreSQL cluster in a temporary directory, owned by the postgres user when we are root."""

    def __init__(self) -> None:
        assert PG_BIN is not None
        self.dir = Path(tempfile.mkdtemp(prefix="meedoen-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/meedoen_restart"
        self.options = (
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        if IS_ROOT:
            shutil.chown(self.dir, "postgres", "postgres")

    def _run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        assert PG_BIN is not None  # without it the tests are skipped (CAN_RUN)
        cmd = [str(PG_BIN / args[0]), *args[1:]]
        if IS_ROOT:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=timeout)

    def create(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "--no-sync")
        self.pg_ctl("start")
        self._run(
            "createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "meedoen_restart"
        )
        engine = create_engine(sqlalchemy_url(self.url))
        with engine.begin() as conn:
            conn.execute(text("create extension if not exists postgis"))
        engine.dispose()
        env = {**os.environ, "DATABASE_URL": self.url}
        subprocess.run(
            [sys.executable, "-m", "alembic", "upgrade", "head"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            timeout=300,
        )

    def pg_ctl(self, action: str) -> None:
        log = str(self.dir / "postgres.log")
        extra = ["-m", "fast"] if action in ("stop", "restart") else []
        self._run(
            "pg_ctl", "-D", str(self.data), "-l", log, "-o", self.options, "-w", *extra, action
        )

    def is_ready(self) -> bool:
        assert PG_BIN is not None
        probe = [str(PG_BIN / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(self.port)]
        return subprocess.run(probe, check=False).returncode == 0

    def remove(self) -> None:
        if (self.data / "postmaster.pid").exists():
            try:
                self.pg_ctl("stop")
            except subprocess.SubprocessError:
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop")
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture()
def cluster() -> Iterator[ThrowawayCluster]:
    c = ThrowawayCluster()
    try:
        c.create()
        yield c
    finally:
        c.remove()
    assert not c.dir.exists()


@pytest.mark.skipif(not CAN_RUN, reason="needs PostgreSQL server binaries (initdb, pg_ctl)")
def test_postgres_restart_in_flight_is_503_then_recovers_without_restarting_the_app(
    cluster: ThrowawayCluster,
) -> None:
    engine = create_engine(
        sqlalchemy_url(cluster.url),
        pool_pre_ping=True,
        pool_size=2,
        max_overflow=0,
        pool_timeout=5,
        hide_parameters=True,
    )
    app = create_app(
        Settings.from_env({"DATABASE_URL": cluster.url, "RATE_LIMITS": "off"}), engine=engine
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
        cluster.pg_ctl("restart")
        assert cluster.is_ready()
        t.join(timeout=30)
        assert result["status"] == 503
        assert result["type"] == "application/problem+json"
        # the same app object: the pool replaces the dead connections by itself
        statuses = [client.get("/v1/health").status_code for _ in range(3)]
        assert statuses == [200, 200, 200]
    finally:
        t.join(timeout=30)
        engine.dispose()
