"""/v1/opportunities: organisers post and manage; every signed-in role reads."""

from __future__ import annotations

import uuid
from typing import Any

from flask import current_app

from api.auth.security import current_actor, roles_required, signed_in
from api.core.paging import Page
from api.db import get_session
from api.extensions import Blueprint
from api.geocoding.geocoders import Geocoder
from api.i18n import requested_language, use_language
from api.opportunities import service
from api.opportunities.models import Opportunity
from api.opportunities.schemas import (
    OpportunityCreateSchema,
    OpportunityDetailSchema,
    OpportunityPageSchema,
    OpportunityQuerySchema,
    OpportunitySchema,
    OpportunityUpdateSchema,
)
from api.opportunities.seen import EXTENSION, Explainer


def _geocoder() -> Geocoder:
    geocoder: Geocoder = current_app.extensions["meedoen_geocoder"]
    return geocoder


blp = Blueprint(
    "opportunities", __name__, url_prefix="/v1/opportunities", description="Opportunities"
)


@blp.route("", methods=["GET"])
@signed_in
@blp.arguments(OpportunityQuerySchema, location="query")
@blp.response(200, OpportunityPageSchema)
def list_opportunities(query: dict[str, Any]) -> Page:
    """Published opportunities of your municipality (organisers also see their team's own)."""
    return service.list_opportunities(get_session(), actor=current_actor(), **query)


@blp.route("", methods=["POST"])
@roles_required("organizer")
@blp.arguments(OpportunityCreateSchema)
@blp.response(201, OpportunitySchema)
@blp.alt_response(503, description="The address cannot be looked up right now")
def create_opportunity(body: dict[str, Any]) -> Opportunity:
    """Post a new opportunity for your team; it starts as a draft.

    Without `location` the server places the `address` with its geocoder; an address it cannot
    place is a 400 naming `address`.
    """
    return service.create_opportunity(
        get_session(), actor=current_actor(), data=body, geocoder=_geocoder()
    )


@blp.route("/<uuid:opportunity_id>", methods=["GET"])
@signed_in
@blp.response(200, OpportunityDetailSchema)
@blp.alt_response(404, description="Not found, or not visible to you")
def get_opportunity(opportunity_id: uuid.UUID) -> Opportunity:
    """One opportunity, with everything a screen shows.

    For a recipient who gave a postcode also `distanceKm` from home and the `reasons`, the same
    as the feed gives for this opportunity.
    """
    session, actor = get_session(), current_actor()
    opp = service.get_opportunity(session, actor=actor, opportunity_id=opportunity_id)
    explain: Explainer = current_app.extensions[EXTENSION]
    seen = explain(session, actor=actor, opportunity=opp, language=requested_language())
    if seen is not None:
        opp.distance_km = seen.distance_km
        opp.reasons = seen.reasons
        use_language(seen.language)  # no Accept-Language: the profile's language, said so
    return opp


@blp.route("/<uuid:opportunity_id>", methods=["PATCH"])
@roles_required("organizer")
@blp.arguments(OpportunityUpdateSchema)
@blp.response(200, OpportunitySchema)
@blp.alt_response(404, description="Not found, or not your team's")
@blp.alt_response(409, description="The opportunity is closed")
@blp.alt_response(503, description="The address cannot be looked up right now")
def update_opportunity(body: dict[str, Any], opportunity_id: uuid.UUID) -> Opportunity:
    """Change an opportunity of your team; a changed address without `location` is placed again."""
    return service.update_opportunity(
        get_session(),
        actor=current_actor(),
        opportunity_id=opportunity_id,
        data=body,
        geocoder=_geocoder(),
    )


def _status_route(action: str) -> None:
    @roles_required("organizer")
    @blp.response(200, OpportunitySchema)
    @blp.alt_response(404, description="Not found, or not your team's")
    @blp.alt_response(409, description="Not possible from the current status")
    def change(opportunity_id: uuid.UUID) -> Opportunity:
        return service.change_status(
            get_session(), actor=current_actor(), opportunity_id=opportunity_id, action=action
        )

    change.__name__ = f"{action}_opportunity"
    change.__doc__ = {
        "publish": "Publish a draft or resume a paused opportunity.",
        "pause": "Pause a published opportunity (no new matches for now).",
        "close": "Close an opportunity for good.",
    }[action]
    blp.route(f"/<uuid:opportunity_id>/{action}", methods=["POST"], endpoint=change.__name__)(
        change
    )


for _action in ("publish", "pause", "close"):
    _status_route(_action)
