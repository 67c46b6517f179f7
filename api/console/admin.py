"""Admin pages: policy, staff accounts, the funnel report and the audit trail."""

from __future__ import annotations

import uuid
from dataclasses import fields
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import g, redirect, request, url_for
from werkzeug.wrappers import Response

from api.account import service as account_service
from api.admin import service as admin
from api.admin.schemas import PolicySchema, StaffUserCreateSchema
from api.console import charts, forms, web
from api.console.blueprint import bp, render
from api.console.i18n import reason, t
from api.console.util import attempt, page_args
from api.core.time import AMSTERDAM
from api.errors import Conflict, InvalidInput
from api.municipalities.policy import NUDGE_KINDS, PolicySettings
from api.privacy import service as privacy
from api.privacy.schemas import AuditQuerySchema
from api.reports import service as reports
from api.reports.schemas import FunnelQuerySchema
from api.schemas import camelcase
from matching.model import KINDS, Weights

# What the policy form edits: exactly the API's PolicySchema fields, in this order.
POLICY_FIELDS = tuple(
    name for name in PolicySchema().fields if name not in ("weights", "quiet_hours")
)
POLICY_LISTS = ("auto_approve_kinds", "nudge_kinds")
WEIGHTS = tuple(f.name for f in fields(Weights))
QUIET_HOURS = ("start", "end")
# Settings the API does not let admins change (yet): shown, not edited.
FIXED = tuple(
    f.name
    for f in fields(PolicySettings)
    if f.name not in PolicySchema().fields and f.name not in ("weights", "quiet_hours")
)
PAGE_SIZE = 25


