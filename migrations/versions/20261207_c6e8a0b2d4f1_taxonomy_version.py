"""taxonomy version: a new random id with every change to the interests, read by key

Revision ID: c6e8a0b2d4f1
Revises: b4d6f8a01c23
Create Date: 2026-12-07 07:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "c6e8a0b2d4f1"
down_revision: str | None = "b4d6f8a01c23"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "taxonomy_version",
        sa.Column("id", sa.SmallInteger(), server_default="1", nullable=False),
        sa.Column(
            "version",
            postgresql.UUID(as_uuid=True),
            server_default=sa.text("gen_random_uuid()"),
            nullable=False,
        ),
        sa.CheckConstraint("id = 1", name=op.f("ck_taxonomy_version_one_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_taxonomy_version")),
    )
    op.execute("INSERT INTO taxonomy_version (id) VALUES (1)")
    # A random new version (never the same twice, not in another database either, nor after a
    # rollback or a restore) in the same transaction as any statement that adds, changes or
    # removes interests; the row is put back if it was ever removed.
    op.execute(
        """
        CREATE FUNCTION bump_taxonomy_version() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO taxonomy_version (id, version) VALUES (1, gen_random_uuid())
            ON CONFLICT (id) DO UPDATE SET version = excluded.version;
            RETURN NULL;
        END $$
        """
    )
    op.execute(
        """
        CREATE TRIGGER interests_taxonomy_version
        AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON interests
        FOR EACH STATEMENT EXECUTE FUNCTION bump_taxonomy_version()
        """
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER interests_taxonomy_version ON interests")
    op.execute("DROP FUNCTION bump_taxonomy_version()")
    op.drop_table("taxonomy_version")
