"""catalog version: a team's change (its name shows in the feed) bumps its municipality's version

Revision ID: e1237175bc69
Revises: 5b2e8c4f7a19
Create Date: 2026-12-06 22:10:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "e1237175bc69"
down_revision: str | None = "5b2e8c4f7a19"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The feed keeps each opportunity's JSON (with its team's name) per catalogue version.
    op.execute(
        """
        CREATE TRIGGER teams_catalog_version
        AFTER UPDATE OR DELETE ON teams
        FOR EACH ROW EXECUTE FUNCTION bump_catalog_version()
        """
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER teams_catalog_version ON teams")
