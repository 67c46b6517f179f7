"""Import every model so metadata is complete (Alembic, tests)."""

from api.audit.models import AuditEvent
from api.auth.models import RefreshToken, TokenFamily
from api.console.models import ConsoleSession
from api.db import Base
from api.experiments.models import Assignment, Experiment, ExperimentArm, Exposure
from api.idempotency.models import IdempotencyKey
from api.interests.models import Interest, InterestCategory
from api.invitations.models import Invitation
from api.ladder.models import LadderEntry
from api.matches.models import Match, MatchEvent, MatchFeedback
from api.municipalities.models import Municipality, Policy, Team
from api.nudges.models import (
    AlertedOpportunity,
    Device,
    InboxMessage,
    NotificationPreference,
    Nudge,
)
from api.opportunities.models import Opportunity
from api.plans.models import PlanStep, PlanStepEvent
from api.profiles.models import RecipientProfile
from api.progress.models import CheckIn
from api.users.models import User

__all__ = [
    "Assignment",
    "Experiment",
    "ExperimentArm",
    "Exposure",
    "AlertedOpportunity",
    "AuditEvent",
    "CheckIn",
    "ConsoleSession",
    "LadderEntry",
    "Base",
    "IdempotencyKey",
    "Interest",
    "InterestCategory",
    "Invitation",
    "Match",
    "MatchEvent",
    "MatchFeedback",
    "NotificationPreference",
    "Device",
    "InboxMessage",
    "Municipality",
    "Nudge",
    "Opportunity",
    "PlanStep",
    "PlanStepEvent",
    "Policy",
    "RecipientProfile",
    "RefreshToken",
    "Team",
    "TokenFamily",
    "User",
]
