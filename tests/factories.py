"""Small typed factories: create_x(session, *, ...) -> model."""

from __future__ import annotations

import functools
import itertools
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from flask import Flask
from sqlalchemy.orm import Session

from api.auth.passwords import hash_password
from api.experiments.models import Assignment, Experiment, ExperimentArm
from api.matches.lifecycle import replay
from api.matches.models import Match
from api.matches.status import MatchStatus
from api.municipalities.models import Municipality, Policy, Team
from api.opportunities.models import Opportunity
from api.profiles.models import RecipientProfile
from api.signin import service as signin_service
from api.users.models import User

PASSWORD = "correct horse battery"
_seq = itertools.count(1)


@functools.cache
def _password_hash() -> str:
    return hash_password(PASSWORD)


def create_municipality(session: Session, *, name: str | None = None) -> Municipality:
    n = next(_seq)
    m = Municipality(slug=f"gemeente-{n}-{uuid.uuid4().hex[:6]}", name=name or f"Gemeente {n}")
    session.add(m)
    session.flush()
    session.add(Policy(municipality_id=m.id, settings={}))
    session.flush()
    return m


def create_team(session: Session, *, municipality: Municipality, name: str = "Buurtteam") -> Team:
    t = Team(municipality_id=municipality.id, name=name, kind="wijkteam")
    session.add(t)
    session.flush()
    return t


def create_user(
    session: Session,
    *,
    municipality: Municipality,
    role: str = "recipient",
    name: str | None = None,
    email: str | None = None,
    team: Team | None = None,
    coach: User | None = None,
    active: bool = True,
) -> User:
    n = next(_seq)
    if role == "organizer" and team is None:
        team = create_team(session, municipality=municipality)
    u = User(
        municipality_id=municipality.id,
        role=role,
        name=name or f"{role.title()} {n}",
        email=(email or f"{role}{n}.{uuid.uuid4().hex[:6]}@example.org").lower(),
        password_hash=_password_hash(),
        team_id=team.id if team else None,
        coach_id=coach.id if coach else None,
        is_active=active,
    )
    session.add(u)
    session.flush()
    return u


def auth_headers(app: Flask, session: Session, user: User) -> dict[str, str]:
    """Bearer header for a user, issued the same way a login issues it."""
    with app.app_context():
        pair = signin_service.start_session(session, user)
    return {"Authorization": f"Bearer {pair.access_token}"}


def create_opportunity(
    session: Session,
    *,
    team: Team,
    status: str = "published",
    lat: float = 52.3700,
    lon: float = 4.8900,
    kind: str = "volunteer",
    interests: list[str] | None = None,
    slots: list[str] | None = None,
    capacity: int = 3,
    title: str = "Koken in het buurthuis",
    ladder_step: int = 3,
    min_dutch_level: str = "A0",
    teaches_level: str | None = None,
    accessibility: list[str] | None = None,
) -> Opportunity:
    from datetime import UTC, datetime

    from api.core.geo import point

    opp = Opportunity(
        municipality_id=team.municipality_id,
        team_id=team.id,
        kind=kind,
        status=status,
        title=title,
        description="Samen koken voor de buurt. Ervaring is niet nodig.",
        address="Buurtplein 1",
        location=point(lat, lon),
        interests=interests or ["koken"],
        slots=slots or ["tue-morning"],
        capacity=capacity,
        min_dutch_level=min_dutch_level,
        teaches_level=teaches_level,
        accessibility=accessibility or [],
        ladder_step=ladder_step,
        replaces_no_paid_work=True,
        published_at=datetime.now(UTC) if status != "draft" else None,
    )
    session.add(opp)
    session.flush()
    return opp


def create_profile(
    session: Session,
    *,
    user: User,
    lat: float = 52.3800,
    lon: float = 4.8500,
    interests: list[str] | None = None,
    availability: list[str] | None = None,
    language: str = "nl",
    ladder_step: int = 2,
    max_distance_km: float = 5.0,
    nudge_preferences: dict | None = None,
    dutch_level: str = "B1",
) -> RecipientProfile:
    from api.core.geo import point

    profile = RecipientProfile(
        user_id=user.id,
        municipality_id=user.municipality_id,
        display_name=user.name.split(" ")[0],
        preferred_language=language,
        postcode_area="1055",
        home_area=point(lat, lon),
        travel_mode="bike",
        max_distance_km=max_distance_km,
        interests=interests or ["koken"],
        availability=availability or ["tue-morning"],
        accessibility_needs=[],
        dutch_level=dutch_level,
        ladder_step=ladder_step,
        nudge_preferences=nudge_preferences or {},
    )
    session.add(profile)
    session.flush()
    session.refresh(profile)
    return profile


def create_match(
    session: Session,
    *,
    person: User,
    opportunity: Opportunity,
    history: list[tuple[str, datetime]],
) -> Match:
    """A match that went through `history` [(status, at), ...], step by step through the lifecycle.

    Each step is made by the role that usually makes it, so only allowed stories can be built.
    """
    match = Match(
        municipality_id=person.municipality_id,
        recipient_id=person.id,
        opportunity_id=opportunity.id,
        reasons=[],
        requested_at=next((at for s, at in history if s == MatchStatus.REQUESTED), None),
        created_at=history[0][1],
    )
    return replay(session, match, history)


def create_experiment(
    session: Session,
    *,
    municipality: Municipality,
    name: str = "Toon van de tips",
    status: str = "running",
    started_at: datetime | None = None,
    enrolled: Sequence[User] = (),
    assigned_at: datetime | None = None,
    created_by: User | None = None,
) -> Experiment:
    """An experiment with a control arm and a "gain" arm; `enrolled` people are assigned in
    turn, control first. A draft has not started; otherwise it started `started_at` (now)."""
    now = datetime.now(UTC)
    exp = Experiment(
        municipality_id=municipality.id,
        name=name,
        hypothesis="Een andere toon helpt.",
        status=status,
        salt=uuid.uuid4().hex,
        eligibility={},
        strata=[],
        primary_outcome="started_activity",
        horizon_days=30,
        secondary_outcomes=[],
        guardrails=[],
        enrol_until=now + timedelta(days=10),
        planned_end=now + timedelta(days=60),
        dpia_reference="DPIA-1",
        ethics_reference="ETH-1",
        started_at=None if status == "draft" else started_at or now,
        created_by=created_by.id if created_by else None,
    )
    session.add(exp)
    session.flush()
    control = ExperimentArm(
        experiment_id=exp.id,
        key="control",
        name="Zoals nu",
        weight=1,
        is_control=True,
        treatment={},
    )
    gain = ExperimentArm(
        experiment_id=exp.id, key="gain", name="Winst", weight=1, treatment={"framing": "gain"}
    )
    session.add_all([control, gain])
    session.flush()
    session.add_all(
        Assignment(
            experiment_id=exp.id,
            user_id=person.id,
            arm_id=(control if i % 2 == 0 else gain).id,
            stratum="all",
            position=i,
            assigned_at=assigned_at or now,
            baseline={},
        )
        for i, person in enumerate(enrolled)
    )
    session.flush()
    return exp
