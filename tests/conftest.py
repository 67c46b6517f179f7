"""Fixtures: one app and one migrated PostGIS per run; each test inside a rolled-back transaction."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from alembic import command
from alembic.config import Config as AlembicConfig
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection, Engine, event
from sqlalchemy.orm import Session, sessionmaker

from api.app import create_app
from api.config import Settings, sqlalchemy_url
from api.db import make_engine
from api.interests.service import sync_taxonomy

TEST_DATABASE_URL = os.environ.setdefault(
    "DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/meedoen_test"
)
TEST_JWT_SECRET = secrets.token_urlsafe(48)  # the tests' own key, passed explicitly; new every run
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _needs_db(item: pytest.Item) -> bool:
    return "unit" not in item.nodeid.split("/")


@pytest.fixture(scope="session")
def engine() -> Iterator[Engine]:
    """The test database, migrated to head by Alembic once per run."""
    url = sqlalchemy_url(TEST_DATABASE_URL)
    cfg = AlembicConfig(os.path.join(ROOT, "alembic.ini"))
    cfg.set_main_option("script_location", os.path.join(ROOT, "migrations"))
    cfg.attributes["configure_logger"] = False
    command.upgrade(cfg, "head")
    eng = make_engine(url, pool_size=5)
    with Session(eng) as s, s.begin():
        sync_taxonomy(s)
    yield eng
    eng.dispose()


def make_test_app(engine: Engine) -> Flask:
    """The app with the tests' settings on `engine` (the test database, the tests' key)."""
    settings = Settings.from_env(
        {
            "DATABASE_URL": TEST_DATABASE_URL,
            "MEEDOEN_ENV": "test",
            "RATE_LIMITS": "off",
            "JWT_SECRET_KEY": TEST_JWT_SECRET,
        }
    )
    return create_app(settings, engine=engine)


@pytest.fixture(scope="session")
def app(engine: Engine) -> Flask:
    """One application for the run; each test swaps in its own transactional session."""
    application = make_test_app(engine)
    application.config["TESTING"] = True
    return application


@pytest.fixture()
def connection(engine: Engine) -> Iterator[Connection]:
    """An outer transaction that is rolled back after the test."""
    conn = engine.connect()
    trans = conn.begin()
    yield conn
    trans.rollback()
    conn.close()


@pytest.fixture(scope="module")
def module_connection(engine: Engine) -> Iterator[Connection]:
    """One transaction for a whole module, rolled back at its end.

    For modules with many cases over the same seeded world: the world is built once in this
    transaction, and the module overrides `connection` with `savepoint_per_test`, so each test
    still starts from the same world and its changes are rolled back.
    """
    conn = engine.connect()
    trans = conn.begin()
    yield conn
    trans.rollback()
    conn.close()


def savepoint_per_test(module_connection: Connection) -> Iterator[Connection]:
    """`connection` for such a module: the module's connection inside a SAVEPOINT per test.

    Rolling back to the savepoint also undoes the test's SET LOCAL, set_config and locks.
    """
    savepoint = module_connection.begin_nested()
    yield module_connection
    if savepoint.is_active:
        savepoint.rollback()


@pytest.fixture()
def session(app: Flask, connection: Connection) -> Iterator[Session]:
    """The test's session; requests use sessions on the same connection (SAVEPOINTs)."""
    factory = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    original = app.extensions["meedoen_sessionmaker"]
    app.extensions["meedoen_sessionmaker"] = factory
    s = factory()
    yield s
    s.close()
    app.extensions["meedoen_sessionmaker"] = original


@pytest.fixture()
def client(app: Flask, session: Session) -> FlaskClient:
    """HTTP client through the real Flask stack."""
    return app.test_client()


@contextmanager
def statements_sent(engine: Engine, *, selects_only: bool = False) -> Iterator[list[str]]:
    """The SQL statements (or only the SELECTs) sent while the block runs: no N+1 is a count."""
    seen: list[str] = []

    def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not selects_only or statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before)
