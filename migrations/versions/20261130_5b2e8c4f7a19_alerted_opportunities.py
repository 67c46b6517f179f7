"""alerted opportunities: new-opportunity alerts look at each opportunity once; the
dispatcher's order (due, id) straight from the pending index

Revision ID: 5b2e8c4f7a19
Revises: 81e6b9608712
Create Date: 2026-11-30 04:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "5b2e8c4f7a19"
down_revision: str | None = "81e6b9608712"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "alerted_opportunities",
        sa.Column("opportunity_id", sa.Uuid(), nullable=False),
        sa.Column("planned_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["opportunity_id"],
            ["opportunities.id"],
            name=op.f("fk_alerted_opportunities_opportunity_id_opportunities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("opportunity_id", name=op.f("pk_alerted_opportunities")),
    )
    op.drop_index("ix_nudges_pending_due", table_name="nudges")
    op.create_index(
        "ix_nudges_pending_due",
        "nudges",
        ["due_at", "id"],
        postgresql_where=sa.text("status = 'pending'"),
    )
    # Nothing to fill in: before this, every run looked at every opportunity of the last day
    # again, so the first run after it looking at them once more is what would have happened.


def downgrade() -> None:
    op.drop_index("ix_nudges_pending_due", table_name="nudges")
    op.create_index(
        "ix_nudges_pending_due", "nudges", ["due_at"], postgresql_where=sa.text("status = 'pending'")
    )
    op.drop_table("alerted_opportunities")
