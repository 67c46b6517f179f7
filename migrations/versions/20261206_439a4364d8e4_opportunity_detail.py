"""opportunity detail: concrete times, hours per week, organisation, contact, directions, image

Revision ID: 439a4364d8e4
Revises: b9f662385a03
Create Date: 2026-12-06 21:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "439a4364d8e4"
down_revision: str | None = "b9f662385a03"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "opportunities",
        sa.Column(
            "schedule",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="[]",
            nullable=False,
        ),
    )
    op.add_column("opportunities", sa.Column("hours_per_week", sa.Numeric(4, 1), nullable=True))
    op.add_column("opportunities", sa.Column("organisation", sa.String(120), nullable=True))
    op.add_column("opportunities", sa.Column("contact_name", sa.String(80), nullable=True))
    op.add_column("opportunities", sa.Column("contact_phone", sa.String(20), nullable=True))
    op.add_column("opportunities", sa.Column("contact_email", sa.String(254), nullable=True))
    op.add_column("opportunities", sa.Column("directions", sa.Text(), nullable=True))
    op.add_column("opportunities", sa.Column("image_url", sa.String(500), nullable=True))
    op.create_check_constraint(
        op.f("ck_opportunities_image_url_https"),
        "opportunities",
        "image_url is null or image_url like 'https://%'",
    )
    op.create_check_constraint(
        op.f("ck_opportunities_hours_per_week_positive"),
        "opportunities",
        "hours_per_week is null or hours_per_week > 0",
    )


def downgrade() -> None:
    op.drop_constraint(op.f("ck_opportunities_hours_per_week_positive"), "opportunities", type_="check")
    op.drop_constraint(op.f("ck_opportunities_image_url_https"), "opportunities", type_="check")
    for column in (
        "image_url",
        "directions",
        "contact_email",
        "contact_phone",
        "contact_name",
        "organisation",
        "hours_per_week",
        "schedule",
    ):
        op.drop_column("opportunities", column)