def _policy_values(stored: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in POLICY_FIELDS:
        value = stored[name]
        values[camelcase(name)] = list(value) if name in POLICY_LISTS else str(value)
    for w in WEIGHTS:
        values[f"weights.{w}"] = str(stored["weights"][w])
    for part in QUIET_HOURS:
        values[f"quietHours.{part}"] = str(stored["quiet_hours"][part])
    return values


def _policy_page(
    values: dict[str, Any], *, status: int = 200, errors: dict[str, str] | None = None
) -> Response:
    effective = admin.get_policy(web.db(), actor=web.actor())
    return render(
        "policy.html",
        status=status,
        values=values,
        errors=errors or {},
        fields=[n for n in POLICY_FIELDS if n not in POLICY_LISTS],
        weights=WEIGHTS,
        kinds=KINDS,
        nudge_kinds=NUDGE_KINDS,
        fixed=[(n, effective[n]) for n in FIXED],
        camelcase=camelcase,
    )


@bp.route("/beleid", methods=["GET", "POST"])
@web.staff("admin")
def policy() -> Response:
    """Every setting of the municipality's policy, with a sentence on what it does."""
    session, actor = web.db(), web.actor()
    if request.method == "GET":
        return _policy_page(_policy_values(admin.get_policy(session, actor=actor)))
    values = forms.collect(
        request.form,
        fields=[camelcase(n) for n in POLICY_FIELDS if n not in POLICY_LISTS],
        lists=[camelcase(n) for n in POLICY_LISTS],
        nested={"weights": WEIGHTS, "quietHours": QUIET_HOURS},
    )
    shown = {
        **values,
        **{f"weights.{w}": request.form.get(f"weights.{w}", "") for w in WEIGHTS},
        **{f"quietHours.{p}": request.form.get(f"quietHours.{p}", "") for p in QUIET_HOURS},
    }
    try:
        body = forms.load(PolicySchema(), values)
    except forms.FormInvalid as exc:
        errors = dict(exc.errors)
        if "weights" in errors:  # the rule about all weights together
            errors["weights._schema"] = errors.pop("weights")
        return _policy_page(shown, status=400, errors=errors)
    attempt(admin.put_policy, actor=actor, data=body)
    web.notify("notice.policy_saved")
    return redirect(url_for("console.policy"), code=303)


# --- Medewerkers ------------------------------------------------------------------------------


def _staff_page(
    values: dict[str, Any], *, status: int = 200, errors: dict[str, str] | None = None
) -> Response:
    session, actor = web.db(), web.actor()
    return render(
        "staff.html",
        status=status,
        rows=admin.staff_accounts(session, actor=actor),
        teams=admin.teams(session, actor=actor),
        values=values,
        errors=errors or {},
    )


@bp.route("/medewerkers", methods=["GET", "POST"])
@web.staff("admin")
def staff() -> Response:
    """Staff accounts; a new one gets a one-time code to set a password with."""
    if request.method == "GET":
        return _staff_page({})
    values = forms.collect(
        request.form, fields=("name", "email", "role", "teamId"), nullable=("teamId",)
    )
    try:
        body = forms.load(StaffUserCreateSchema(), values)
        account = attempt(admin.create_staff_user, actor=web.actor(), **body)
    except forms.FormInvalid as exc:
        return _staff_page(values, status=400, errors=exc.errors)
    except InvalidInput as exc:
        return _staff_page(values, status=400, errors=forms.errors_from_domain(exc))
    except Conflict as exc:
        return _staff_page(values, status=409, errors={"email": reason(exc.detail)})
    return render(
        "code.html",
        code=account.activation.invite_code,
        expires_at=account.activation.expires_at,
        purpose=account.activation.purpose,
        person_name=account.user.name,
        new_person=True,
        staff_account=True,
        back=url_for("console.staff"),
    )


@bp.route("/medewerkers/<uuid:user_id>/code", methods=["POST"])
@web.staff("admin")
def staff_code(user_id: uuid.UUID) -> Response:
    """A one-time code for a staff member to choose a new password with (shown once)."""
    issued = attempt(account_service.reset_code, actor=web.actor(), user_id=user_id)
    name = next(
        (s.name for s in admin.staff_accounts(web.db(), actor=web.actor()) if s.id == user_id), ""
    )
    return render(
        "code.html",
        code=issued.invite_code,
        expires_at=issued.expires_at,
        purpose=issued.purpose,
        person_name=name,
        new_person=False,
        staff_account=True,
        back=url_for("console.staff"),
    )


# --- Rapportage -------------------------------------------------------------------------------

FUNNEL_COLUMNS = reports.FUNNEL_COLUMNS


@bp.route("/rapportage", methods=["GET"])
@web.staff("admin")
def funnel() -> Response:
    """People per stage per month; cells under the minimum are withheld, as in the API."""
    query = page_args(FunnelQuerySchema(), ("months",), limit=None)
    report = reports.funnel(web.db(), actor=web.actor(), **query)
    items = report["items"]
    chart = charts.bars(
        [r["month"] for r in items],
        [(t(f"funnel.{c}"), [r[c] for r in items]) for c in FUNNEL_COLUMNS],
        title=t("funnel.chart_title"),
        description=t("funnel.chart_desc", min_cell=report["min_cell"]),
        nonce=g.get("csp_nonce", ""),
    )
    return render(
        "funnel.html", report=report, columns=FUNNEL_COLUMNS, chart=chart, months=query["months"]
    )


# --- Audit ------------------------------------------------------------------------------------


def _day_start(value: str, *, plus_days: int = 0) -> str | None:
    """A date from the form as the start of that day in Amsterdam (the API wants a zone)."""
    try:
        day = date.fromisoformat(value) + timedelta(days=plus_days)
    except ValueError:
        return value  # the schema says what is wrong
    return datetime.combine(day, time(0), tzinfo=AMSTERDAM).isoformat()


@bp.route("/audit", methods=["GET"])
@web.staff("admin")
def audit() -> Response:
    """Who read or changed whose data, when and why; filter by person, action and period."""
    args = {
        k: (request.args.get(k) or "").strip()
        for k in ("actorId", "subjectId", "action", "since", "until", "cursor")
    }
    raw: dict[str, Any] = {k: v for k, v in args.items() if v}
    if "since" in raw:
        raw["since"] = _day_start(raw["since"])
    if "until" in raw:
        raw["until"] = _day_start(raw["until"], plus_days=1)  # including that whole day
    raw["limit"] = str(PAGE_SIZE)
    errors: dict[str, str] = {}
    session, actor = web.db(), web.actor()
    try:
        query = forms.load(AuditQuerySchema(), raw)
        page = privacy.audit_log(session, actor=actor, **query)
    except forms.FormInvalid as exc:
        errors = exc.errors
        page = None
    except InvalidInput as exc:
        errors = forms.errors_from_domain(exc)
        page = None
    staff_rows = admin.staff_accounts(session, actor=actor)
    filters = {k: v for k, v in args.items() if v and k != "cursor"}
    return render(
        "audit.html",
        status=400 if errors else 200,
        page=page,
        values=args,
        errors=errors,
        staff=staff_rows,
        filters=filters,
        staff_names={s.id: s.name for s in staff_rows},
    )
