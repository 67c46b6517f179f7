"""Match lifecycle endpoints for recipients, coaches and organisers."""

from __future__ import annotations

import uuid
from typing import Any

from api.auth.security import current_actor, roles_required
from api.db import get_session
from api.extensions import Blueprint
from api.idempotency.service import idempotent
from api.matches import service
from api.matches.schemas import (
    CandidateListSchema,
    CoachMatchPageSchema,
    FeedbackCreateSchema,
    MatchCreateSchema,
    MatchDecisionSchema,
    MatchPageSchema,
    MatchQuerySchema,
    MatchSchema,
    OrganizerMatchSchema,
    ReasonBodySchema,
    SuggestionCreateSchema,
    TeamCandidatePageSchema,
    TeamCandidateQuerySchema,
)

blp = Blueprint("matches", __name__, url_prefix="/v1", description="Matches")

_404 = "Not found, or not yours"
_409 = "Not possible in the match's current state"


@blp.route("/me/matches", methods=["POST"])
@idempotent
@roles_required("recipient")
@blp.arguments(MatchCreateSchema)
@blp.response(201, MatchSchema)
@blp.alt_response(404, description="No such published opportunity")
@blp.alt_response(409, description="You already showed interest, or it takes no matches")
@blp.alt_response(429, description="Daily number of requests reached")
def request_match(body: dict[str, Any]) -> Any:
    """I'm interested: ask your coach for this opportunity."""
    return service.request_match(get_session(), actor=current_actor(), **body)


@blp.route("/me/matches", methods=["GET"])
@roles_required("recipient")
@blp.arguments(MatchQuerySchema, location="query")
@blp.response(200, MatchPageSchema)
def my_matches(query: dict[str, Any]) -> service.Page:
    """Your matches, newest first, each with its history."""
    return service.list_my_matches(get_session(), actor=current_actor(), **query)


@blp.route("/me/matches/<uuid:match_id>/withdraw", methods=["POST"])
@roles_required("recipient")
@blp.response(200, MatchSchema)
@blp.alt_response(404, description=_404)
@blp.alt_response(409, description=_409)
def withdraw(match_id: uuid.UUID) -> Any:
    """Step back from a match."""
    return service.withdraw_match(get_session(), actor=current_actor(), match_id=match_id)


@blp.route("/me/matches/<uuid:match_id>/feedback", methods=["PUT"])
@roles_required("recipient")
@blp.arguments(FeedbackCreateSchema)
@blp.response(200, MatchSchema)
@blp.alt_response(404, description="Not your match")
@blp.alt_response(409, description="The match has not ended after a start")
def feedback(body: dict[str, Any], match_id: uuid.UUID) -> Any:
    """Did it help? Two taps (helped, would like something like it again), words optional."""
    return service.give_feedback(get_session(), actor=current_actor(), match_id=match_id, **body)


@blp.route("/caseload/<uuid:recipient_id>/suggestions", methods=["POST"])
@roles_required("coach")
@blp.arguments(SuggestionCreateSchema)
@blp.response(201, MatchSchema)
@blp.alt_response(404, description="Not on your caseload, or no such opportunity")
@blp.alt_response(409, description="Already an open match")
def suggest(body: dict[str, Any], recipient_id: uuid.UUID) -> Any:
    """Propose an opportunity to someone on your caseload."""
    return service.suggest_match(
        get_session(), actor=current_actor(), recipient_id=recipient_id, **body
    )


@blp.route("/matches", methods=["GET"])
@roles_required("coach")
@blp.arguments(MatchQuerySchema, location="query")
@blp.response(200, CoachMatchPageSchema)
def coach_queue(query: dict[str, Any]) -> service.Page:
    """Matches of the people on your caseload (e.g. ?status=requested to approve), each with the
    person's name and the opportunity's title."""
    return service.list_coach_matches(get_session(), actor=current_actor(), **query)


@blp.route("/matches/<uuid:match_id>/approve", methods=["POST"])
@idempotent
@roles_required("coach")
@blp.response(200, MatchDecisionSchema)
@blp.alt_response(404, description=_404)
@blp.alt_response(409, description="Wrong state, or the opportunity is full")
def approve(match_id: uuid.UUID) -> Any:
    """Approve a request; warns when volunteer allowances pass the municipality's cap."""
    return service.approve_match(get_session(), actor=current_actor(), match_id=match_id)


@blp.route("/matches/<uuid:match_id>/decline", methods=["POST"])
@roles_required("coach")
@blp.arguments(ReasonBodySchema)
@blp.response(200, MatchSchema)
@blp.alt_response(404, description=_404)
@blp.alt_response(409, description=_409)
def decline(body: dict[str, Any], match_id: uuid.UUID) -> Any:
    """Decline a request, with a reason the person can read."""
    return service.decline_match(get_session(), actor=current_actor(), match_id=match_id, **body)


@blp.route("/matches/<uuid:match_id>/confirm", methods=["POST"])
@roles_required("organizer")
@blp.response(200, OrganizerMatchSchema)
@blp.alt_response(404, description=_404)
@blp.alt_response(409, description=_409)
def confirm(match_id: uuid.UUID) -> Any:
    """Confirm the person started."""
    return service.confirm_match(get_session(), actor=current_actor(), match_id=match_id)


@blp.route("/matches/<uuid:match_id>/reject", methods=["POST"])
@roles_required("organizer")
@blp.arguments(ReasonBodySchema)
@blp.response(200, OrganizerMatchSchema)
@blp.alt_response(404, description=_404)
@blp.alt_response(409, description=_409)
def reject(body: dict[str, Any], match_id: uuid.UUID) -> Any:
    """You cannot take this person on, with a reason."""
    return service.reject_match(get_session(), actor=current_actor(), match_id=match_id, **body)


@blp.route("/matches/<uuid:match_id>/complete", methods=["POST"])
@roles_required("organizer", "coach")
@blp.response(200, OrganizerMatchSchema)
@blp.alt_response(404, description=_404)
@blp.alt_response(409, description=_409)
def complete(match_id: uuid.UUID) -> Any:
    """The activity ended well."""
    return service.complete_match(get_session(), actor=current_actor(), match_id=match_id)


@blp.route("/opportunities/<uuid:opportunity_id>/matches", methods=["GET"])
@roles_required("organizer")
@blp.response(200, CandidateListSchema)
@blp.alt_response(404, description="Not your team's opportunity")
def candidates(opportunity_id: uuid.UUID) -> dict[str, Any]:
    """Approved and active people: first name and the contact they chose to share, nothing else."""
    return {
        "items": service.list_candidates(
            get_session(), actor=current_actor(), opportunity_id=opportunity_id
        )
    }


@blp.route("/teams/mine/candidates", methods=["GET"])
@roles_required("organizer")
@blp.arguments(TeamCandidateQuerySchema, location="query")
@blp.response(200, TeamCandidatePageSchema)
def team_candidates(query: dict[str, Any]) -> service.Page:
    """Your queue: approved and active people across all your team's opportunities, who waits
    longest first; first name and the contact they chose to share, nothing else."""
    return service.list_team_candidates(get_session(), actor=current_actor(), **query)
