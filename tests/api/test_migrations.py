"""Alembic's migrations and the SQLAlchemy models describe the same schema."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from geoalchemy2 import alembic_helpers
from sqlalchemy import Engine, inspect

import api.models  # noqa: F401
from api.db import Base, alembic_include_object


def test_autogenerate_finds_no_difference(engine: Engine) -> None:
    with engine.connect() as conn:
        ctx = MigrationContext.configure(
            conn,
            opts={
                "include_object": alembic_include_object,
                "compare_type": True,
                "render_item": alembic_helpers.render_item,
            },
        )
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == []


def test_postgis_is_installed_by_the_migrations(engine: Engine) -> None:
    with engine.connect() as conn:
        version = conn.exec_driver_sql("select postgis_version()").scalar()
    assert version and version.startswith("3")
    assert "users" in inspect(engine).get_table_names()
