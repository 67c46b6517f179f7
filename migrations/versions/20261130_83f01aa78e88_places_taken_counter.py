"""places taken counter on opportunities

Revision ID: 83f01aa78e88
Revises: 73441147c6a3
Create Date: 2026-11-30 03:01:58.769334
"""

from collections.abc import Sequence

import geoalchemy2  # noqa: F401
import sqlalchemy as sa
from alembic import op


revision: str = "83f01aa78e88"
down_revision: str | None = "73441147c6a3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "opportunities",
        sa.Column("places_taken", sa.Integer(), server_default="0", nullable=False),
    )
    op.create_check_constraint(
        op.f("ck_opportunities_places_taken_not_negative"),
        "opportunities",
        "places_taken >= 0",
    )
    # Approved and active matches hold a place (frozen here as the words of this revision).
    op.execute(
        """
        UPDATE opportunities o SET places_taken = t.taken
        FROM (
            SELECT opportunity_id, count(*) AS taken FROM matches
            WHERE status IN ('approved', 'active')
            GROUP BY opportunity_id
        ) t
        WHERE t.opportunity_id = o.id
        """
    )


def downgrade() -> None:
    op.drop_constraint(
        op.f("ck_opportunities_places_taken_not_negative"), "opportunities", type_="check"
    )
    op.drop_column("opportunities", "places_taken")
