"""The funnel report: what an admin asks for and what comes back (cells under minCell withheld)."""

from __future__ import annotations

from typing import Any

from marshmallow import fields

from api.schemas import QueryInt, Schema, camelcase


class FunnelQuerySchema(Schema):
    months = QueryInt(load_default=12, minimum=1, maximum=36)


class FunnelRowSchema(Schema):
    month = fields.String(required=True)
    with_profile = fields.Integer(allow_none=True)
    requested = fields.Integer(allow_none=True)
    approved = fields.Integer(allow_none=True)
    active = fields.Integer(allow_none=True)
    completed = fields.Integer(allow_none=True)
    answered_did_it_help = fields.Integer(
        allow_none=True, metadata={"description": "People who answered 'did it help?'"}
    )
    helped = fields.Integer(allow_none=True, metadata={"description": "... and said it helped"})
    moved_up_ladder = fields.Integer(allow_none=True)
    reached_step5 = fields.Integer(allow_none=True, data_key="reachedStep5")
    with_agreed_step = fields.Integer(
        allow_none=True, metadata={"description": "People with an agreed plan step open"}
    )
    steps_done = fields.Integer(allow_none=True, metadata={"description": "Plan steps done"})
    suppressed = fields.Method(
        "_suppressed", required=True, metadata={"description": "Cells withheld (under minCell)"}
    )

    def _suppressed(self, row: dict[str, Any]) -> list[str]:
        return [camelcase(c) for c in row["suppressed"]]


class FunnelSchema(Schema):
    min_cell = fields.Integer(required=True)
    items = fields.List(fields.Nested(FunnelRowSchema), required=True)
