"""audit purposes in the catalogue: enrolments carried the experiment's id in their purpose, so
no catalogue could translate them for the person's access log (the id is the entry's object)

Revision ID: d7f9b1c3e5a2
Revises: c6e8a0b2d4f1
Create Date: 2026-12-07 11:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "d7f9b1c3e5a2"
down_revision: str | None = "c6e8a0b2d4f1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "UPDATE audit_events SET purpose = 'enrolled in an experiment by salted assignment'"
        " WHERE object_type = 'experiment_assignment'"
        " AND purpose LIKE 'enrolled in experiment % by salted assignment'"
    )


def downgrade() -> None:
    op.execute(
        "UPDATE audit_events"
        " SET purpose = 'enrolled in experiment ' || object_id || ' by salted assignment'"
        " WHERE object_type = 'experiment_assignment'"
        " AND purpose = 'enrolled in an experiment by salted assignment'"
    )
