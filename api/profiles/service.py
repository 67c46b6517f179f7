"""The recipient's own profile (a postcode becomes a coarse area, the address is never kept),
and the one rule by which a coach reaches a person: they are on the coach's caseload.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.audit.service import audit_denied
from api.auth.security import Actor
from api.core.geo import point
from api.errors import InvalidInput, NotFound, ServiceUnavailable
from api.geocoding.geocoders import Geocoder, GeocoderUnavailable, UnknownPostcode
from api.i18n import N_, Term
from api.interests.service import ensure_known
from api.ladder.service import record_ladder
from api.profiles.models import RecipientProfile
from api.users.models import User
from matching.model import DEFAULT_DISTANCE_KM, MAX_DISTANCE_KM


def get_profile(session: Session, *, actor: Actor) -> RecipientProfile:
    """The actor's own profile, made on first use from what the coach entered."""
    profile = session.scalar(
        select(RecipientProfile).where(RecipientProfile.user_id == actor.user_id)
    )
    if profile is not None:
        return profile
    user = session.get(User, actor.user_id)
    if user is None or user.role != "recipient":
        raise NotFound()
    profile = RecipientProfile(
        user_id=user.id,
        municipality_id=user.municipality_id,
        display_name=user.name.split(" ")[0][:80],
        preferred_language="nl",
        travel_mode="bike",
        max_distance_km=DEFAULT_DISTANCE_KM["bike"],
        interests=[],
        availability=[],
        accessibility_needs=[],
        dutch_level="A2",
        nudge_preferences={},
    )
    session.add(profile)
    session.flush()
    return profile


def update_profile(
    session: Session, *, actor: Actor, data: dict[str, Any], geocoder: Geocoder
) -> RecipientProfile:
    """Change what the person chose to change; everything is checked before anything is written."""
    profile = get_profile(session, actor=actor)
    data = dict(data)
    if "interests" in data:
        data["interests"] = ensure_known(session, data["interests"], field="interests")
    if "postcode" in data:
        raw = data.pop("postcode")
        if raw is None:
            profile.postcode_area, profile.home_area = None, None
        else:
            try:
                area = geocoder.locate(raw)
            except UnknownPostcode as exc:
                raise InvalidInput.field("postcode", "We do not know this postcode.") from exc
            except GeocoderUnavailable as exc:
                raise ServiceUnavailable(
                    "We cannot look up postcodes right now. Please try again later."
                ) from exc
            profile.postcode_area = area.postcode4
            profile.home_area = point(area.lat, area.lon)
    mode = data.get("travel_mode", profile.travel_mode)
    km = data.get("max_distance_km")
    if km is not None and km > MAX_DISTANCE_KM[mode]:
        raise InvalidInput.field(
            "maxDistanceKm",
            "At most {km} km for {mode}.",
            km=MAX_DISTANCE_KM[mode],
            mode=Term("travel mode", mode),
        )
    if km is None and "travel_mode" in data and profile.max_distance_km > MAX_DISTANCE_KM[mode]:
        data["max_distance_km"] = MAX_DISTANCE_KM[mode]
    if "nudge_preferences" in data:
        data["nudge_preferences"] = {
            **(profile.nudge_preferences or {}),
            **data["nudge_preferences"],
        }
    new_step = data.get("ladder_step")
    if new_step is not None and new_step != profile.ladder_step:
        record_ladder(
            session,
            user_id=actor.user_id,
            municipality_id=actor.municipality_id,
            step=new_step,
            source="self",
            actor_id=actor.user_id,
        )
    for key, value in data.items():
        setattr(profile, key, value)
    session.flush()
    session.refresh(profile)
    return profile


def caseload_person(
    session: Session,
    *,
    actor: Actor,
    recipient_id: uuid.UUID,
    action: str = "read",
    object_type: str = "caseload_person",
) -> User:
    """A person on this coach's caseload; anyone else does not exist for them (404, audited)."""
    person = session.get(User, recipient_id)
    if (
        person is None
        or person.role != "recipient"
        or person.municipality_id != actor.municipality_id
        or person.coach_id != actor.user_id
    ):
        audit_denied(
            session,
            actor=actor,
            subject_id=person.id if person is not None and person.role == "recipient" else None,
            action=action,
            object_type=object_type,
            object_id=recipient_id,
            purpose=N_("not on this coach's caseload"),
        )
        raise NotFound()
    return person


def caseload_names(
    session: Session, *, actor: Actor, recipient_ids: list[uuid.UUID]
) -> dict[uuid.UUID, str]:
    """Names of these people as far as they are on this coach's caseload (others left out).

    Unaudited: the caller audits the read it shows the names with (e.g. the approval queue).
    """
    if not recipient_ids:
        return {}
    rows = session.execute(
        select(User.id, User.name).where(
            User.id.in_(recipient_ids),
            User.coach_id == actor.user_id,
            User.municipality_id == actor.municipality_id,
        )
    ).tuples()
    return dict(rows.all())
