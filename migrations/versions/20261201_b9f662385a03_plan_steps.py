"""plan steps: a person's small concrete steps, agreed with the coach, and their history

Revision ID: b9f662385a03
Revises: c0a50e5e5510
Create Date: 2026-12-01 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "b9f662385a03"
down_revision: str | None = "c0a50e5e5510"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = (
    "visit_activity",
    "start_activity",
    "language_course_level",
    "make_cv",
    "talk_to_employer",
    "training",
    "trial_placement",
    "apply_for_job",
    "start_paid_work",
)
ACTIONS = (
    "proposed",
    "agreed",
    "done",
    "dropped",
    "new_date",
    "suggested_done",
    "suggestion_dismissed",
)


def _in(column: str, values: Sequence[str]) -> str:
    return f"{column} in ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    op.create_table(
        "plan_steps",
        sa.Column("id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("municipality_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("recipient_id", postgresql.UUID(as_uuid=True), nullable=True),
        sa.Column("kind", sa.String(30), nullable=True),
        sa.Column("what", sa.Text(), nullable=True),
        sa.Column("why", sa.Text(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("due_is_week", sa.Boolean(), nullable=False),
        sa.Column("with_coach", sa.Boolean(), nullable=False),
        sa.Column("match_id", postgresql.UUID(as_uuid=True), nullable=True),
        sa.Column("opportunity_id", postgresql.UUID(as_uuid=True), nullable=True),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("proposed_by", sa.String(10), nullable=False),
        sa.Column("proposed_by_id", postgresql.UUID(as_uuid=True), nullable=True),
        sa.Column("agreed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("dropped_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("drop_reason", sa.Text(), nullable=True),
        sa.Column("suggested_done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("suggested_from", sa.String(10), nullable=True),
        sa.Column("suggestion_dismissed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint(
            _in("status", ("proposed", "agreed", "done", "dropped")),
            name=op.f("ck_plan_steps_status"),
        ),
        sa.CheckConstraint(
            _in("proposed_by", ("recipient", "coach")), name=op.f("ck_plan_steps_proposed_by")
        ),
        sa.CheckConstraint(
            f"kind is null or {_in('kind', KINDS)}", name=op.f("ck_plan_steps_kind")
        ),
        sa.CheckConstraint(
            "recipient_id is null or kind is not null or what is not null",
            name=op.f("ck_plan_steps_kind_or_what"),
        ),
        sa.CheckConstraint(
            f"suggested_from is null or {_in('suggested_from', ('match', 'ladder', 'checkin'))}",
            name=op.f("ck_plan_steps_suggested_from"),
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipalities.id"],
            name=op.f("fk_plan_steps_municipality_id_municipalities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recipient_id"],
            ["users.id"],
            name=op.f("fk_plan_steps_recipient_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["match_id"],
            ["matches.id"],
            name=op.f("fk_plan_steps_match_id_matches"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["opportunity_id"],
            ["opportunities.id"],
            name=op.f("fk_plan_steps_opportunity_id_opportunities"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["proposed_by_id"],
            ["users.id"],
            name=op.f("fk_plan_steps_proposed_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_steps")),
    )
    op.create_index("ix_plan_steps_recipient_status", "plan_steps", ["recipient_id", "status"])
    op.create_index("ix_plan_steps_match_id", "plan_steps", ["match_id"])
    op.create_index(
        "ix_plan_steps_open_due",
        "plan_steps",
        ["municipality_id", "due_on"],
        postgresql_where=sa.text(_in("status", ("proposed", "agreed"))),
    )
    op.create_table(
        "plan_step_events",
        sa.Column("id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("step_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("action", sa.String(24), nullable=False),
        sa.Column("from_status", sa.String(10), nullable=True),
        sa.Column("to_status", sa.String(10), nullable=False),
        sa.Column("actor_id", postgresql.UUID(as_uuid=True), nullable=True),
        sa.Column("actor_role", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint(_in("action", ACTIONS), name=op.f("ck_plan_step_events_action")),
        sa.ForeignKeyConstraint(
            ["step_id"],
            ["plan_steps.id"],
            name=op.f("fk_plan_step_events_step_id_plan_steps"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["users.id"],
            name=op.f("fk_plan_step_events_actor_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_step_events")),
    )
    op.create_index("ix_plan_step_events_step_id", "plan_step_events", ["step_id"])
    op.create_index("ix_plan_step_events_actor_id", "plan_step_events", ["actor_id"])


def downgrade() -> None:
    op.drop_table("plan_step_events")
    op.drop_table("plan_steps")
