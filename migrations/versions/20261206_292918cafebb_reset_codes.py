"""reset codes: a one-time code is for activating an account or for choosing a new password

Revision ID: 292918cafebb
Revises: e1237175bc69
Create Date: 2026-12-06 21:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '292918cafebb'
down_revision: str | None = 'e1237175bc69'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        'invitations',
        sa.Column('purpose', sa.String(length=10), server_default='activate', nullable=False),
    )
    op.create_check_constraint(
        op.f('ck_invitations_purpose_known'), 'invitations', "purpose in ('activate', 'reset')"
    )


def downgrade() -> None:
    op.execute("delete from invitations where purpose = 'reset'")
    op.drop_constraint(op.f('ck_invitations_purpose_known'), 'invitations', type_='check')
    op.drop_column('invitations', 'purpose')
