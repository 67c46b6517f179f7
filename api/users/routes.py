"""POST /v1/admin/users."""

from typing import Any

from api.auth.security import current_actor, roles_required
from api.db import get_session
from api.extensions import Blueprint
from api.users import service
from api.users.schemas import StaffAccountSchema, StaffUserCreateSchema

blp = Blueprint("admin-users", __name__, url_prefix="/v1/admin/users", description="Accounts")


@blp.route("", methods=["POST"])
@roles_required("admin")
@blp.arguments(StaffUserCreateSchema)
@blp.response(201, StaffAccountSchema)
def create_user(body: dict[str, Any]) -> service.StaffAccount:
    """Add an organiser, coach or admin to this municipality."""
    return service.create_staff_user(get_session(), actor=current_actor(), **body)
