"""Database engine, declarative base and the one-session-per-request unit of work."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, cast

from flask import Flask, Response, current_app, g
from sqlalchemy import (
    ColumnElement,
    Connection,
    DateTime,
    MetaData,
    bindparam,
    create_engine,
    func,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.dialects.postgresql import ARRAY, UUID
from sqlalchemy.engine import CursorResult, Engine
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


def make_engine(url: str, *, pool_size: int = 10, pool_timeout: float = 2.0) -> Engine:
    """Engine with pre-ping so a restarted PostgreSQL is survived without a restart."""
    return create_engine(
        url,
        pool_pre_ping=True,
        hide_parameters=True,  # values are personal data; keep them out of logs
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_timeout=pool_timeout,
        connect_args={"connect_timeout": 5},
    )


def init_app(app: Flask, engine: Engine) -> None:
    """Bind a session factory to the app and commit once per request."""
    app.extensions["meedoen_engine"] = engine
    app.extensions["meedoen_sessionmaker"] = sessionmaker(bind=engine, expire_on_commit=False)

    @app.after_request
    def _finish(response: Response) -> Response:
        session: Session | None = g.pop("db_session", None)
        if session is not None:
            try:
                if response.status_code < 400:
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


def get_session() -> Session:
    """The request's session; created on first use, committed at the end of the request."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["meedoen_sessionmaker"]()
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
