"""Admin pages for experiments: set up, start and stop, and the report with a chart per arm."""

from __future__ import annotations

import uuid
from typing import Any

from flask import g, redirect, request, url_for
from marshmallow import ValidationError
from werkzeug.wrappers import Response

from api.console import charts, forms, web
from api.console.blueprint import bp, render
from api.console.i18n import current_language, explain, t
from api.console.util import attempt, page_args
from api.errors import Conflict, InvalidInput
from api.experiments import service as experiments
from api.experiments.enrolment import STRATA
from api.experiments.outcomes import OUTCOMES
from api.experiments.schemas import ExperimentCreateSchema
from api.experiments.treatment import CHANNELS, FRAMINGS
from api.schemas import PageQuerySchema

TREATMENT_ARMS = 2  # the form offers the control and up to two other arms
FIELDS = (
    "name",
    "hypothesis",
    "primaryOutcome",
    "horizonDays",
    "enrolUntil",
    "plannedEnd",
    "dpiaReference",
    "ethicsReference",
    "optOutLimit",
)


def _body(values: dict[str, Any]) -> dict[str, Any]:
    """The form's flat fields as the API's JSON body."""
    arms: list[dict[str, Any]] = [
        {
            "key": "control",
            "name": values.get("arm0.name") or "Zoals nu",
            "weight": 1,
            "isControl": True,
        }
    ]
    for i in range(1, TREATMENT_ARMS + 1):
        name = values.get(f"arm{i}.name")
        if not name:
            continue
        treatment: dict[str, Any] = {
            "framing": values.get(f"arm{i}.framing") or "neutral",
            "channel": values.get(f"arm{i}.channel") or "push",
        }
        cap = values.get(f"arm{i}.maxPerWeek")
        if cap:
            treatment["maxPerWeek"] = cap
        if values.get(f"arm{i}.coachPrompt"):
            treatment["coachPrompt"] = True
        arms.append({"key": f"arm{i}", "name": name, "weight": 1, "treatment": treatment})
    body: dict[str, Any] = {k: values[k] for k in FIELDS if values.get(k) and k != "optOutLimit"}
    body["arms"] = arms
    body["strata"] = values.get("strata", [])
    body["secondaryOutcomes"] = values.get("secondaryOutcomes", [])
    body["eligibility"] = {"withCoach": True} if values.get("withCoach") else {}
    limit = values.get("optOutLimit")
    if limit:
        try:
            body["guardrails"] = [{"metric": "opt_out", "threshold": float(limit) / 100}]
        except ValueError:
            body["guardrails"] = [{"metric": "opt_out", "threshold": limit}]
    return body


def _collect() -> dict[str, Any]:
    arm_fields = [f"arm{i}.{f}" for i in range(TREATMENT_ARMS + 1) for f in ("name",)]
    arm_fields += [
        f"arm{i}.{f}"
        for i in range(1, TREATMENT_ARMS + 1)
        for f in ("framing", "channel", "maxPerWeek")
    ]
    return forms.collect(
        request.form,
        fields=(*FIELDS, *arm_fields),
        lists=("strata", "secondaryOutcomes"),
        checkboxes=(
            "withCoach",
            *[f"arm{i}.coachPrompt" for i in range(1, TREATMENT_ARMS + 1)],
        ),
    )


def _list_page(
    values: dict[str, Any], *, status: int = 200, errors: dict[str, str] | None = None
) -> Response:
    query = page_args(PageQuerySchema(), ("cursor",), limit=25)
    page = experiments.list_experiments(web.db(), actor=web.actor(), **query)
    return render(
        "experiments.html",
        status=status,
        page=page,
        values=values,
        errors=errors or {},
        outcomes=list(OUTCOMES),
        framings=FRAMINGS,
        channels=CHANNELS,
        strata=STRATA,
        arms=TREATMENT_ARMS,
    )


@bp.route("/experimenten", methods=["GET", "POST"])
@web.staff("admin")
def experiments_list() -> Response:
    """The municipality's experiments and a form to pre-register a new one."""
    if request.method == "GET":
        return _list_page(
            {
                "arm0.name": "Zoals nu",
                "horizonDays": "90",
                "strata": ["ladder_step", "coach"],
                "withCoach": True,
                "optOutLimit": "20",
            }
        )
    values = _collect()
    try:
        body = forms.load(ExperimentCreateSchema(), _body(values))
        created = attempt(experiments.create, actor=web.actor(), data=body)
    except forms.FormInvalid as exc:
        return _list_page(values, status=400, errors=exc.errors)
    except InvalidInput as exc:
        return _list_page(values, status=400, errors=forms.errors_from_domain(exc))
    except ValidationError as exc:  # pragma: no cover - the schema above already said it
        return _list_page(values, status=400, errors=forms.errors_from_messages(exc.messages))
    web.notify("notice.experiment_created")
    return redirect(url_for("console.experiment", experiment_id=created["id"]), code=303)


def _chart(report: dict[str, Any], names: dict[str, str], label: str) -> Any:
    primary = report["outcomes"][0]
    scale = 100 if primary["kind"] == "rate" else 1
    rows = [r for r in primary["arms"] if not _is_control(report, r["arm"])]
    points = [
        None
        if r["difference"] is None
        else (r["difference"] * scale, r["ci_low"] * scale, r["ci_high"] * scale)
        for r in rows
    ]
    return charts.estimates(
        [names[r["arm"]] for r in rows],
        points,
        title=t("experiments.chart_title", outcome=label),
        description=t("experiments.chart_desc"),
        nonce=g.get("csp_nonce", ""),
        unit=" pp" if primary["kind"] == "rate" else "",
    )


def _is_control(report: dict[str, Any], key: str) -> bool:
    return any(a["key"] == key and a["is_control"] for a in report["arms"])


@bp.route("/experimenten/<uuid:experiment_id>", methods=["GET"])
@web.staff("admin")
def experiment(experiment_id: uuid.UUID) -> Response:
    """One experiment: what was registered, the power before start, the report after."""
    session, actor = web.db(), web.actor()
    exp = experiments.detail(session, actor=actor, experiment_id=experiment_id)
    report = chart = None
    if exp["status"] != "draft":
        report = experiments.get_report(
            session, actor=actor, experiment_id=experiment_id, language=current_language()
        )
        names = {a["key"]: a["name"] for a in report["arms"]}
        chart = _chart(report, names, t(f"outcome.{exp['primary_outcome']}"))
    return render(
        "experiment.html",
        exp=exp,
        report=report,
        chart=chart,
        active_nav="console.experiments_list",
        outcomes=OUTCOMES,
    )


@bp.route("/experimenten/<uuid:experiment_id>/<any(start, stop):action>", methods=["POST"])
@web.staff("admin")
def experiment_action(experiment_id: uuid.UUID, action: str) -> Response:
    """Start (the pre-registration freezes) or stop."""
    fn = experiments.start if action == "start" else experiments.stop
    try:
        attempt(fn, actor=web.actor(), experiment_id=experiment_id)
        web.notify(f"notice.experiment_{action}")
    except (Conflict, InvalidInput) as exc:
        web.notify("notice.experiment_refused", kind="error", reason=explain(exc))
    return redirect(url_for("console.experiment", experiment_id=experiment_id), code=303)
