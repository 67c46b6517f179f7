"""Shared Flask extensions: flask-smorest (400 for invalid input, problem+json) and JWT."""

from __future__ import annotations

import time
from typing import Any

import flask
import marshmallow as ma
from flask_jwt_extended import JWTManager
from flask_smorest import Api as _Api
from flask_smorest import Blueprint as _Blueprint
from marshmallow import EXCLUDE, RAISE
from webargs.flaskparser import FlaskParser

from api.jsonbody import load_json_body


class StrictParser(FlaskParser):
    """Invalid input is 400 (not webargs' 422), unknown fields are refused, bodies must be JSON."""

    DEFAULT_VALIDATION_STATUS = 400
    DEFAULT_UNKNOWN_BY_LOCATION = {
        "json": RAISE,
        "form": RAISE,
        "json_or_form": RAISE,
        "querystring": RAISE,
        "query": RAISE,
        "headers": EXCLUDE,
        "cookies": EXCLUDE,
        "files": RAISE,
        "view_args": RAISE,
        "path": RAISE,
    }

    def _raw_load_json(self, req: flask.Request) -> Any:
        """The strict parse of api/jsonbody.py: 415 when not JSON, 400 when empty or unsafe."""
        return load_json_body(req)

    def _get_schema(self, argmap: Any, req: flask.Request) -> ma.Schema:
        """One instance per schema class (webargs makes one per request: 80 us on the feed).
        A schema keeps no state between loads, so threads may share it."""
        if isinstance(argmap, type) and issubclass(argmap, ma.Schema):
            made = _SCHEMAS.get(argmap)
            if made is None:
                made = _SCHEMAS.setdefault(argmap, argmap())
            return made
        return super()._get_schema(argmap, req)


_SCHEMAS: dict[type[ma.Schema], ma.Schema] = {}


class ProblemSchema(ma.Schema):
    """RFC 9457 problem details."""

    type = ma.fields.String(metadata={"description": "URI identifying the kind of problem"})
    title = ma.fields.String(required=True)
    status = ma.fields.Integer(required=True)
    detail = ma.fields.String(required=True)
    instance = ma.fields.String()


class Blueprint(_Blueprint):
    """flask-smorest blueprint that parses strictly."""

    ARGUMENTS_PARSER = StrictParser()
    PAGINATION_ARGUMENTS_PARSER = StrictParser()


def computed2properties(converter: Any, field: ma.fields.Field, **_: Any) -> dict[str, Any]:
    """A `Computed` field is documented as the field it says it returns."""
    from api.schemas import Computed

    if isinstance(field, Computed):
        return dict(converter.field2property(field.returns))
    return {}


def nullable2properties(
    converter: Any, field: ma.fields.Field, ret: dict[str, Any], **_: Any
) -> dict[str, Any]:
    """OpenAPI 3.0 nullability that generated clients read right.

    apispec writes a nullable reference as `anyOf: [{type: object, nullable: true}, $ref]`, which
    client generators match as "any object" first (the referenced model is lost); and it puts
    `null` into the enum of a nullable choice. Here a nullable reference becomes
    `nullable: true, allOf: [$ref]` and `null` leaves the enum (`nullable: true` says it).
    """
    if not field.allow_none:
        return {}
    out: dict[str, Any] = {"nullable": True}
    parts = ret.pop("anyOf", None)
    if parts is not None:
        kept = [p for p in parts if p != {"type": "object", "nullable": True}]
        out["allOf"] = kept
    enum = ret.get("enum")
    if enum is not None and None in enum:
        out["enum"] = [v for v in enum if v is not None]
    return out


class Api(_Api):
    """flask-smorest API: documented errors are problems, and every field has a type."""

    ERROR_SCHEMA = ProblemSchema

    def _init_spec(self, **kwargs: Any) -> None:
        super()._init_spec(**kwargs)
        converter = self.ma_plugin.converter
        converter.add_attribute_function(computed2properties)
        converter.add_attribute_function(nullable2properties)


class VerifiedTokens(JWTManager):
    """flask-jwt-extended, remembering tokens it has verified (per process, bounded).

    A feed request had its access token parsed and its signature checked twice (the rate
    limiter's caller and the view), six base64 parses in all: a fifth of the request's CPU.
    The same token text always verifies the same way with the same key, and time only
    moves forward: a remembered token is checked again only for its expiry (then the
    library decides, so an expired token is refused exactly as before). Revocation is not
    part of this: it is looked up per request in PostgreSQL (api/auth).
    """

    LIMIT = 20_000

    def __init__(self) -> None:
        super().__init__()
        self._verified: dict[tuple[str, ...], dict[str, Any]] = {}

    def _decode_jwt_from_config(
        self, encoded_token: str, csrf_value: Any = None, allow_expired: bool = False
    ) -> dict[str, Any]:
        app = flask.current_app.config
        key = (
            encoded_token,  # the app's key and the claims it requires are part of the answer
            str(app.get("JWT_SECRET_KEY")),
            str(app.get("JWT_DECODE_ISSUER")),
            str(app.get("JWT_DECODE_AUDIENCE")),
            str(app.get("JWT_DECODE_ALGORITHMS")),
        )
        if csrf_value is None and not allow_expired:
            known = self._verified.get(key)
            if known is not None and time.time() < known.get("exp", 0) - _LEEWAY_MARGIN:
                return dict(known)
        claims: dict[str, Any] = super()._decode_jwt_from_config(
            encoded_token, csrf_value, allow_expired
        )
        if csrf_value is None and not allow_expired and "exp" in claims:
            if len(self._verified) >= self.LIMIT:
                self._verified.clear()  # a fresh start costs one verification per token
            self._verified[key] = dict(claims)
        return claims


_LEEWAY_MARGIN = 1.0  # seconds: near its expiry a token goes through the library again


jwt = VerifiedTokens()
