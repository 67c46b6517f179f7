"""Database engine, declarative base and the one-session-per-request unit of work."""

from __future__ import annotations

import select as select_module
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar, cast

from flask import Flask, Response, current_app, g, request
from sqlalchemy import (
    ColumnElement,
    Connection,
    DateTime,
    MetaData,
    bindparam,
    create_engine,
    event,
    func,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.dialects.postgresql import ARRAY, UUID
from sqlalchemy.engine import CursorResult, Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker
from sqlalchemy.schema import SchemaItem
from sqlalchemy.sql.dml import UpdateBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base whose constraints get predictable names for Alembic."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def uuid_text(ids: Iterable[uuid.UUID]) -> str:
    """Many ids as one text, for `string_to_array(:ids, ',')::uuid[]` in SQL.

    psycopg sends a Python list as an array by quoting each element in Python, which at
    100,000 ids costs more than the query itself; one joined string costs next to nothing.
    """
    return ",".join(map(str, ids))


def uuid_array(ids: Iterable[uuid.UUID]) -> ColumnElement[Any]:
    """Many ids as one uuid[] in a SQLAlchemy expression (`col == any_(uuid_array(ids))`)."""
    return sql_cast(func.string_to_array(bindparam(None, uuid_text(ids)), ","), ARRAY(UUID()))


def utcnow() -> datetime:
    """Aware UTC now; the one clock the web process uses."""
    return datetime.now(UTC)


def rows_changed(session: Session, stmt: UpdateBase) -> int:
    """Run a bulk UPDATE or DELETE and say how many rows it touched."""
    # Session.execute is typed as returning a Result; for DML it is a CursorResult.
    result = cast("CursorResult[Any]", session.execute(stmt))
    return int(result.rowcount or 0)


class UUIDPk:
    """Mixin: UUID primary key generated in Python so it is known before flush."""

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)


class Timestamps:
    """Mixin: creation time kept by the database."""

    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )


# A pooled connection unused for longer than this is pinged before a request gets it.
PING_AFTER_IDLE_S = 30.0


def make_engine(url: str, *, pool_size: int = 10, pool_timeout: float = 2.0) -> Engine:
    """Engine whose pool hands out only live connections, so a restarted PostgreSQL is survived
    without a restart of the app (see `_live_on_checkout`)."""
    engine = create_engine(
        url,
        hide_parameters=True,  # values are personal data; keep them out of logs
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_timeout=pool_timeout,
        connect_args={"connect_timeout": 5},
    )
    event.listen(engine.pool, "checkout", _live_on_checkout)
    event.listen(engine.pool, "checkin", _note_checkin)
    return engine


def _ping(dbapi_connection: Any) -> None:
    """One round trip outside any transaction (as SQLAlchemy's own ping does it)."""
    before = dbapi_connection.autocommit
    dbapi_connection.autocommit = True
    try:
        dbapi_connection.execute("select 1")
    finally:
        if not dbapi_connection.closed:
            dbapi_connection.autocommit = before


def _note_checkin(_dbapi_connection: Any, record: Any) -> None:
    record.info["checked_in"] = time.monotonic()


def _live_on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    """Refuse a dead pooled connection; the pool then opens a new one.

    Not a ping per checkout (SQLAlchemy's pool_pre_ping: a round trip on every request). An
    idle connection has nothing to say, so a socket with something to read has been closed
    or told it is terminated (a restart, pg_terminate_backend): one poll, no round trip. A
    connection idle for long (a firewall may have dropped it silently) is pinged as well.
    """
    try:
        closed = bool(dbapi_connection.closed)
        if not closed:
            poller = select_module.poll()  # not select(): it fails at descriptors >= 1024
            poller.register(dbapi_connection.fileno(), select_module.POLLIN)
            closed = bool(poller.poll(0))
        idle = time.monotonic() - record.info.get("checked_in", 0.0)
        if not closed and idle > PING_AFTER_IDLE_S:
            _ping(dbapi_connection)
    except Exception as exc:  # noqa: BLE001 - any failure here means: not usable
        raise DisconnectionError(str(exc)) from exc
    if closed:
        raise DisconnectionError("the pooled connection was closed by the server")


