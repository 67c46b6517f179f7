"""My inbox (list, change feed, unread count, read), my devices, staff notification choices."""

from __future__ import annotations

import uuid
from typing import Any

from flask_jwt_extended import get_jwt

from api.auth.security import current_actor, roles_required, signed_in
from api.core.paging import Page
from api.db import get_session
from api.extensions import Blueprint
from api.nudges import service
from api.nudges.models import Device, InboxMessage
from api.nudges.schemas import (
    DeviceCreateSchema,
    DeviceListSchema,
    DeviceSchema,
    InboxCountSchema,
    InboxMessageSchema,
    InboxPageSchema,
    InboxQuerySchema,
    NotificationPreferencesSchema,
)

blp = Blueprint("inbox", __name__, url_prefix="/v1/me", description="My inbox and devices")


@blp.route("/inbox", methods=["GET"])
@signed_in
@blp.arguments(InboxQuerySchema, location="query")
@blp.response(200, InboxPageSchema)
def inbox(query: dict[str, Any]) -> Page:
    """Your messages, newest first; with updatedSince, what changed since (for an app's sync)."""
    return service.list_inbox(get_session(), actor=current_actor(), **query)


@blp.route("/inbox/unread-count", methods=["GET"])
@signed_in
@blp.response(200, InboxCountSchema)
def unread_count() -> service.InboxCount:
    """How many messages you have not read yet."""
    return service.unread_count(get_session(), actor=current_actor())


@blp.route("/inbox/read-all", methods=["POST"])
@signed_in
@blp.response(200, InboxCountSchema)
def read_all() -> service.InboxCount:
    """Mark all your messages read."""
    return service.mark_all_read(get_session(), actor=current_actor())


@blp.route("/inbox/<uuid:message_id>/read", methods=["POST"])
@signed_in
@blp.response(200, InboxMessageSchema)
@blp.alt_response(404, description="Not your message")
def read(message_id: uuid.UUID) -> InboxMessage:
    """Mark a message read."""
    return service.mark_read(get_session(), actor=current_actor(), message_id=message_id)


@blp.route("/devices", methods=["GET"])
@signed_in
@blp.response(200, DeviceListSchema)
def devices() -> dict[str, list[Device]]:
    """Your phones registered for push."""
    return {"items": service.list_devices(get_session(), actor=current_actor())}


@blp.route("/devices", methods=["POST"])
@signed_in
@blp.arguments(DeviceCreateSchema)
@blp.response(201, DeviceSchema)
def register_device(body: dict[str, Any]) -> Device:
    """Register this phone for push; signing out of this sign-in removes it again."""
    return service.register_device(
        get_session(), actor=current_actor(), family_id=uuid.UUID(get_jwt()["fam"]), **body
    )


@blp.route("/devices/<uuid:device_id>", methods=["DELETE"])
@signed_in
@blp.response(204)
@blp.alt_response(404, description="Not your device")
def remove_device(device_id: uuid.UUID) -> None:
    """Stop push messages to one of your phones."""
    service.remove_device(get_session(), actor=current_actor(), device_id=device_id)


@blp.route("/notification-preferences", methods=["GET"])
@roles_required("coach", "organizer", "admin")
@blp.response(200, NotificationPreferencesSchema)
def preferences() -> dict[str, Any]:
    """Staff: per event kind push, inbox only, or a daily summary instead."""
    return {"kinds": service.notification_preferences(get_session(), actor=current_actor())}


@blp.route("/notification-preferences", methods=["PUT"])
@roles_required("coach", "organizer", "admin")
@blp.arguments(NotificationPreferencesSchema)
@blp.response(200, NotificationPreferencesSchema)
def set_preferences(body: dict[str, Any]) -> dict[str, Any]:
    """Staff: change how you hear of some event kinds."""
    choices = service.set_notification_preferences(
        get_session(), actor=current_actor(), choices=body["kinds"]
    )
    return {"kinds": choices}
