"""Organiser pages: Onze activiteiten (list, create, edit, publish/pause/close) and Kandidaten."""

from __future__ import annotations

import uuid
from typing import Any

from flask import current_app, redirect, request, url_for
from werkzeug.wrappers import Response

from api.console import forms, web
from api.console.blueprint import bp, render
from api.console.i18n import current_language, reason, t
from api.console.util import LADDER_STEPS, attempt, commit_and
from api.errors import Conflict, InvalidInput, NotFound, ServiceUnavailable
from api.geocoding.geocoders import GeocoderUnavailable, UnknownPostcode
from api.interests import service as interests
from api.matches import service as matches
from api.matches.schemas import ReasonBodySchema
from api.opportunities import service as opportunities
from api.opportunities.schemas import OpportunityCreateSchema
from matching.model import ACCESSIBILITY, CEFR_LEVELS, DAYS, KINDS, PARTS

FIELDS = (
    "kind",
    "title",
    "description",
    "address",
    "startDate",
    "endDate",
    "capacity",
    "minDutchLevel",
    "teachesLevel",
    "ladderStep",
    "monthlyAllowanceEur",
    "hoursPerWeek",
    "organisation",
    "directions",
    "imageUrl",
)
LISTS = ("interests", "slots", "accessibility")
NULLABLE = (
    "startDate",
    "endDate",
    "teachesLevel",
    "monthlyAllowanceEur",
    "hoursPerWeek",
    "organisation",
    "directions",
    "imageUrl",
)
CONTACT = ("name", "phone", "email")
TIME_ROWS = 4  # rows of concrete times the form offers
ACTIONS = ("publish", "pause", "close")


@bp.route("/activiteiten", methods=["GET"])
@web.staff("organizer")
def activities() -> Response:
    """Onze activiteiten: status and places left, with what can be done next."""
    rows = opportunities.team_opportunities(web.db(), actor=web.actor())
    return render(
        "activities.html",
        rows=rows,
        transitions=opportunities.TRANSITIONS,
        team=opportunities.team_name(web.db(), actor=web.actor()),
    )


def _form_options() -> dict[str, Any]:
    lang = current_language()
    taxonomy = interests.list_interests(web.db())
    groups: dict[str, list[tuple[str, str]]] = {}
    for i in taxonomy:
        groups.setdefault(i.category_key, []).append(
            (i.key, i.label_en if lang == "en" else i.label_nl)
        )
    return {
        "kinds": KINDS,
        "levels": CEFR_LEVELS,
        "steps": LADDER_STEPS,
        "accessibility": ACCESSIBILITY,
        "days": DAYS,
        "parts": PARTS,
        "interest_groups": groups,
        "time_rows": TIME_ROWS,
    }


def _values_of(opp: Any) -> dict[str, Any]:
    """An opportunity as the form shows it (the API's field names)."""
    cents = opp.monthly_allowance_cents
    return {
        "kind": opp.kind,
        "title": opp.title,
        "description": opp.description,
        "address": opp.address,
        "startDate": opp.start_date.isoformat() if opp.start_date else "",
        "endDate": opp.end_date.isoformat() if opp.end_date else "",
        "capacity": str(opp.capacity),
        "minDutchLevel": opp.min_dutch_level,
        "teachesLevel": opp.teaches_level or "",
        "ladderStep": str(opp.ladder_step),
        "monthlyAllowanceEur": f"{cents / 100:.2f}" if cents is not None else "",
        "interests": list(opp.interests or ()),
        "slots": list(opp.slots or ()),
        "accessibility": list(opp.accessibility or ()),
        "notReplacingPaidWork": bool(opp.replaces_no_paid_work),
        "postcode": "",
        "hoursPerWeek": f"{opp.hours_per_week:g}" if opp.hours_per_week is not None else "",
        "organisation": opp.organisation or "",
        "directions": opp.directions or "",
        "imageUrl": opp.image_url or "",
        "contact.name": opp.contact_name or "",
        "contact.phone": opp.contact_phone or "",
        "contact.email": opp.contact_email or "",
        **{
            f"schedule.{i}.{part}": block[part]
            for i, block in enumerate(opp.schedule or [])
            for part in ("day", "start", "end")
        },
    }


