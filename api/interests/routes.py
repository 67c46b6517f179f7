"""GET /v1/interests."""

from typing import Any

from api.db import get_session
from api.extensions import Blueprint
from api.i18n import request_language
from api.interests import service
from api.interests.schemas import InterestListSchema

blp = Blueprint("interests", __name__, url_prefix="/v1/interests", description="Interest taxonomy")


@blp.route("", methods=["GET"])
@blp.response(200, InterestListSchema)
def list_interests() -> dict[str, list[Any]]:
    """All interests and their categories, labelled in the request's language (Accept-Language)
    and in Dutch and English."""
    return service.taxonomy_for(get_session(), language=request_language())
