"""GET /v1/admin/reports/funnel."""

from __future__ import annotations

from typing import Any

from api.auth.security import current_actor, roles_required
from api.db import get_session
from api.extensions import Blueprint
from api.reports import service
from api.reports.schemas import FunnelQuerySchema, FunnelSchema

blp = Blueprint("reports", __name__, url_prefix="/v1/admin/reports", description="Reports")


@blp.route("/funnel", methods=["GET"])
@roles_required("admin")
@blp.arguments(FunnelQuerySchema, location="query")
@blp.response(200, FunnelSchema)
def funnel(query: dict[str, Any]) -> dict[str, Any]:
    """People per stage per month; any cell under 10 people is withheld."""
    return service.funnel(get_session(), actor=current_actor(), **query)
