"""quiet hours in one shape: a policy stores `quiet_hours: {start, end}` as a profile does

Policies stored before kept `quiet_hours_start` and `quiet_hours_end`; they become one object
(a missing one takes the default, 21:00 to 08:00).

Revision ID: a3c5e7f90b12
Revises: e2b4fac95e4b
Create Date: 2026-12-07 00:45:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = 'a3c5e7f90b12'
down_revision: str | None = 'e2b4fac95e4b'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        """
        update policies set settings = (settings - 'quiet_hours_start' - 'quiet_hours_end')
            || jsonb_build_object('quiet_hours', jsonb_build_object(
                'start', coalesce(settings->>'quiet_hours_start', '21:00'),
                'end', coalesce(settings->>'quiet_hours_end', '08:00')))
        where settings ? 'quiet_hours_start' or settings ? 'quiet_hours_end'
        """
    )


def downgrade() -> None:
    op.execute(
        """
        update policies set settings = (settings - 'quiet_hours')
            || jsonb_build_object(
                'quiet_hours_start', coalesce(settings->'quiet_hours'->>'start', '21:00'),
                'quiet_hours_end', coalesce(settings->'quiet_hours'->>'end', '08:00'))
        where settings ? 'quiet_hours'
        """
    )
