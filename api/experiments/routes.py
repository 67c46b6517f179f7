"""/v1/admin/experiments (an admin's trials of nudge strategies) and /v1/me/experiments."""

from __future__ import annotations

import uuid
from typing import Any

from api.auth.security import current_actor, roles_required
from api.core.paging import Page
from api.db import get_session
from api.experiments import service
from api.experiments.schemas import (
    ExperimentCreateSchema,
    ExperimentExportSchema,
    ExperimentPageSchema,
    ExperimentQuerySchema,
    ExperimentReportSchema,
    ExperimentSchema,
    ExperimentUpdateSchema,
    MyExperimentSchema,
    MyExperimentsSchema,
)
from api.extensions import Blueprint
from api.i18n import request_language

# Any top-level field may be left out of a change; an arm that is sent is complete.
UPDATABLE = tuple(ExperimentUpdateSchema().fields)

blp = Blueprint(
    "experiments", __name__, url_prefix="/v1/admin/experiments", description="Experiments"
)
me_blp = Blueprint(
    "my-experiments", __name__, url_prefix="/v1/me/experiments", description="My experiments"
)


@blp.route("", methods=["POST"])
@roles_required("admin")
@blp.arguments(ExperimentCreateSchema)
@blp.response(201, ExperimentSchema)
def create_experiment(body: dict[str, Any]) -> dict[str, Any]:
    """Pre-register an experiment (draft): arms change only how nudges are given."""
    return service.create(get_session(), actor=current_actor(), data=body)


@blp.route("", methods=["GET"])
@roles_required("admin")
@blp.arguments(ExperimentQuerySchema, location="query")
@blp.response(200, ExperimentPageSchema)
def list_experiments(query: dict[str, Any]) -> Page:
    """Your municipality's experiments, newest first."""
    return service.list_experiments(get_session(), actor=current_actor(), **query)


@blp.route("/<uuid:experiment_id>", methods=["GET"])
@roles_required("admin")
@blp.response(200, ExperimentSchema)
def read_experiment(experiment_id: uuid.UUID) -> dict[str, Any]:
    """One experiment; a draft shows the power calculation on today's eligible people."""
    return service.detail(get_session(), actor=current_actor(), experiment_id=experiment_id)


@blp.route("/<uuid:experiment_id>", methods=["PATCH"])
@roles_required("admin")
@blp.arguments(ExperimentUpdateSchema(partial=UPDATABLE))
@blp.response(200, ExperimentSchema)
def change_experiment(body: dict[str, Any], experiment_id: uuid.UUID) -> dict[str, Any]:
    """Change a draft; after start the pre-registration is frozen (409)."""
    return service.update_draft(
        get_session(), actor=current_actor(), experiment_id=experiment_id, data=body
    )


@blp.route("/<uuid:experiment_id>/start", methods=["POST"])
@roles_required("admin")
@blp.response(200, ExperimentSchema)
def start_experiment(experiment_id: uuid.UUID) -> dict[str, Any]:
    """Freeze the pre-registration and enrol everyone eligible now."""
    return service.start(get_session(), actor=current_actor(), experiment_id=experiment_id)


@blp.route("/<uuid:experiment_id>/stop", methods=["POST"])
@roles_required("admin")
@blp.response(200, ExperimentSchema)
def stop_experiment(experiment_id: uuid.UUID) -> dict[str, Any]:
    """Stop: everyone gets the current policy again."""
    return service.stop(get_session(), actor=current_actor(), experiment_id=experiment_id)


@blp.route("/<uuid:experiment_id>/report", methods=["GET"])
@roles_required("admin")
@blp.response(200, ExperimentReportSchema)
def experiment_report(experiment_id: uuid.UUID) -> dict[str, Any]:
    """By assigned arm: sizes and sample-ratio check, outcomes against control, a summary in
    plain words in the language of Accept-Language (Dutch by default; see Content-Language)."""
    return service.get_report(
        get_session(),
        actor=current_actor(),
        experiment_id=experiment_id,
        language=request_language(),
    )


@blp.route("/<uuid:experiment_id>/export", methods=["GET"])
@roles_required("admin")
@blp.response(200, ExperimentExportSchema)
def experiment_export(experiment_id: uuid.UUID) -> dict[str, Any]:
    """Pseudonymised rows per person for researchers (no names, no contact); audited."""
    return service.export(get_session(), actor=current_actor(), experiment_id=experiment_id)


@me_blp.route("", methods=["GET"])
@roles_required("recipient")
@me_blp.response(200, MyExperimentsSchema)
def my_experiments() -> dict[str, Any]:
    """The experiments you are in and what is different for you."""
    return {"items": service.my_experiments(get_session(), actor=current_actor())}


@me_blp.route("/<uuid:experiment_id>/opt-out", methods=["POST"])
@roles_required("recipient")
@me_blp.response(200, MyExperimentSchema)
def opt_out(experiment_id: uuid.UUID) -> dict[str, Any]:
    """Stop taking part: you get messages as usual; nothing else changes."""
    return service.opt_out(get_session(), actor=current_actor(), experiment_id=experiment_id)
