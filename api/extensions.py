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


class Api(_Api):
    """flask-smorest API whose documented error body is a problem."""

    ERROR_SCHEMA = ProblemSchema


jwt = JWTManager()
