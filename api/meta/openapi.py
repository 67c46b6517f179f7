"""The served OpenAPI 3.0 document, shaped to the NL API Design Rules."""

from __future__ import annotations

import copy
import re
from decimal import Decimal
from typing import Any

from api.config import API_VERSION
from api.errors import PROBLEM_CODES
from api.extensions import Api
from api.matches.schemas import REASON_CODES
from api.matches.status import MatchStatus
from api.meta.fields import describe_schemas
from api.meta.guide import INFO_DESCRIPTION, TAG_DESCRIPTIONS
from api.nudges.schemas import MESSAGE_KINDS
from api.opportunities.schemas import OPPORTUNITY_STATUSES
from api.plans.status import KINDS as PLAN_STEP_KINDS
from api.plans.status import SIDES, StepStatus
from api.users.models import ROLES
from matching.model import ACCESSIBILITY, CEFR_LEVELS, KINDS, SLOTS, TRAVEL_MODES

PROBLEM_JSON = "application/problem+json"
PREFIX = "/v1"
_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


def build_openapi(api: Api) -> dict[str, Any]:
    """Spec with `servers: /v1`, API-Version on every response and problem+json errors."""
    spec = copy.deepcopy(api.spec.to_dict())
    spec["info"].update(
        {
            "description": INFO_DESCRIPTION,
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
    schemas["Problem"] = problem_schema()
    schemas["ValidationProblem"] = validation_problem_schema()
    schemas["InvalidParam"] = {
        "type": "object",
        "description": "One field that was not accepted, and why",
        "properties": {
            "name": {
                "type": "string",
                "description": "The field (dotted when nested, e.g. nudgePreferences.maxPerWeek), "
                "a query key, a header, or `body` for the body as a whole",
                "example": "maxDistanceKm",
            },
            "reason": {
                "type": "string",
                "description": "What is wrong with it, in words a person can act on",
                "example": "At most 5 km for walk.",
            },
        },
        "required": ["name", "reason"],
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
        "ETag": {
            "description": "Version of this representation; send it as If-None-Match next time",
            "schema": {"type": "string"},
        },
        "Cache-Control": {
            "description": "How long a cache may keep this (public, max-age in seconds)",
            "schema": {"type": "string", "example": "public, max-age=3600"},
        },
        "Access-Control-Allow-Origin": {
            "description": "CORS: any web origin may read this document",
            "schema": {"type": "string", "enum": ["*"]},
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
    for tag in spec.get("tags", []):
        tag["description"] = TAG_DESCRIPTIONS.get(tag["name"], tag.get("description", ""))
    describe_schemas(schemas)
    _name_nullable_enums(schemas)
    _name_enums(schemas)
    for schema in schemas.values():
        _wrap_refs_with_siblings(schema)
    for schema in schemas.values():
        _nullable_refs(schema, schemas)

    paths: dict[str, Any] = {}
    for path, item in spec.get("paths", {}).items():
        short = path[len(PREFIX) :] if path.startswith(PREFIX) else path
        for method, op in item.items():
            if method in _METHODS:
                _shape_operation(op, method, item.get("parameters", []))
                op.setdefault("operationId", _operation_id(method, short))
        paths[short or "/"] = item
    spec["paths"] = paths
    plain: dict[str, Any] = _plain_numbers(spec)  # a dict stays a dict
    return plain


def problem_schema() -> dict[str, Any]:
    """RFC 9457 problem details with our machine-readable `code` (one schema for every error)."""
    codes = "\n".join(f"- `{code}`: {meaning}" for code, meaning in PROBLEM_CODES.items())
    return {
        "type": "object",
        "description": "What went wrong (RFC 9457 problem details). Apps decide by `code`; "
        "`title` and `detail` are for people.",
        "properties": {
            "type": {
                "type": "string",
                "format": "uri",
                "description": "A URI naming the kind of problem",
                "example": "https://meedoen.nl/problems/conflict",
            },
            "title": {
                "type": "string",
                "description": "Short summary of the kind of problem, for people",
                "example": "Conflict",
            },
            "status": {
                "type": "integer",
                "description": "The HTTP status code of this response",
                "example": 409,
            },
            "detail": {
                "type": "string",
                "description": "What happened this time, in words a person can act on",
                "example": "This opportunity is full.",
            },
            "instance": {
                "type": "string",
                "description": "The path of the request that failed",
                "example": "/v1/matches/4f1c2a8e-7a57-4a1e-9a4c-0d5d7c2b8e11/approve",
            },
            "code": {
                "type": "string",
                "enum": list(PROBLEM_CODES),
                "description": "What went wrong, for the app to decide on:\n" + codes,
                "example": "full",
            },
        },
        "required": ["title", "status", "detail", "code"],
    }


def validation_problem_schema() -> dict[str, Any]:
    """The problem of a 400: the Problem fields plus `invalidParams`, one entry per field."""
    schema = problem_schema()
    schema["description"] = "Input that was not accepted (400): invalidParams names each field"
    schema["properties"]["invalidParams"] = {
        "type": "array",
        "description": "Each field that was not accepted, and why",
        "items": {"$ref": "#/components/schemas/InvalidParam"},
    }
    schema["properties"]["status"]["example"] = 400
    schema["properties"]["code"]["example"] = "invalid_input"
    schema["properties"]["title"]["example"] = "Bad Request"
    schema["properties"]["detail"]["example"] = "The request has invalid fields; see invalidParams."
    schema["properties"]["type"]["example"] = "https://meedoen.nl/problems/invalid-input"
    schema["properties"]["instance"]["example"] = "/v1/me/profile"
    schema["required"] = [*schema["required"], "invalidParams"]
    return schema


# The names of the enum components (the type names in generated clients), by their values: a
# vocabulary keeps its one name wherever it appears (Match.status and CoachMatch.status are both
# a MatchStatus). A new nullable enum field needs a line here (tests/api/test_openapi_complete.py
# fails on an enum component the code did not name); other enums stay inline until they get one.
ENUM_NAMES: dict[tuple[str, ...], tuple[str, str]] = {
    tuple(KINDS): ("OpportunityKind", "What kind of opportunity"),
    tuple(OPPORTUNITY_STATUSES): (
        "OpportunityStatus",
        "Where an opportunity is: draft, published (in feeds), paused or closed",
    ),
    tuple(TRAVEL_MODES): ("TravelMode", "How the person gets there"),
    tuple(SLOTS): ("DayPart", "A part of a weekday (local time), e.g. tue-morning"),
    tuple(ACCESSIBILITY): ("Accessibility", "Something a place offers or a person needs"),
    tuple(ROLES): ("AccountRole", "What an account may do"),
    tuple(REASON_CODES): ("ReasonCode", "What kind of reason (stable; for icons and logic)"),
    tuple(MESSAGE_KINDS): ("MessageKind", "What a message is about (a nudge or an event)"),
    tuple(s.value for s in StepStatus): ("PlanStepStatus", "Where a plan step is"),
    tuple(CEFR_LEVELS): ("CefrLevel", "A level of Dutch (CEFR): A0 (none) to C2"),
    tuple(s.value for s in MatchStatus): (
        "MatchStatus",
        "Where a match is (see the matches tag for the state machine)",
    ),
    tuple(PLAN_STEP_KINDS): ("PlanStepKind", "A kind of plan step, from the fixed list"),
    tuple(SIDES): ("PlanSide", "Who in a plan: the person (recipient) or their coach"),
}


def _name_nullable_enums(schemas: dict[str, Any]) -> None:
    """A nullable enum becomes `nullable: true, allOf: [$ref]` to a named enum schema.

    Client generators read `{type: string, enum: [...], nullable: true}` as never null (the
    Python client then fails on a null); a reference to a named enum they read right. Its name
    is the one ENUM_NAMES gives (else, as a stopgap the tests refuse, owner and property).
    """
    named: dict[tuple[str, ...], str] = {}
    for owner, schema in list(schemas.items()):
        for prop, spec in (schema.get("properties") or {}).items():
            if not (spec.get("nullable") and "enum" in spec):
                continue
            values = tuple(spec.pop("enum"))
            if values not in named:
                name, meaning = ENUM_NAMES.get(values, (owner + prop[0].upper() + prop[1:], ""))
                schemas[name] = {"type": spec.pop("type", "string"), "enum": list(values)}
                if meaning:
                    schemas[name]["description"] = meaning
                named[values] = name
            spec.pop("type", None)
            spec["allOf"] = [{"$ref": f"#/components/schemas/{named[values]}"}]


def _name_enums(schemas: dict[str, Any]) -> None:
    """An inline enum with a name in ENUM_NAMES becomes a reference to that named component.

    Generated clients then have one type per vocabulary (one MatchStatus, not MatchStatus,
    CoachMatchStatus and MatchDecisionStatus). Runs after _name_nullable_enums.
    """

    def named(spec: dict[str, Any]) -> str | None:
        values = spec.get("enum")
        if not isinstance(values, list) or spec.get("nullable"):
            return None
        found = ENUM_NAMES.get(tuple(values))
        if found is None:
            return None
        name, meaning = found
        schemas.setdefault(name, {"type": spec.get("type", "string"), "enum": list(values)})
        schemas[name].setdefault("description", meaning)
        return name

    for schema in list(schemas.values()):
        for prop, spec in (schema.get("properties") or {}).items():
            name = named(spec)
            if name:
                rest = {k: v for k, v in spec.items() if k not in ("type", "enum")}
                schema["properties"][prop] = {**rest, "allOf": [_ref(name)]}
                continue
            items = spec.get("items")
            if isinstance(items, dict):
                name = named(items)
                if name:
                    spec["items"] = _ref(name)


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable_refs(node: Any, schemas: dict[str, Any]) -> None:
    """`nullable: true, allOf: [$ref]` -> `anyOf: [$ref, {type, nullable: true, enum: [null]}]`.

    OpenAPI 3.0.3 says `nullable` counts only beside a `type`, so `nullable` + `allOf` alone is not
    nullable to a validator (Spectral refuses the examples); with `type` added, openapi-python-
    client drops the null. A second choice that is only null is read right by validators and both
    generators (Python `X | None`, TypeScript `X | null`).
    """
    if isinstance(node, list):
        for item in node:
            _nullable_refs(item, schemas)
        return
    if not isinstance(node, dict):
        return
    refs = node.get("allOf")
    if (
        node.get("nullable")
        and "type" not in node
        and isinstance(refs, list)
        and len(refs) == 1
        and "$ref" in refs[0]
    ):
        target = schemas.get(refs[0]["$ref"].rsplit("/", 1)[-1], {})
        kind = target.get("type", "object")
        del node["nullable"]
        node["anyOf"] = [node.pop("allOf")[0], {"type": kind, "nullable": True, "enum": [None]}]
        return
    for value in node.values():
        if isinstance(value, dict | list):
            _nullable_refs(value, schemas)


def _wrap_refs_with_siblings(node: Any) -> None:
    """OpenAPI 3.0 ignores keys beside a `$ref`: `{$ref, readOnly}` -> `{allOf: [$ref], ...}`."""
    if isinstance(node, list):
        for item in node:
            _wrap_refs_with_siblings(item)
        return
    if not isinstance(node, dict):
        return
    for key in ("properties",):
        for prop in (node.get(key) or {}).values():
            if isinstance(prop, dict) and "$ref" in prop and len(prop) > 1:
                prop["allOf"] = [{"$ref": prop.pop("$ref")}]
    for value in node.values():
        if isinstance(value, dict | list):
            _wrap_refs_with_siblings(value)


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
    name = "ValidationProblem" if invalid else "Problem"
    schema: dict[str, Any] = {"$ref": f"#/components/schemas/{name}"}
    return {
        "description": description,
        "headers": {"API-Version": {"$ref": "#/components/headers/API-Version"}},
        "content": {PROBLEM_JSON: {"schema": schema}},
    }


def _shape_operation(op: dict[str, Any], method: str, shared: list[dict[str, Any]]) -> None:
    if not op.get("description"):
        op["description"] = op.get("summary", "")
    responses: dict[str, Any] = op.setdefault("responses", {})
    secured = bool(op.get("security"))
    roles = op.pop("x-roles", None)
    has_input = bool(op.get("requestBody") or op.get("parameters") or shared)
    wanted = {"500": "Unexpected error", "503": "Temporarily unavailable"}
    if has_input or method in ("post", "put", "patch"):  # NL ADR: every write documents 400
        wanted["400"] = "Invalid input; invalidParams names each field"
    if op.get("requestBody"):
        wanted["413"] = "Request body too large"
        wanted["415"] = "The body is not JSON; send Content-Type: application/json"
    if method not in ("get", "head", "options"):  # every write is rate limited (api/ratelimit.py)
        wanted["429"] = "Too many requests; wait as Retry-After says"
    if secured:
        wanted["401"] = (
            "Not signed in (`token_missing`), the access token has expired (`token_expired`: "
            "refresh it), or the sign-in has ended (`token_revoked`, `token_invalid`: sign in "
            "again)"
        )
    path_params = [p for p in [*shared, *op.get("parameters", [])] if p.get("in") == "path"]
    if path_params:
        wanted["404"] = "Not found, or not yours to see (`not_found`)"
    if any(p.get("name") == "Idempotency-Key" for p in op.get("parameters", [])):
        conflict = responses.get("409", {}).get("description")
        reused = "This Idempotency-Key was used for another request (`idempotency_conflict`)"
        responses["409"] = {"description": f"{conflict}; or: {reused}" if conflict else reused}
    if roles:
        wanted["403"] = "Your role may not do this"
        op["description"] = (op.get("description", "") + f"\n\nRoles: {', '.join(roles)}.").strip()
    for code, desc in wanted.items():
        responses.setdefault(code, {"description": desc})
    if op.pop("x-public-cache", None):  # api/core/caching.py: ETag, Cache-Control and 304
        cache_headers = {
            "ETag": {"$ref": "#/components/headers/ETag"},
            "Cache-Control": {"$ref": "#/components/headers/Cache-Control"},
        }
        responses.setdefault("200", {}).setdefault("headers", {}).update(cache_headers)
        responses["304"] = {
            "description": "Not modified: the copy with this ETag is still current",
            "headers": dict(cache_headers),
        }
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
