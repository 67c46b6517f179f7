"""taxonomy version: a number that changes with every change to the interests, read by key

Revision ID: c6e8a0b2d4f1
Revises: b4d6f8a01c23
Create Date: 2026-12-07 07:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c6e8a0b2d4f1"
down_revision: str | None = "b4d6f8a01c23"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("CREATE SEQUENCE taxonomy_version_seq")
    op.create_table(
        "taxonomy_version",
        sa.Column("id", sa.SmallInteger(), server_default="1", nullable=False),
        sa.Column(
            "version",
            sa.BigInteger(),
            server_default=sa.text("nextval('taxonomy_version_seq')"),
            nullable=False,
        ),
        sa.CheckConstraint("id = 1", name=op.f("ck_taxonomy_version_one_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_taxonomy_version")),
    )
    op.execute("INSERT INTO taxonomy_version (id) VALUES (1)")
    # A fresh number from a sequence (never reused, not even after a rollback) in the same
    # transaction as any statement that adds, changes or removes interests.
    op.execute(
        """
        CREATE FUNCTION bump_taxonomy_version() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE taxonomy_version SET version = nextval('taxonomy_version_seq') WHERE id = 1;
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
    op.execute("DROP SEQUENCE taxonomy_version_seq")
