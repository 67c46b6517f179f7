"""catalog version: every opportunity change gives its municipality a new version token

Revision ID: c4a7d2e9b1f0
Revises: 83f01aa78e88
Create Date: 2026-11-30 04:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c4a7d2e9b1f0"
down_revision: str | None = "83f01aa78e88"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("CREATE SEQUENCE catalog_version_seq")
    op.add_column(
        "municipalities",
        sa.Column("catalog_version", sa.BigInteger(), server_default="0", nullable=False),
    )
    # A fresh token from a sequence (never reused, not even after a rollback) for every insert,
    # update or delete of an opportunity; writers of one municipality queue on its row.
    op.execute(
        """
        CREATE FUNCTION bump_catalog_version() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE municipalities SET catalog_version = nextval('catalog_version_seq')
            WHERE id = COALESCE(NEW.municipality_id, OLD.municipality_id);
            IF TG_OP = 'UPDATE' AND OLD.municipality_id IS DISTINCT FROM NEW.municipality_id THEN
                UPDATE municipalities SET catalog_version = nextval('catalog_version_seq')
                WHERE id = OLD.municipality_id;
            END IF;
            RETURN NULL;
        END $$
        """
    )
    op.execute(
        """
        CREATE TRIGGER opportunities_catalog_version
        AFTER INSERT OR UPDATE OR DELETE ON opportunities
        FOR EACH ROW EXECUTE FUNCTION bump_catalog_version()
        """
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER opportunities_catalog_version ON opportunities")
    op.execute("DROP FUNCTION bump_catalog_version()")
    op.drop_column("municipalities", "catalog_version")
    op.execute("DROP SEQUENCE catalog_version_seq")
