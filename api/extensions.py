"""Shared Flask extensions: flask-smorest (400 for invalid input, problem+json) and JWT."""

from __future__ import annotations

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


jwt = JWTManager()
