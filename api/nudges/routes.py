"""GET /v1/me/inbox, POST /v1/me/inbox/{id}/read, POST /v1/me/devices."""

from __future__ import annotations

import uuid
from typing import Any

from api.auth.security import current_actor, signed_in
from api.core.paging import Page
from api.db import get_session
from api.extensions import Blueprint
from api.nudges import service
from api.nudges.models import Device, InboxMessage
from api.nudges.schemas import (
    DeviceCreateSchema,
    DeviceSchema,
    InboxMessageSchema,
    InboxPageSchema,
    InboxQuerySchema,
)

blp = Blueprint("inbox", __name__, url_prefix="/v1/me", description="My inbox and devices")


@blp.route("/inbox", methods=["GET"])
@signed_in
@blp.arguments(InboxQuerySchema, location="query")
@blp.response(200, InboxPageSchema)
def inbox(query: dict[str, Any]) -> Page:
    """Your messages, newest first."""
    return service.list_inbox(get_session(), actor=current_actor(), **query)


@blp.route("/inbox/<uuid:message_id>/read", methods=["POST"])
@signed_in
@blp.response(200, InboxMessageSchema)
@blp.alt_response(404, description="Not your message")
def read(message_id: uuid.UUID) -> InboxMessage:
    """Mark a message read."""
    return service.mark_read(get_session(), actor=current_actor(), message_id=message_id)


@blp.route("/devices", methods=["POST"])
@signed_in
@blp.arguments(DeviceCreateSchema)
@blp.response(201, DeviceSchema)
def register_device(body: dict[str, Any]) -> Device:
    """Register this phone for push messages."""
    return service.register_device(get_session(), actor=current_actor(), **body)