def _times(form: Any) -> tuple[list[dict[str, str]], list[int], dict[str, str]]:
    """The rows of concrete times filled in, which form row each came from, and the raw text."""
    blocks: list[dict[str, str]] = []
    rows: list[int] = []
    raw: dict[str, str] = {}
    for i in range(TIME_ROWS):
        row = {k: (form.get(f"schedule.{i}.{k}") or "").strip() for k in ("day", "start", "end")}
        raw.update({f"schedule.{i}.{k}": v for k, v in row.items()})
        if any(row.values()):
            blocks.append(row)
            rows.append(i)
    return blocks, rows, raw


def _row_names(errors: dict[str, str], rows: list[int]) -> dict[str, str]:
    """Error names of the sent list ("schedule.0.end") as the form's rows ("schedule.2.end")."""
    out = {}
    for name, text in errors.items():
        parts = name.split(".")
        if parts[0] == "schedule" and len(parts) > 1 and parts[1].isdigit():
            index = int(parts[1])
            parts[1] = str(rows[index]) if index < len(rows) else parts[1]
        out[".".join(parts)] = text
    return out


def _parse(existing: Any | None) -> tuple[dict[str, Any], dict[str, Any], dict[str, str]]:
    """The posted form, validated by the API's schema; the postcode placed by the geocoder."""
    values: dict[str, Any] = forms.collect(
        request.form,
        fields=FIELDS,
        lists=LISTS,
        nullable=NULLABLE,
        checkboxes=("notReplacingPaidWork",),
        nested={"contact": CONTACT},
    )
    blocks, rows, raw_times = _times(request.form)
    shown = {
        **values,
        **raw_times,
        **{f"contact.{k}": (request.form.get(f"contact.{k}") or "").strip() for k in CONTACT},
        "postcode": (request.form.get("postcode") or "").strip(),
    }
    for name in NULLABLE:
        shown[name] = shown.get(name) or ""
    if not values.get("contact"):
        values["contact"] = None
    if blocks:  # concrete times given: the day parts follow from them
        values["schedule"] = blocks
        values.pop("slots", None)
    else:
        values["schedule"] = []
        if not values.get("slots"):
            values.pop("slots", None)
    errors: dict[str, str] = {}
    postcode = shown["postcode"]
    if postcode:
        try:
            place = current_app.extensions["meedoen_geocoder"].locate(postcode)
            values["location"] = {"lat": place.lat, "lon": place.lon}
        except UnknownPostcode:
            errors["postcode"] = t("error.postcode")
        except GeocoderUnavailable:
            errors["postcode"] = t("error.geocoder")
    elif existing is not None and values.get("address") == existing.address:
        values["location"] = {"lat": existing.lat, "lon": existing.lon}
    # else: no point given, so the service places the address with the geocoder
    data: dict[str, Any] = {}
    try:
        data = forms.load(OpportunityCreateSchema(), values)
    except forms.FormInvalid as exc:
        found = {k: v for k, v in exc.errors.items() if not k.startswith("location")}
        errors.update(_row_names(found, rows))
    return data, shown, errors


def _save(fn: Any, **kwargs: Any) -> Any:
    """Call the service with the configured geocoder; a geocoder that is down names the address."""
    try:
        return attempt(fn, geocoder=current_app.extensions["meedoen_geocoder"], **kwargs)
    except ServiceUnavailable:
        raise InvalidInput.field("address", t("error.geocoder_address")) from None


def _form_page(
    opp: Any | None,
    values: dict[str, Any],
    *,
    status: int = 200,
    errors: dict[str, str] | None = None,
) -> Response:
    return render(
        "activity_form.html",
        status=status,
        opp=opp,
        values=values,
        errors=errors or {},
        **_form_options(),
    )


@bp.route("/activiteiten/nieuw", methods=["GET", "POST"])
@web.staff("organizer")
def new_activity() -> Response:
    """A new opportunity starts as a draft; publishing is a separate step."""
    if request.method == "GET":
        return _form_page(None, {"capacity": "1", "ladderStep": "3", "minDutchLevel": "A0"})
    data, shown, errors = _parse(None)
    if errors:
        return _form_page(None, shown, status=400, errors=errors)
    try:
        opp = _save(opportunities.create_opportunity, actor=web.actor(), data=data)
    except InvalidInput as exc:
        return _form_page(None, shown, status=400, errors=forms.errors_from_domain(exc))
    web.notify("notice.created", title=opp.title)
    return redirect(url_for("console.activities"), code=303)


