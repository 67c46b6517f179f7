"""languages follow the catalogues: a profile's language is any language tag, not only nl or en

Which languages are offered is decided by the `.po` files (api/locale); the API validates a new
choice against them. The database only keeps the tag's shape ("nl", "ti", "pt_BR").

Revision ID: b4d6f8a01c23
Revises: a3c5e7f90b12
Create Date: 2026-12-07 00:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'b4d6f8a01c23'
down_revision: str | None = 'a3c5e7f90b12'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_constraint(op.f('ck_recipient_profiles_language'), 'recipient_profiles', type_='check')
    op.alter_column(
        'recipient_profiles',
        'preferred_language',
        type_=sa.String(length=10),
        existing_type=sa.String(length=2),
        existing_nullable=False,
    )
    op.create_check_constraint(
        op.f('ck_recipient_profiles_language'),
        'recipient_profiles',
        "preferred_language ~ '^[a-z]{2,3}(_[A-Z]{2})?$'",
    )


def downgrade() -> None:
    op.drop_constraint(op.f('ck_recipient_profiles_language'), 'recipient_profiles', type_='check')
    op.execute(
        "update recipient_profiles set preferred_language = 'nl' "
        "where preferred_language not in ('nl', 'en')"
    )
    op.alter_column(
        'recipient_profiles',
        'preferred_language',
        type_=sa.String(length=2),
        existing_type=sa.String(length=10),
        existing_nullable=False,
    )
    op.create_check_constraint(
        op.f('ck_recipient_profiles_language'),
        'recipient_profiles',
        "preferred_language in ('nl', 'en')",
    )
