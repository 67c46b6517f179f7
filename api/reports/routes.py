"""GET /v1/admin/reports/funnel."""

from __future__ import annotations

from typing import Any

from marshmallow import fields

from api.auth.security import current_actor, roles_required
from api.db import get_session
from api.extensions import Blueprint
from api.reports import service
from api.schemas import QueryInt, Schema, camelcase

blp = Blueprint("reports", __name__, url_prefix="/v1/admin/reports", description="Reports")


class FunnelQuerySchema(Schema):
    months = QueryInt(load_default=12, minimum=1, maximum=36)


class FunnelRowSchema(Schema):
    month = fields.String(required=True)
    with_profile = fields.Integer(allow_none=True)
    requested = fields.Integer(allow_none=True)
    approved = fields.Integer(allow_none=True)
    active = fields.Integer(allow_none=True)
    completed = fields.Integer(allow_none=True)
    moved_up_ladder = fields.Integer(allow_none=True)
    reached_step5 = fields.Integer(allow_none=True, data_key="reachedStep5")
    suppressed = fields.Method(
        "_suppressed", required=True, metadata={"description": "Cells withheld (under minCell)"}
    )

    def _suppressed(self, row: dict[str, Any]) -> list[str]:
        return [camelcase(c) for c in row["suppressed"]]


class FunnelSchema(Schema):
    min_cell = fields.Integer(required=True)
    items = fields.List(fields.Nested(FunnelRowSchema), required=True)


@blp.route("/funnel", methods=["GET"])
@roles_required("admin")
@blp.arguments(FunnelQuerySchema, location="query")
@blp.response(200, FunnelSchema)
def funnel(query: dict[str, Any]) -> dict[str, Any]:
    """People per stage per month; any cell under 10 people is withheld."""
    return service.funnel(get_session(), actor=current_actor(), **query)
