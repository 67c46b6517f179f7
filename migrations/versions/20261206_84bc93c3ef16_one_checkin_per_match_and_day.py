"""one check-in per match and day: a unique index, so hours are never counted twice

Existing doubles (same match, same day) are not deleted: every one but the first made stays as a
check-in without a match (its hours, wellbeing and note are the person's own words), so the index
can be built.

Revision ID: 84bc93c3ef16
Revises: 292918cafebb
Create Date: 2026-12-06 21:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '84bc93c3ef16'
down_revision: str | None = '292918cafebb'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        """
        update checkins set match_id = null
        where id in (
            select id from (
                select id, row_number() over (
                    partition by match_id, date order by created_at, id
                ) as n
                from checkins where match_id is not null
            ) ranked
            where n > 1
        )
        """
    )
    op.create_index(
        'uq_checkins_match_date',
        'checkins',
        ['match_id', 'date'],
        unique=True,
        postgresql_where=sa.text('match_id is not null'),
    )


def downgrade() -> None:
    op.drop_index('uq_checkins_match_date', table_name='checkins')
