"""Opportunity rules: who may post, edit and see what; status transitions; spatial listing."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session, joinedload

from api.auth.security import Actor
from api.core.geo import distance_m, point, rounded_km, within_km
from api.core.paging import Page, as_float, as_uuid, keyset_page
from api.db import utcnow
from api.errors import Conflict, Forbidden, InvalidInput, NotFound, ServiceUnavailable
from api.geocoding.geocoders import Geocoder, GeocoderUnavailable, UnknownAddress
from api.i18n import Term, opportunity_status
from api.interests.service import ensure_known
from api.municipalities.models import Team
from api.opportunities import schedule as times
from api.opportunities.models import Opportunity
from matching.model import SLOT_INDEX

# status -> action -> new status
TRANSITIONS: dict[str, dict[str, str]] = {
    "draft": {"publish": "published"},
    "published": {"pause": "paused", "close": "closed"},
    "paused": {"publish": "published", "close": "closed"},
    "closed": {},
}


_PAST = {
    "publish": Term("opportunity action", "published"),
    "pause": Term("opportunity action", "paused"),
    "close": Term("opportunity action", "closed"),
}


def _visible(actor: Actor) -> Any:
    """What this actor may read: published ones of their municipality, plus their team's own."""
    conditions = [Opportunity.status == "published"]
    if actor.role == "organizer" and actor.team_id is not None:
        conditions.append(Opportunity.team_id == actor.team_id)
    if actor.role == "admin":
        conditions.append(Opportunity.status != "draft")
    return and_(Opportunity.municipality_id == actor.municipality_id, or_(*conditions))


def _base() -> Select[tuple[Opportunity]]:
    return select(Opportunity).options(joinedload(Opportunity.team))


def get_opportunity(session: Session, *, actor: Actor, opportunity_id: uuid.UUID) -> Opportunity:
    """One opportunity the actor may see; anything else is 404."""
    opp = session.scalar(_base().where(Opportunity.id == opportunity_id, _visible(actor)))
    if opp is None:
        raise NotFound()
    return opp


def _own_for_edit(session: Session, actor: Actor, opportunity_id: uuid.UUID) -> Opportunity:
    """An opportunity of the organiser's own team, locked for the change."""
    opp = session.scalar(
        _base().where(Opportunity.id == opportunity_id).with_for_update(of=Opportunity)
    )
    if opp is None or opp.municipality_id != actor.municipality_id:
        raise NotFound()
    if actor.role != "organizer" or opp.team_id != actor.team_id:
        raise NotFound()  # another team's opportunity is not theirs to change: foreign is 404
    return opp


def _place(data: dict[str, Any], opp: Opportunity, geocoder: Geocoder | None) -> None:
    """Without coordinates, a new or changed address is placed by the geocoder (400 if not)."""
    if data.get("location") is not None:
        return
    address = data.get("address")
    if address is None or address == opp.address:
        return
    if geocoder is None:
        raise InvalidInput.field("location", "Give the point (lat, lon).")
    try:
        found = geocoder.locate_address(address)
    except UnknownAddress as exc:
        raise InvalidInput.field(
            "address",
            "We cannot find this address. Check the street, house number and postcode.",
        ) from exc
    except GeocoderUnavailable as exc:
        raise ServiceUnavailable(
            "We cannot look up addresses right now. Please try again later."
        ) from exc
    data["location"] = {"lat": found.lat, "lon": found.lon}


def _times(data: dict[str, Any], opp: Opportunity) -> None:
    """Day parts follow the concrete times: derived from them, or checked against them."""
    if data.get("schedule"):
        blocks = times.in_week_order(data["schedule"])
        data["schedule"] = blocks
        derived = times.slots_of(blocks)
        if "slots" in data and set(data["slots"]) != set(derived):
            raise InvalidInput.field(
                "slots",
                "The day parts do not match the times in schedule; leave them out and we"
                " derive them: {slots}.",
                slots=", ".join(derived),
            )
        data["slots"] = derived
        if data.get("hours_per_week") is None:  # not given (or null): the times add up
            data["hours_per_week"] = times.hours_of(blocks)
    elif "schedule" in data:  # emptied: the day parts stay as given (or as they were)
        data["schedule"] = []
    elif (
        "slots" in data and opp.schedule and set(data["slots"]) != set(times.slots_of(opp.schedule))
    ):
        raise InvalidInput.field(
            "slots", "The day parts follow the times in schedule; change the schedule."
        )
    if "slots" in data:
        data["slots"] = sorted(set(data["slots"]), key=SLOT_INDEX.__getitem__)


def _apply(
    session: Session, opp: Opportunity, data: dict[str, Any], geocoder: Geocoder | None = None
) -> None:
    """Check everything first (nothing is written on a 400), then set the fields."""
    if "interests" in data:
        data["interests"] = ensure_known(session, data["interests"], field="interests")
    _times(data, opp)
    _place(data, opp, geocoder)
    location = data.pop("location", None)
    for key, value in data.items():
        setattr(opp, key, value)
    if location is not None:
        opp.location = point(location["lat"], location["lon"])
    if opp.start_date and opp.end_date and opp.end_date < opp.start_date:
        raise InvalidInput.field("endDate", "The end date must not be before the start date.")
    if opp.kind == "language_course" and not opp.teaches_level:
        raise InvalidInput.field("teachesLevel", "A language course states the level it teaches.")
    if opp.kind != "language_course" and opp.teaches_level:
        raise InvalidInput.field("teachesLevel", "Only a language course teaches a level.")


