"""The connection pool hands out only live connections, and hot read-only views (the feed,
health) run outside a transaction without leaving that mode on the connections they return."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import cast

import pytest
from flask import Flask
from sqlalchemy import Engine, NullPool, QueuePool, create_engine, select, text
from sqlalchemy.orm import Session

from api.config import sqlalchemy_url
from api.db import ReadSession, driver_connection, make_engine
from api.municipalities.models import Municipality
from api.profiles.models import RecipientProfile
from tests.conftest import TEST_DATABASE_URL, make_test_app
from tests.factories import (
    auth_headers,
    create_municipality,
    create_opportunity,
    create_team,
    create_user,
)


@pytest.fixture()
def small_engine() -> Iterator[Engine]:
    """A pool of one connection (and one overflow), so the next checkout is the last one."""
    engine = make_engine(sqlalchemy_url(TEST_DATABASE_URL), pool_size=1)
    yield engine
    engine.dispose()


def _checked_out(engine: Engine) -> int:
    """Connections of the pool lent out now."""
    return cast(QueuePool, engine.pool).checkedout()


def _serving_app(engine: Engine) -> Flask:
    """The app as served: sessions on the engine's pool, not inside a test's transaction."""
    return make_test_app(engine)


def _terminate(pid: int) -> None:
    """End a backend from outside the pool, as a restart or an operator would, and wait."""
    outside = create_engine(sqlalchemy_url(TEST_DATABASE_URL), poolclass=NullPool)
    try:
        with outside.connect() as conn:
            conn.execute(text("select pg_terminate_backend(:pid)"), {"pid": pid})
            for _ in range(100):
                alive = conn.scalar(
                    text("select count(*) from pg_stat_activity where pid = :pid"), {"pid": pid}
                )
                if not alive:
                    return
                time.sleep(0.05)
    finally:
        outside.dispose()
    raise AssertionError(f"backend {pid} did not end")


def test_a_pooled_connection_the_server_ended_is_replaced_before_a_request_gets_it(
    small_engine: Engine,
) -> None:
    with small_engine.connect() as conn:
        first = conn.scalar(text("select pg_backend_pid()"))
    assert isinstance(first, int)
    _terminate(first)
    with small_engine.connect() as conn:  # no error: the dead one is left out, a new one opened
        second = conn.scalar(text("select pg_backend_pid()"))
        assert conn.scalar(text("select 1")) == 1
    assert second != first


def test_the_feed_reads_outside_a_transaction_and_its_connection_goes_back_as_it_came(
    small_engine: Engine,
) -> None:
    app = _serving_app(small_engine)
    with Session(small_engine, expire_on_commit=False) as s:
        m = create_municipality(s)
        person = create_user(s, municipality=m, role="recipient")  # no profile yet
        headers = auth_headers(app, s, person)
        s.commit()
    try:
        client = app.test_client()
        assert client.get("/v1/health").status_code == 200
        resp = client.get("/v1/me/feed?limit=20", headers=headers)
        assert resp.status_code == 200
        assert resp.get_json() == {"items": [], "nextCursor": None, "profileComplete": False}
        with Session(small_engine) as s:  # made on first use, and kept
            made = s.scalar(
                select(RecipientProfile.user_id).where(RecipientProfile.user_id == person.id)
            )
            assert made == person.id
        assert _checked_out(small_engine) == 0  # the driver's and the session's, both back
        with Session(small_engine) as s:
            s.execute(text("update users set is_active = false where id = :id"), {"id": person.id})
            s.commit()
        refused = client.get("/v1/me/feed?limit=20", headers=headers)
        assert refused.status_code == 401  # found out in the feed's own query...
        assert _checked_out(small_engine) == 0  # ...and its connection went back all the same
        with small_engine.connect() as conn:  # the pooled connection is transactional again
            assert conn.connection.dbapi_connection is not None
            assert conn.connection.dbapi_connection.autocommit is False
            conn.execute(text("create temporary table t_rolled_back (x int)"))
            conn.rollback()
            assert conn.scalar(text("select to_regclass('pg_temp.t_rolled_back')")) is None
    finally:
        with Session(small_engine) as s:
            s.delete(s.get(Municipality, m.id))
            s.commit()


def test_a_read_session_lends_a_driver_connection_for_one_query_in_autocommit(
    small_engine: Engine,
) -> None:
    reader = small_engine.execution_options(isolation_level="AUTOCOMMIT")
    session = ReadSession(bind=reader)
    with driver_connection(session) as conn:
        assert conn.autocommit is True
        pid = conn.execute("select pg_backend_pid()").fetchone()[0]
        conn.execute("create temporary table t_kept (x int)")  # no transaction: it stays
        assert _checked_out(small_engine) == 1
    assert _checked_out(small_engine) == 0  # back as soon as the query is read
    with pytest.raises(ZeroDivisionError), driver_connection(session) as conn:
        conn.execute("select 1")
        raise ZeroDivisionError  # a failing caller gives it back all the same
    assert _checked_out(small_engine) == 0
    session.close()
    with small_engine.connect() as again:  # the same backend, transactional again
        assert again.scalar(text("select pg_backend_pid()")) == pid
        assert again.connection.dbapi_connection is not None
        assert again.connection.dbapi_connection.autocommit is False
        assert again.scalar(text("select to_regclass('pg_temp.t_kept')")) is not None
        again.execute(text("drop table pg_temp.t_kept"))
        again.commit()


def test_a_committed_change_to_the_interests_reaches_the_feed_of_a_serving_app(
    small_engine: Engine,
) -> None:
    """As served: the taxonomy's version and its rows are read on different connections."""
    app = _serving_app(small_engine)
    with Session(small_engine, expire_on_commit=False) as s:
        m = create_municipality(s)
        team = create_team(s, municipality=m)
        create_opportunity(s, team=team, title="Brood bakken", interests=["bakken"])
        person = create_user(s, municipality=m, role="recipient")
        headers = auth_headers(app, s, person)
        s.commit()
    category = "select category_key from interests where key = 'bakken'"
    with small_engine.connect() as conn:
        was = conn.scalar(text(category))
    client = app.test_client()

    def recategorise(to: str) -> None:
        with small_engine.begin() as conn:
            conn.execute(
                text("update interests set category_key = :c where key = 'bakken'"), {"c": to}
            )

    def reason_codes() -> set[str]:
        resp = client.get("/v1/me/feed?limit=50", headers=headers)
        assert resp.status_code == 200
        (item,) = resp.get_json()["items"]
        return {r["code"] for r in item["reasons"]}

    try:
        profile = {
            "postcode": "1055",
            "availability": ["tue-morning"],
            "interests": ["koken"],
            "travelMode": "bike",
            "maxDistanceKm": 5,
        }
        assert client.patch("/v1/me/profile", json=profile, headers=headers).status_code == 200
        assert "interest" in reason_codes()  # baking is food and drink, as cooking is
        recategorise("natuur-dieren")
        assert "interest" not in reason_codes()  # at once, though the taxonomy is kept
        recategorise(was)
        assert "interest" in reason_codes()
    finally:
        recategorise(was)
        with Session(small_engine) as s:
            s.delete(s.get(Municipality, m.id))
            s.commit()
