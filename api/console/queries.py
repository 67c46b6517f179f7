"""Small reads and one write the console needs that no service offers yet.

Each belongs in its domain's service after the merge (noted per function); they follow the same
rules as the services there: the actor's municipality (and team or caseload) bounds every query,
and reads of personal data are audited with api.audit.service like the API's.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.audit.service import record, record_many
from api.auth.security import Actor
from api.invitations.service import IssuedInvitation, issue_activation_code
from api.matches.models import TAKES_A_PLACE, Match
from api.municipalities.models import Team
from api.municipalities.policy import load_policy
from api.opportunities.models import Opportunity
from api.profiles.models import RecipientProfile
from api.users.models import User
from api.users.service import caseload_person


@dataclass(frozen=True)
class TeamOpportunity:
    """An opportunity of the organiser's team with the places still free."""

    opportunity: Opportunity
    taken: int

    @property
    def places_left(self) -> int:
        return max(0, self.opportunity.capacity - self.taken)


def team_opportunities(
    session: Session, *, actor: Actor, limit: int = 200
) -> list[TeamOpportunity]:
    """The team's own opportunities, newest first, with places taken (one query).

    Move to api.opportunities.service after the merge.
    """
    taken = (
        select(Match.opportunity_id, func.count().label("taken"))
        .where(Match.municipality_id == actor.municipality_id, Match.status.in_(TAKES_A_PLACE))
        .group_by(Match.opportunity_id)
        .subquery()
    )
    rows = session.execute(
        select(Opportunity, func.coalesce(taken.c.taken, 0))
        .outerjoin(taken, taken.c.opportunity_id == Opportunity.id)
        .where(
            Opportunity.municipality_id == actor.municipality_id,
            Opportunity.team_id == actor.team_id,
        )
        .order_by(Opportunity.created_at.desc(), Opportunity.id.desc())
        .limit(limit)
    ).all()
    return [TeamOpportunity(o, int(t)) for o, t in rows]


@dataclass(frozen=True)
class TeamCandidate:
    """What an organiser may know about an approved or active person (as list_candidates)."""

    match_id: uuid.UUID
    status: str
    first_name: str
    contact: str | None
    opportunity_id: uuid.UUID
    opportunity_title: str
    since: datetime


def team_candidates(session: Session, *, actor: Actor) -> list[TeamCandidate]:
    """Approved and active people across the team's opportunities, oldest first; audited.

    The same fields and audit entry as api.matches.service.list_candidates, for all of the
    team's opportunities in one query. Move to api.matches.service after the merge.
    """
    rows = session.execute(
        select(
            Match.id,
            Match.status,
            RecipientProfile.display_name,
            RecipientProfile.shared_contact,
            User.name,
            Match.recipient_id,
            Opportunity.id,
            Opportunity.title,
            Match.updated_at,
        )
        .join(Opportunity, Opportunity.id == Match.opportunity_id)
        .join(User, User.id == Match.recipient_id)
        .outerjoin(RecipientProfile, RecipientProfile.user_id == Match.recipient_id)
        .where(
            Opportunity.municipality_id == actor.municipality_id,
            Opportunity.team_id == actor.team_id,
            Match.status.in_(TAKES_A_PLACE),
        )
        .order_by(Match.status.desc(), Match.updated_at, Match.id)  # approved before active
        .limit(500)
    ).all()
    record_many(
        session,
        actor=actor,
        subject_ids=[r[5] for r in rows],
        action="read",
        object_type="candidate",
        purpose="organiser sees approved candidates (first name, contact)",
    )
    return [
        TeamCandidate(r[0], r[1], (r[2] or r[4]).split(" ")[0], r[3], r[6], r[7], r[8])
        for r in rows
    ]


def caseload_names(
    session: Session, *, actor: Actor, recipient_ids: list[uuid.UUID]
) -> dict[uuid.UUID, str]:
    """Names of people on this coach's own caseload (others are left out).

    The approval queue shows who asked; list_coach_matches audits that read.
    Move to api.users.service after the merge.
    """
    if not recipient_ids:
        return {}
    rows = session.execute(
        select(User.id, User.name).where(
            User.id.in_(recipient_ids),
            User.coach_id == actor.user_id,
            User.municipality_id == actor.municipality_id,
        )
    ).all()
    return {r[0]: r[1] for r in rows}


def allowance_previews(
    session: Session, *, actor: Actor, matches: list[Match]
) -> dict[uuid.UUID, dict[str, float]]:
    """For waiting requests: would approving bring the person's allowances above the cap?

    The same rule as api.matches.service._allowance_warnings (which warns after approving),
    counted before the decision. Move next to it after the merge.
    """
    with_allowance = [m for m in matches if m.opportunity.monthly_allowance_cents]
    if not with_allowance:
        return {}
    policy = load_policy(session, actor.municipality_id)
    cap_cents = int(policy.allowance_cap_eur_month * 100)
    recipients = list({m.recipient_id for m in with_allowance if m.recipient_id})
    current = dict(
        session.execute(
            select(
                Match.recipient_id,
                func.coalesce(func.sum(Opportunity.monthly_allowance_cents), 0),
            )
            .join(Opportunity, Opportunity.id == Match.opportunity_id)
            .where(Match.recipient_id.in_(recipients), Match.status.in_(TAKES_A_PLACE))
            .group_by(Match.recipient_id)
        ).tuples()
    )
    out: dict[uuid.UUID, dict[str, float]] = {}
    for m in with_allowance:
        total = int(current.get(m.recipient_id, 0)) + int(m.opportunity.monthly_allowance_cents)
        if total > cap_cents:
            out[m.id] = {"total": total / 100, "cap": cap_cents / 100}
    return out


def issue_login_code(
    session: Session, *, actor: Actor, recipient_id: uuid.UUID
) -> IssuedInvitation:
    """A coach gives someone on their caseload a new one-time code (forgot password, new phone).

    The person sets a new password with it (POST /v1/auth/register), as with an invitation.
    Move to api.invitations.service after the merge.
    """
    person = caseload_person(session, actor=actor, recipient_id=recipient_id)
    issued = issue_activation_code(session, actor=actor, user=person)
    record(
        session,
        actor=actor,
        subject_id=person.id,
        action="create",
        object_type="activation_code",
        object_id=None,
        purpose="new sign-in code for the person",
    )
    return issued


@dataclass(frozen=True)
class StaffRow:
    id: uuid.UUID
    name: str
    email: str | None
    role: str
    team: str | None
    active: bool
    last_login_at: datetime | None


def staff_accounts(session: Session, *, actor: Actor) -> list[StaffRow]:
    """Coaches, organisers and admins of the admin's municipality.

    Move to api.users.service after the merge.
    """
    rows = session.execute(
        select(
            User.id,
            User.name,
            User.email,
            User.role,
            Team.name,
            User.is_active,
            User.last_login_at,
        )
        .outerjoin(Team, Team.id == User.team_id)
        .where(User.municipality_id == actor.municipality_id, User.role != "recipient")
        .order_by(User.role, User.name, User.id)
        .limit(1000)
    ).all()
    return [StaffRow(*r) for r in rows]


def teams(session: Session, *, actor: Actor) -> list[Team]:
    """The teams of the actor's municipality (for the organiser's team choice)."""
    return list(
        session.scalars(
            select(Team)
            .where(Team.municipality_id == actor.municipality_id)
            .order_by(Team.name, Team.id)
        )
    )


def team_name(session: Session, *, actor: Actor) -> str | None:
    if actor.team_id is None:
        return None
    return session.scalar(select(Team.name).where(Team.id == actor.team_id))
