"""Your data: access log, export, erasure; and the admin's audit trail."""

from __future__ import annotations

import uuid
from typing import Any

from api.auth.security import current_actor, roles_required, signed_in
from api.core.paging import Page
from api.db import get_session
from api.extensions import Blueprint
from api.privacy import service
from api.privacy.schemas import (
    AccessLogPageSchema,
    AuditPageSchema,
    AuditQuerySchema,
    DataExportSchema,
)
from api.schemas import PageQuerySchema

blp = Blueprint("privacy", __name__, url_prefix="/v1", description="Your data and the audit trail")


@blp.route("/me/access-log", methods=["GET"])
@signed_in
@blp.arguments(PageQuerySchema, location="query")
@blp.response(200, AccessLogPageSchema)
def access_log(query: dict[str, Any]) -> Page:
    """Who (role and name) looked at or changed your data, when and why."""
    return service.access_log(get_session(), actor=current_actor(), **query)


@blp.route("/me/export", methods=["GET"])
@roles_required("recipient")
@blp.response(200, DataExportSchema)
def export() -> dict[str, Any]:
    """Everything we hold about you, as JSON."""
    return service.export(get_session(), actor=current_actor())


@blp.route("/me", methods=["DELETE"])
@roles_required("recipient")
@blp.response(204)
def erase_me() -> None:
    """Erase your account and personal data; you cannot sign in afterwards."""
    service.erase_self(get_session(), actor=current_actor())


@blp.route("/caseload/<uuid:recipient_id>", methods=["DELETE"])
@roles_required("coach")
@blp.response(204)
@blp.alt_response(404, description="Not on your caseload")
def erase_from_caseload(recipient_id: uuid.UUID) -> None:
    """Erase a person's data at their request (asked at the desk)."""
    service.erase_for_person(get_session(), actor=current_actor(), recipient_id=recipient_id)


@blp.route("/admin/users/<uuid:user_id>", methods=["DELETE"])
@roles_required("admin")
@blp.response(204)
@blp.alt_response(404, description="No such recipient in your municipality")
def erase_user(user_id: uuid.UUID) -> None:
    """Erase a recipient's data at their request."""
    service.erase_for_person(get_session(), actor=current_actor(), recipient_id=user_id)


@blp.route("/admin/audit", methods=["GET"])
@roles_required("admin")
@blp.arguments(AuditQuerySchema, location="query")
@blp.response(200, AuditPageSchema)
def audit(query: dict[str, Any]) -> Page:
    """The audit trail of your municipality (newest first)."""
    return service.audit_log(get_session(), actor=current_actor(), **query)
