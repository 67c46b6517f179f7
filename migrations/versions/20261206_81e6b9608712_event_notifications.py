"""event notifications: targets and channels on the outbox, inbox change feed, devices bound
to a sign-in and owned by one account, staff notification preferences, match feedback

Revision ID: 81e6b9608712
Revises: 439a4364d8e4
Create Date: 2026-12-01 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "81e6b9608712"
down_revision: str | None = "439a4364d8e4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Outbox: events beside nudges, what a message is about, whether it is pushed, who got it.
    op.add_column(
        "nudges", sa.Column("channel", sa.String(10), server_default="nudge", nullable=False)
    )
    op.create_check_constraint(op.f("ck_nudges_channel"), "nudges", "channel in ('nudge', 'event')")
    op.add_column("nudges", sa.Column("target_type", sa.String(20), nullable=True))
    op.add_column("nudges", sa.Column("target_id", sa.String(64), nullable=True))
    op.add_column("nudges", sa.Column("push", sa.Boolean(), server_default="true", nullable=False))
    op.add_column(
        "nudges",
        sa.Column(
            "pushed_devices",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
    )
    op.create_index(
        "ix_nudges_user_held",
        "nudges",
        ["user_id", "created_at"],
        postgresql_where=sa.text("drop_reason = 'daily_summary'"),
    )
    # Inbox: what a message is about (deep links) and when it last changed (app sync).
    op.add_column("inbox_messages", sa.Column("target_type", sa.String(20), nullable=True))
    op.add_column("inbox_messages", sa.Column("target_id", sa.String(64), nullable=True))
    op.add_column(
        "inbox_messages",
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
    )
    op.execute("UPDATE inbox_messages SET updated_at = coalesce(read_at, created_at)")
    op.create_index(
        "ix_inbox_messages_user_updated", "inbox_messages", ["user_id", "updated_at", "id"]
    )
    # Devices: one token belongs to one account (the last to register it); bound to a sign-in.
    op.execute(
        """
        DELETE FROM devices d USING devices newer
         WHERE newer.push_token = d.push_token
           AND (newer.created_at, newer.id) > (d.created_at, d.id)
        """
    )
    op.drop_index("uq_devices_user_token", table_name="devices")
    op.create_index("uq_devices_push_token", "devices", ["push_token"], unique=True)
    op.create_index("ix_devices_user_id", "devices", ["user_id"])
    op.add_column("devices", sa.Column("family_id", sa.UUID(), nullable=True))
    op.create_foreign_key(
        op.f("fk_devices_family_id_token_families"),
        "devices",
        "token_families",
        ["family_id"],
        ["id"],
        ondelete="SET NULL",
    )
    op.create_index("ix_devices_family_id", "devices", ["family_id"])
    # Staff: push, inbox or a daily summary, per event kind.
    op.create_table(
        "notification_preferences",
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("kinds", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_notification_preferences_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_notification_preferences")),
    )
    # "Did it help?": the person's answer, kept with the match.
    op.create_table(
        "match_feedback",
        sa.Column("match_id", sa.UUID(), nullable=False),
        sa.Column("helped", sa.Boolean(), nullable=False),
        sa.Column("again", sa.Boolean(), nullable=False),
        sa.Column("words", sa.Text(), nullable=True),
        sa.Column(
            "answered_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["match_id"],
            ["matches.id"],
            name=op.f("fk_match_feedback_match_id_matches"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("match_id", name=op.f("pk_match_feedback")),
    )


def downgrade() -> None:
    op.drop_table("match_feedback")
    op.drop_table("notification_preferences")
    op.drop_index("ix_devices_family_id", table_name="devices")
    op.drop_constraint(op.f("fk_devices_family_id_token_families"), "devices", type_="foreignkey")
    op.drop_column("devices", "family_id")
    op.drop_index("ix_devices_user_id", table_name="devices")
    op.drop_index("uq_devices_push_token", table_name="devices")
    op.create_index("uq_devices_user_token", "devices", ["user_id", "push_token"], unique=True)
    op.drop_index("ix_inbox_messages_user_updated", table_name="inbox_messages")
    op.drop_column("inbox_messages", "updated_at")
    op.drop_column("inbox_messages", "target_id")
    op.drop_column("inbox_messages", "target_type")
    op.drop_index("ix_nudges_user_held", table_name="nudges")
    op.drop_column("nudges", "pushed_devices")
    op.drop_column("nudges", "push")
    op.drop_column("nudges", "target_id")
    op.drop_column("nudges", "target_type")
    op.drop_constraint(op.f("ck_nudges_channel"), "nudges", type_="check")
    op.drop_column("nudges", "channel")
