"""Idempotency-Key: the first successful response is kept and replayed for retries."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Response, json, request
from flask_jwt_extended import get_jwt
from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from api.db import get_session
from api.errors import Conflict, InvalidInput
from api.extensions import Blueprint
from api.idempotency.models import IdempotencyKey

F = TypeVar("F", bound=Callable[..., Any])
HEADER = "Idempotency-Key"


def _fingerprint() -> str:
    raw = request.method.encode() + b" " + request.path.encode() + b"\n" + request.get_data()
    return hashlib.sha256(raw).hexdigest()


def _claim(session: Session, user_id: str, key: str, fingerprint: str) -> IdempotencyKey | None:
    """Reserve the key; a concurrent twin waits here until the first commits, then sees it."""
    inserted = session.execute(
        insert(IdempotencyKey)
        .values(user_id=user_id, key=key, fingerprint=fingerprint)
        .on_conflict_do_nothing()
        .returning(IdempotencyKey.key)
    ).first()
    if inserted is not None:
        return None
    return session.get(IdempotencyKey, (user_id, key), populate_existing=True)


def idempotent(fn: F) -> F:
    """Honour an Idempotency-Key header on a POST that creates or decides."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        key = request.headers.get(HEADER)
        if key is None:
            return fn(*args, **kwargs)
        if not 1 <= len(key) <= 100 or not key.isprintable():
            raise InvalidInput.field(HEADER, "Use 1 to 100 printable characters.")
        from flask_jwt_extended import verify_jwt_in_request

        verify_jwt_in_request()
        session = get_session()
        user_id = get_jwt()["sub"]
        fingerprint = _fingerprint()
        existing = _claim(session, user_id, key, fingerprint)
        if existing is not None:
            if existing.fingerprint != fingerprint:
                raise Conflict(
                    "This Idempotency-Key was used for another request.",
                    code="idempotency_conflict",
                )
            if existing.status_code is not None:
                resp = Response(
                    json.dumps(existing.body),
                    status=existing.status_code,
                    mimetype="application/json",
                )
                resp.headers["Idempotent-Replayed"] = "true"
                return resp
        resp = fn(*args, **kwargs)
        response: Response = resp if isinstance(resp, Response) else Response(resp)
        if response.status_code < 400:
            session.execute(
                update(IdempotencyKey)
                .where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)
                .values(status_code=response.status_code, body=response.get_json(silent=True))
                .execution_options(synchronize_session=False)
            )
        return response

    documented = Blueprint.doc(
        parameters=[
            {
                "in": "header",
                "name": HEADER,
                "required": False,
                "schema": {"type": "string", "maxLength": 100},
                "description": "A retry with the same key returns the first response",
            }
        ]
    )(wrapper)
    return cast(F, documented)  # @wraps keeps fn's name and signature: Flask calls it as fn