def _own(opportunity_id: uuid.UUID) -> Any:
    """One of the team's own opportunities; another team's is not found (as in the API)."""
    actor = web.actor()
    opp = opportunities.get_opportunity(web.db(), actor=actor, opportunity_id=opportunity_id)
    if opp.team_id != actor.team_id:
        raise NotFound()
    return opp


@bp.route("/activiteiten/<uuid:opportunity_id>", methods=["GET", "POST"])
@web.staff("organizer")
def edit_activity(opportunity_id: uuid.UUID) -> Response:
    opp = _own(opportunity_id)
    if request.method == "GET":
        return _form_page(opp, _values_of(opp))
    data, shown, errors = _parse(opp)
    if errors:
        return _form_page(opp, shown, status=400, errors=errors)
    try:
        updated = _save(
            opportunities.update_opportunity,
            actor=web.actor(),
            opportunity_id=opportunity_id,
            data=data,
        )
    except InvalidInput as exc:
        return _form_page(opp, shown, status=400, errors=forms.errors_from_domain(exc))
    except Conflict as exc:
        return _form_page(opp, shown, status=409, errors={"form": reason(exc.detail)})
    web.notify("notice.saved", title=updated.title)
    return redirect(url_for("console.activities"), code=303)


@bp.route("/activiteiten/<uuid:opportunity_id>/<action>", methods=["POST"])
@web.staff("organizer")
def activity_status(opportunity_id: uuid.UUID, action: str) -> Response:
    """Publiceren, pauzeren, sluiten: only along the allowed steps."""
    if action not in ACTIONS:
        raise NotFound()
    try:
        opp = attempt(
            opportunities.change_status,
            actor=web.actor(),
            opportunity_id=opportunity_id,
            action=action,
        )
    except Conflict as exc:
        web.notify("notice.conflict", kind="error", detail=reason(exc.detail))
    else:
        web.notify(f"notice.{action}", title=opp.title)
    return redirect(url_for("console.activities"), code=303)


# --- Kandidaten -------------------------------------------------------------------------------


def _candidates_page(
    *, status: int = 200, errors: dict[str, str] | None = None, values: dict[str, str] | None = None
) -> Response:
    rows = matches.team_candidates(web.db(), actor=web.actor())
    return render(
        "candidates.html", status=status, rows=rows, errors=errors or {}, values=values or {}
    )


@bp.route("/kandidaten", methods=["GET"])
@web.staff("organizer")
def candidates() -> Response:
    """Approved people across the team's activities: confirm the start or say why not."""
    return _candidates_page()


@bp.route("/kandidaten/<uuid:match_id>/start", methods=["POST"])
@web.staff("organizer")
def confirm(match_id: uuid.UUID) -> Response:
    return _candidate_step(matches.confirm_match, match_id, "notice.confirmed")


@bp.route("/kandidaten/<uuid:match_id>/afronden", methods=["POST"])
@web.staff("organizer")
def complete(match_id: uuid.UUID) -> Response:
    return _candidate_step(matches.complete_match, match_id, "notice.completed")


@bp.route("/kandidaten/<uuid:match_id>/niet-doorgaan", methods=["POST"])
@web.staff("organizer")
def reject(match_id: uuid.UUID) -> Response:
    field = f"reason-{match_id}"
    text = (request.form.get("reason") or "").strip()
    try:
        body = forms.load(ReasonBodySchema(), {"reason": text} if text else {})
    except forms.FormInvalid as exc:
        return commit_and(
            _candidates_page(
                status=400, errors={field: exc.errors.get("reason", "")}, values={field: text}
            )
        )
    return _candidate_step(matches.reject_match, match_id, "notice.rejected", reason=body["reason"])


def _candidate_step(fn: Any, match_id: uuid.UUID, key: str, **kwargs: Any) -> Response:
    try:
        match = attempt(fn, actor=web.actor(), match_id=match_id, **kwargs)
    except Conflict as exc:
        web.notify("notice.conflict", kind="error", detail=reason(exc.detail))
    else:
        web.notify(key, title=match.opportunity.title)
    return redirect(url_for("console.candidates"), code=303)
