"""Import every model so metadata is complete (Alembic, tests)."""

from api.auth.models import RefreshToken, TokenFamily
from api.db import Base
from api.invitations.models import Invitation
from api.municipalities.models import Municipality, Policy, Team
from api.users.models import User

__all__ = [
    "Base",
    "Invitation",
    "Municipality",
    "Policy",
    "RefreshToken",
    "Team",
    "TokenFamily",
    "User",
]
