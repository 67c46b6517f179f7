"""Type stubs for the parts of flask-smorest this project uses (it ships no types).

Every decorator returns the view unchanged as far as types go: Flask calls the views, our
code never does, so the wrapper's injected arguments and serialised return need no type.
"""

from collections.abc import Callable, Mapping, Sequence
from http import HTTPStatus
from typing import Any, TypeVar

import flask
import marshmallow as ma
from apispec import APISpec
from webargs.flaskparser import FlaskParser

_View = TypeVar("_View", bound=Callable[..., Any])
_Decorator = Callable[[_View], _View]
_Status = int | str | HTTPStatus
_SchemaArg = type[ma.Schema] | ma.Schema

class Blueprint(flask.Blueprint):
    ARGUMENTS_PARSER: FlaskParser
    PAGINATION_ARGUMENTS_PARSER: FlaskParser
    description: str
    def __init__(
        self, name: str, import_name: str, *args: Any, description: str = ..., **kwargs: Any
    ) -> None: ...
    def route(
        self,
        rule: str,
        *,
        parameters: Sequence[str | Mapping[str, Any]] | None = ...,
        tags: Sequence[str] | None = ...,
        **options: Any,
    ) -> Callable[[_View], _View]: ...
    def arguments(
        self,
        schema: _SchemaArg,
        *,
        location: str = ...,
        content_type: str | None = ...,
        required: bool = ...,
        description: str | None = ...,
        example: Any = ...,
        examples: Mapping[str, Any] | None = ...,
        **kwargs: Any,
    ) -> Callable[[_View], _View]: ...
    def response(
        self,
        status_code: _Status,
        schema: _SchemaArg | str | Mapping[str, Any] | None = ...,
        *,
        content_type: str | None = ...,
        description: str | None = ...,
        example: Any = ...,
        examples: Mapping[str, Any] | None = ...,
        headers: Mapping[str, Any] | None = ...,
    ) -> Callable[[_View], _View]: ...
    def alt_response(
        self,
        status_code: _Status,
        response: str | None = ...,
        *,
        schema: _SchemaArg | str | Mapping[str, Any] | None = ...,
        content_type: str | None = ...,
        description: str | None = ...,
        example: Any = ...,
        examples: Mapping[str, Any] | None = ...,
        headers: Mapping[str, Any] | None = ...,
        success: bool = ...,
    ) -> Callable[[_View], _View]: ...
    @staticmethod
    def doc(**kwargs: Any) -> Callable[[_View], _View]: ...

class Api:
    ERROR_SCHEMA: type[ma.Schema]
    DEFAULT_ERROR_RESPONSE_NAME: str
    spec: APISpec
    ma_plugin: Any  # apispec's MarshmallowPlugin (its converter takes attribute functions)
    def _init_spec(self, **kwargs: Any) -> None: ...
    def __init__(
        self,
        app: flask.Flask | None = ...,
        *,
        spec_kwargs: Mapping[str, Any] | None = ...,
        config_prefix: str = ...,
    ) -> None: ...
    def init_app(
        self, app: flask.Flask, *, spec_kwargs: Mapping[str, Any] | None = ...
    ) -> None: ...
    def register_blueprint(
        self,
        blp: Blueprint,
        *,
        parameters: Sequence[str | Mapping[str, Any]] | None = ...,
        **options: Any,
    ) -> None: ...
