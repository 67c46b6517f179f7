"""POST /v1/invitations."""

from typing import Any

from api.auth.security import current_actor, roles_required
from api.db import get_session
from api.extensions import Blueprint
from api.invitations import service
from api.invitations.schemas import InvitationCreateSchema, InvitationSchema

blp = Blueprint("invitations", __name__, url_prefix="/v1/invitations", description="Invitations")


@blp.route("", methods=["POST"])
@roles_required("coach", "admin")
@blp.arguments(InvitationCreateSchema)
@blp.response(201, InvitationSchema)
def create_invitation(body: dict[str, Any]) -> service.IssuedInvitation:
    """Invite a new recipient; the one-time code is shown only in this response."""
    return service.create_invitation(get_session(), actor=current_actor(), **body)
