"""GET /v1/health: is the service and its database up."""

from marshmallow import fields
from sqlalchemy import text

from api.db import get_session, reads_only
from api.extensions import Blueprint
from api.schemas import Schema

blp = Blueprint("health", __name__, url_prefix="/v1/health", description="Health")


class HealthSchema(Schema):
    status = fields.String(required=True)
    database = fields.String(required=True)


@blp.route("", methods=["GET"])
@reads_only
@blp.response(200, HealthSchema)
@blp.alt_response(503, description="The database cannot be reached")
def health() -> dict[str, str]:
    """Checks the database with a round trip."""
    get_session().execute(text("select 1"))
    return {"status": "ok", "database": "ok"}