def init_app(app: Flask, engine: Engine) -> None:
    """Bind a session factory to the app and commit once per request."""
    app.extensions["meedoen_engine"] = engine
    app.extensions["meedoen_sessionmaker"] = sessionmaker(bind=engine, expire_on_commit=False)

    @app.after_request
    def _finish(response: Response) -> Response:
        session: Session | None = g.pop("db_session", None)
        if session is not None:
            try:
                # Not begun (a read on the driver's connection, or nothing done): nothing to end;
                # commit() would begin a transaction only to end it (3% of a feed request).
                if not session.in_transaction():
                    pass
                elif response.status_code < 400:
                    session.commit()
                else:
                    session.rollback()
            finally:
                session.close()
        return response

    @app.teardown_request
    def _teardown(_exc: BaseException | None) -> None:
        session: Session | None = g.pop("db_session", None)
        if session is not None:
            session.rollback()
            session.close()


F = TypeVar("F", bound=Callable[..., Any])
READS_ONLY = "_meedoen_reads_only"


def reads_only(view: F) -> F:
    """Mark a view whose statements only read (or each stand alone): its session runs without
    a transaction, so the request costs no BEGIN and COMMIT round trips. Hot reads only."""
    setattr(view, READS_ONLY, True)
    return view


class ReadSession(Session):
    """A `reads_only` view's session: its statements run in autocommit, and its hot
    hand-written query may borrow a pooled driver connection (`driver_connection`)."""


def _give_back(held: Any) -> None:
    try:
        held.driver_connection.autocommit = False  # as every other checkout expects it
    except Exception:  # noqa: BLE001 - a broken connection must not go back as usable
        held.invalidate()  # closes it and leaves the pool
        return
    held.close()


@contextmanager
def driver_connection(session: Session) -> Iterator[Any]:
    """A psycopg connection for one hand-written query.

    In a `ReadSession` on an engine: one borrowed from the pool in autocommit and given back
    transactional as soon as the query is read, without the Session's transaction and
    Connection machinery (measured: `select 1` through them 0.33-0.41 ms, on the driver
    connection alone 0.12-0.14 ms); ORM work later in the request takes a connection of its
    own, never while this one is held. Else the session's own (in its transaction, as tests
    need, whose sessions share one connection)."""
    engine = session.get_bind() if isinstance(session, ReadSession) else None
    if not isinstance(engine, Engine):
        yield session.connection().connection.dbapi_connection
        return
    held = engine.raw_connection()
    try:
        cast(Any, held.driver_connection).autocommit = True
        yield held.driver_connection
    finally:
        _give_back(held)


def _factory_for_request() -> sessionmaker[Session]:
    """The app's session factory; for a `reads_only` view the same database in autocommit."""
    factory: sessionmaker[Session] = current_app.extensions["meedoen_sessionmaker"]
    view = current_app.view_functions.get(request.endpoint or "")
    bind = factory.kw.get("bind")
    if not getattr(view, READS_ONLY, False) or not isinstance(bind, Engine):
        return factory  # tests bind sessions to one connection: one transaction, as before
    cached = current_app.extensions.get("meedoen_reader")
    if cached is None or cached[0] is not factory:
        reader = sessionmaker(
            bind=bind.execution_options(isolation_level="AUTOCOMMIT"),
            class_=ReadSession,
            expire_on_commit=False,
        )
        cached = current_app.extensions["meedoen_reader"] = (factory, reader)
    return cast("sessionmaker[Session]", cached[1])


def get_session() -> Session:
    """The request's session; created on first use, committed at the end of the request."""
    if "db_session" not in g:
        g.db_session = _factory_for_request()()
    session: Session = g.db_session
    return session


@contextmanager
def session_scope(app: Flask) -> Iterator[Session]:
    """A session for jobs and commands: commit on success, roll back on error."""
    session: Session = app.extensions["meedoen_sessionmaker"]()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def parallel_sessions(app: Flask) -> bool:
    """Whether two threads may each open a session (each its own connection): not when the
    sessions are bound to one connection (tests run inside one rolled-back transaction)."""
    factory = app.extensions["meedoen_sessionmaker"]
    return not isinstance(factory.kw.get("bind"), Connection)


def alembic_include_object(
    obj: SchemaItem,
    name: str | None,
    type_: str,
    reflected: bool,
    compare_to: SchemaItem | None,
) -> bool:
    """What Alembic compares: not PostGIS's own tables; spatial indexes as GeoAlchemy2 says."""
    from geoalchemy2 import alembic_helpers

    if type_ == "table" and name in {"spatial_ref_sys"}:
        return False
    return bool(alembic_helpers.include_object(obj, name, type_, reflected, compare_to))
