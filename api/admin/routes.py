"""GET/PUT /v1/admin/policy and POST /v1/admin/users: an admin runs their municipality."""

from __future__ import annotations

from typing import Any

from api.admin import service
from api.admin.schemas import (
    PolicySchema,
    PolicyUpdateSchema,
    StaffAccountSchema,
    StaffUserCreateSchema,
)
from api.auth.security import current_actor, roles_required
from api.db import get_session
from api.extensions import Blueprint

blp = Blueprint("admin-policy", __name__, url_prefix="/v1/admin/policy", description="Policy")


@blp.route("", methods=["GET"])
@roles_required("admin")
@blp.response(200, PolicySchema)
def read_policy() -> dict[str, Any]:
    """Your municipality's policy."""
    return service.get_policy(get_session(), actor=current_actor())


@blp.route("", methods=["PUT"])
@roles_required("admin")
@blp.arguments(PolicyUpdateSchema)
@blp.response(200, PolicySchema)
def replace_policy(body: dict[str, Any]) -> dict[str, Any]:
    """Replace your municipality's policy (all fields; ones added later may be left out)."""
    return service.put_policy(get_session(), actor=current_actor(), data=body)


users_blp = Blueprint("admin-users", __name__, url_prefix="/v1/admin/users", description="Accounts")


@users_blp.route("", methods=["POST"])
@roles_required("admin")
@users_blp.arguments(StaffUserCreateSchema)
@users_blp.response(201, StaffAccountSchema)
def create_user(body: dict[str, Any]) -> service.StaffAccount:
    """Add an organiser, coach or admin to this municipality."""
    return service.create_staff_user(get_session(), actor=current_actor(), **body)
