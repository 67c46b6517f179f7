"""The served OpenAPI 3.0 document, shaped to the NL API Design Rules."""

from __future__ import annotations

import copy
import re
from decimal import Decimal
from typing import Any

from api.config import API_VERSION
from api.extensions import Api

PROBLEM_JSON = "application/problem+json"
PREFIX = "/v1"
_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


def build_openapi(api: Api) -> dict[str, Any]:
    """Spec with `servers: /v1`, API-Version on every response and problem+json errors."""
    spec = copy.deepcopy(api.spec.to_dict())
    spec["info"].update(
        {
            "description": (
                "Meedoen helps people on social assistance find volunteer work, language "
                "courses and informal-care support near home. All errors are RFC 9457 "
                "problem details; invalid input is 400 with invalidParams."
            ),
            "contact": {
                "name": "Meedoen team",
                "email": "api@meedoen.example.org",
                "url": "https://meedoen.example.org/developers",
            },
            "license": {"name": "EUPL-1.2", "url": "https://eupl.eu/1.2/en/"},
        }
    )
    spec["servers"] = [
        {"url": PREFIX, "description": "This server"},
        {"url": "https://api.meedoen.example.org/v1", "description": "Production"},
    ]
    components = spec.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas["Problem"] = {
        "type": "object",
        "properties": {
            "type": {"type": "string", "format": "uri"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string"},
            "instance": {"type": "string"},
        },
        "required": ["title", "status", "detail"],
    }
    schemas["InvalidParams"] = {
        "type": "object",
        "properties": {
            "invalidParams": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"name": {"type": "string"}, "reason": {"type": "string"}},
                    "required": ["name", "reason"],
                },
            }
        },
    }
    components["headers"] = {
        "API-Version": {
            "description": "The full version of the API (semver)",
            "schema": {"type": "string", "example": API_VERSION},
        },
        "Retry-After": {
            "description": "Seconds to wait before trying again",
            "schema": {"type": "integer"},
        },
    }
    components["securitySchemes"] = {
        "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
        "refreshToken": {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "The refresh token, only for /auth/refresh and /auth/logout",
        },
    }
    components.pop("responses", None)
    schemas.pop("PaginationMetadata", None)  # flask-smorest's; we page with cursors

    paths: dict[str, Any] = {}
    for path, item in spec.get("paths", {}).items():
        short = path[len(PREFIX) :] if path.startswith(PREFIX) else path
        for method, op in item.items():
            if method in _METHODS:
                _shape_operation(op, method)
                op.setdefault("operationId", _operation_id(method, short))
        paths[short or "/"] = item
    spec["paths"] = paths
    plain: dict[str, Any] = _plain_numbers(spec)  # a dict stays a dict
    return plain


def _operation_id(method: str, path: str) -> str:
    """E.g. post /opportunities/{opportunityId}/publish -> postOpportunitiesOpportunityIdPublish."""
    words = [w for w in re.split(r"[^a-zA-Z]+", path) if w]
    return method + "".join(w[0].upper() + w[1:] for w in words)


def _plain_numbers(node: Any) -> Any:
    """Decimals (from marshmallow validators) become JSON numbers, not strings."""
    if isinstance(node, dict):
        return {k: _plain_numbers(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain_numbers(v) for v in node]
    if isinstance(node, Decimal):
        return int(node) if node == node.to_integral_value() else float(node)
    return node


def _problem_response(description: str, *, invalid: bool = False) -> dict[str, Any]:
    schema: dict[str, Any] = {"$ref": "#/components/schemas/Problem"}
    if invalid:
        schema = {
            "allOf": [
                {"$ref": "#/components/schemas/Problem"},
                {"$ref": "#/components/schemas/InvalidParams"},
            ]
        }
    return {
        "description": description,
        "headers": {"API-Version": {"$ref": "#/components/headers/API-Version"}},
        "content": {PROBLEM_JSON: {"schema": schema}},
    }


def _shape_operation(op: dict[str, Any], method: str) -> None:
    if not op.get("description"):
        op["description"] = op.get("summary", "")
    responses: dict[str, Any] = op.setdefault("responses", {})
    secured = bool(op.get("security"))
    roles = op.pop("x-roles", None)
    has_input = bool(op.get("requestBody") or op.get("parameters"))
    wanted = {"500": "Unexpected error", "503": "Temporarily unavailable"}
    if has_input:
        wanted["400"] = "Invalid input; invalidParams names each field"
    if op.get("requestBody"):
        wanted["413"] = "Request body too large"
        wanted["415"] = "The body is not JSON; send Content-Type: application/json"
    if method not in ("get", "head", "options"):  # every write is rate limited (api/ratelimit.py)
        wanted["429"] = "Too many requests; wait as Retry-After says"
    if secured:
        wanted["401"] = "Not signed in, or the token is expired or revoked"
    if roles:
        wanted["403"] = "Your role may not do this"
        op["description"] = (op.get("description", "") + f"\n\nRoles: {', '.join(roles)}.").strip()
    for code, desc in wanted.items():
        responses.setdefault(code, {"description": desc})
    for code, resp in list(responses.items()):
        if "$ref" in resp:  # flask-smorest's lazy component responses -> inline
            name = resp["$ref"].rsplit("/", 1)[-1]
            resp = {"description": name.replace("_", " ").capitalize()}
            responses[code] = resp
        if str(code).startswith(("4", "5")) or code == "default":
            responses[code] = _problem_response(
                resp.get("description", "Error"), invalid=str(code) == "400"
            )
            if code in ("429", "503"):
                responses[code]["headers"]["Retry-After"] = {
                    "$ref": "#/components/headers/Retry-After"
                }
        else:
            resp.setdefault("headers", {})["API-Version"] = {
                "$ref": "#/components/headers/API-Version"
            }
