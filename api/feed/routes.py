"""GET /v1/me/feed."""

from typing import Any

from api.auth.security import current_actor, roles_required
from api.db import get_session
from api.extensions import Blueprint
from api.feed import service
from api.feed.schemas import FeedPageSchema, FeedQuerySchema

blp = Blueprint("feed", __name__, url_prefix="/v1/me/feed", description="My suggestions")


@blp.route("", methods=["GET"])
@roles_required("recipient")
@blp.arguments(FeedQuerySchema, location="query")
@blp.response(200, FeedPageSchema)
def feed(query: dict[str, Any]) -> service.FeedPage:
    """Opportunities near you that fit you best, each with the reasons why."""
    return service.personal_feed(get_session(), actor=current_actor(), **query)