def create_opportunity(
    session: Session, *, actor: Actor, data: dict[str, Any], geocoder: Geocoder | None = None
) -> Opportunity:
    """An organiser posts a draft for their own team; without a point the address is placed."""
    if actor.team_id is None:
        raise Forbidden("Only organisers of a team post opportunities.")
    opp = Opportunity(
        id=uuid.uuid4(),
        municipality_id=actor.municipality_id,
        team_id=actor.team_id,
        created_by_id=actor.user_id,
        status="draft",
        accessibility=[],
        min_dutch_level="A0",
        schedule=[],
    )
    _apply(session, opp, dict(data), geocoder)
    session.add(opp)
    session.flush()
    return _reload(session, opp.id)


def _reload(session: Session, opportunity_id: uuid.UUID) -> Opportunity:
    session.expire_all()
    return session.scalars(_base().where(Opportunity.id == opportunity_id)).one()


def update_opportunity(
    session: Session,
    *,
    actor: Actor,
    opportunity_id: uuid.UUID,
    data: dict[str, Any],
    geocoder: Geocoder | None = None,
) -> Opportunity:
    """Edit an opportunity of the organiser's own team; a closed one stays as it was."""
    opp = _own_for_edit(session, actor, opportunity_id)
    if opp.status == "closed":
        raise Conflict("A closed opportunity cannot be changed.")
    if "capacity" in data and data["capacity"] < opp.places_taken:
        raise Conflict(
            "{taken} people already have a place; capacity cannot go below that.",
            taken=opp.places_taken,
        )
    _apply(session, opp, dict(data), geocoder)
    session.flush()
    return _reload(session, opp.id)


def change_status(
    session: Session,
    *,
    actor: Actor,
    opportunity_id: uuid.UUID,
    action: str,
    now: datetime | None = None,
) -> Opportunity:
    """publish / pause / close, only along the allowed transitions (409 otherwise)."""
    opp = _own_for_edit(session, actor, opportunity_id)
    new = TRANSITIONS[opp.status].get(action)
    if new is None:
        raise Conflict(
            "An opportunity that is {status} cannot be {action}.",
            status=opportunity_status(opp.status),
            action=_PAST[action],
        )
    if action == "publish" and not opp.replaces_no_paid_work:
        raise Conflict("Confirm that this opportunity does not replace paid work first.")
    opp.status = new
    if action == "publish" and opp.published_at is None:
        opp.published_at = now or utcnow()
    session.flush()
    return _reload(session, opp.id)


def list_opportunities(
    session: Session,
    *,
    actor: Actor,
    near: tuple[float, float] | None = None,
    radius_km: float = 10.0,
    kind: str | None = None,
    interest: str | None = None,
    status: str | None = None,
    team: str | None = None,
    limit: int = 20,
    cursor: str | None = None,
) -> Page:
    """Keyset-paginated listing; with `near`, by distance within the radius (ST_DWithin);
    `team="mine"`: only the organiser's own team's opportunities."""
    stmt = _base().where(_visible(actor))
    if team == "mine":
        if actor.role != "organizer" or actor.team_id is None:
            raise InvalidInput.field("team", "Only organisers have a team.")
        stmt = stmt.where(Opportunity.team_id == actor.team_id)
    if kind:
        stmt = stmt.where(Opportunity.kind == kind)
    if interest:
        stmt = stmt.where(Opportunity.interests.contains([interest]))  # @> uses the GIN index
    if status:
        stmt = stmt.where(Opportunity.status == status)
    if near is not None:
        here = point(*near)
        distance = distance_m(Opportunity.location, here)
        return keyset_page(
            session,
            stmt.where(within_km(Opportunity.location, here, radius_km)),
            order=(distance.asc(), Opportunity.id.asc()),
            limit=limit,
            cursor=cursor,
            parsers=(as_float, as_uuid),
            item=_with_distance,
        )
    return keyset_page(
        session,
        stmt,
        order=(Opportunity.created_at.desc(), Opportunity.id.desc()),
        limit=limit,
        cursor=cursor,
    )


def _with_distance(row: Any) -> Opportunity:
    """The opportunity with its distance (the first sort key) shown beside the listing only."""
    opp: Opportunity = row[0]
    opp.distance_km = rounded_km(row[1])
    return opp


def team_opportunities(session: Session, *, actor: Actor, limit: int = 200) -> list[Opportunity]:
    """The organiser's own team's opportunities in any status, newest first, with places left."""
    return list(
        session.scalars(
            select(Opportunity)
            .where(
                Opportunity.municipality_id == actor.municipality_id,
                Opportunity.team_id == actor.team_id,
            )
            .order_by(Opportunity.created_at.desc(), Opportunity.id.desc())
            .limit(limit)
        )
    )


def team_name(session: Session, *, actor: Actor) -> str | None:
    """The name of the organiser's team, to say whose opportunities these are."""
    if actor.team_id is None:
        return None
    return session.scalar(
        select(Team.name).where(
            Team.id == actor.team_id, Team.municipality_id == actor.municipality_id
        )
    )
