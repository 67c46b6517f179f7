"""denied sign-ins of unknown accounts have no municipality

Revision ID: 73441147c6a3
Revises: 95e8d3d0f8fb
Create Date: 2026-11-30 03:02:56.090477
"""

from collections.abc import Sequence

import geoalchemy2  # noqa: F401
import sqlalchemy as sa
from alembic import op


revision: str = "73441147c6a3"
down_revision: str | None = "95e8d3d0f8fb"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.alter_column("audit_events", "municipality_id", existing_type=sa.UUID(), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM audit_events WHERE municipality_id IS NULL")
    op.alter_column("audit_events", "municipality_id", existing_type=sa.UUID(), nullable=False)
