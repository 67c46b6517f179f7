"""GET /v1/me/feed."""

from typing import Any

from flask import Response

from api.auth.security import claimed_actor, confirms_sign_in, roles_required
from api.db import get_session, reads_only
from api.extensions import Blueprint
from api.feed import service
from api.feed.schemas import FeedPageSchema, FeedQuerySchema
from api.i18n import requested_language, use_language
from api.ratelimit import FEED_PER_ACCOUNT, caller, limiter

blp = Blueprint("feed", __name__, url_prefix="/v1/me/feed", description="My suggestions")


@blp.route("", methods=["GET"])
@reads_only
@confirms_sign_in  # the feed's one query also checks the sign-in (one round trip, not two)
@limiter.limit(FEED_PER_ACCOUNT, key_func=caller)
@roles_required("recipient")
@blp.arguments(FeedQuerySchema, location="query")
@blp.response(200, FeedPageSchema)
@blp.alt_response(429, description="Too many requests; wait as Retry-After says")
def feed(query: dict[str, Any]) -> Response | service.FeedPage:
    """Opportunities near you that fit you best, each with the reasons why."""
    result, language = service.feed_response(
        get_session(), actor=claimed_actor(), language=requested_language(), **query
    )
    use_language(language)  # no Accept-Language: the profile's language, said so
    return result
