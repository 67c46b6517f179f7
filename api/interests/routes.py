"""GET /v1/interests."""

from api.core.caching import public_cache
from api.db import get_session
from api.extensions import Blueprint
from api.interests import service
from api.interests.models import Interest
from api.interests.schemas import InterestListSchema

blp = Blueprint("interests", __name__, url_prefix="/v1/interests", description="Interest taxonomy")


@blp.route("", methods=["GET"])
@public_cache(max_age=3600)
@blp.response(200, InterestListSchema)
def list_interests() -> dict[str, list[Interest]]:
    """All interests with Dutch and English labels and their category."""
    return {"items": service.list_interests(get_session())}
