"""GET /v1/openapi.json, public, cacheable and CORS-open."""

from flask import Response, current_app, jsonify

from api.core.caching import public_cache
from api.extensions import Blueprint
from api.meta.openapi import build_openapi

blp = Blueprint("meta", __name__, url_prefix="/v1", description="The API description")


@blp.route("/openapi.json", methods=["GET"])
@public_cache(max_age=3600)
@blp.response(
    200,
    description="The OpenAPI 3.0 document of this API",
    headers={
        "Access-Control-Allow-Origin": {"$ref": "#/components/headers/Access-Control-Allow-Origin"}
    },
)
def openapi_json() -> Response:
    """The OpenAPI document; no sign-in needed."""
    cache = current_app.extensions.setdefault("meedoen_openapi", {})
    if "doc" not in cache:
        cache["doc"] = build_openapi(current_app.extensions["meedoen_api"])
    resp = jsonify(cache["doc"])
    resp.headers["Access-Control-Allow-Origin"] = "*"
    return resp
