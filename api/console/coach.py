"""Coach pages: Mijn mensen, a person's page, Aanvragen."""

from __future__ import annotations

import uuid
from typing import Any

from flask import g, redirect, request, url_for
from werkzeug.wrappers import Response

from api.auth.security import Actor
from api.caseload import service as caseload
from api.caseload.schemas import CaseloadQuerySchema
from api.console import charts, forms, web
from api.console.blueprint import bp, render
from api.console.i18n import current_language, explain, reason, t
from api.console.util import LADDER_STEPS, attempt, commit_and, page_args
from api.errors import Conflict, InvalidInput
from api.feed import service as feed
from api.interests import service as interests
from api.invitations import service as invitations
from api.invitations.schemas import InvitationCreateSchema
from api.matches import service as matches
from api.matches.schemas import ReasonBodySchema, SuggestionCreateSchema
from api.plans import service as plans
from api.plans.schemas import PlanStepCreateSchema
from api.plans.status import KINDS as STEP_KINDS
from api.profiles import service as profiles
from api.progress import service as progress
from api.progress.schemas import LadderAssessmentCreateSchema

PAGE_SIZE = 25


@bp.route("/mensen", methods=["GET"])
@web.staff("coach")
def people() -> Response:
    """Mijn mensen: who needs attention first, flags in words with their counts."""
    query = page_args(CaseloadQuerySchema(), ("flag", "cursor"), limit=PAGE_SIZE)
    page = caseload.caseload(web.db(), actor=web.actor(), **query)
    return render(
        "people.html",
        page=page,
        flag=query.get("flag"),
        flags=list(caseload.FLAGS),
        cursor=query.get("cursor"),
    )


@bp.route("/mensen/nieuw", methods=["GET", "POST"])
@web.staff("coach")
def invite() -> Response:
    """Invite someone onto this caseload; the one-time code is shown once, to print."""
    if request.method == "GET":
        return render("invite.html", values={})
    values = forms.collect(request.form, fields=("recipientName", "email"), nullable=("email",))
    try:
        body = forms.load(InvitationCreateSchema(), values)
        issued = attempt(
            invitations.create_invitation,
            actor=web.actor(),
            recipient_name=body["recipient_name"],
            email=body["email"],
            coach_id=None,
        )
    except forms.FormInvalid as exc:
        return render("invite.html", status=400, values=values, errors=exc.errors)
    except Conflict as exc:
        return render(
            "invite.html", status=409, values=values, errors={"email": reason(exc.detail)}
        )
    return render(
        "code.html",
        code=issued.invite_code,
        expires_at=issued.expires_at,
        purpose=issued.purpose,
        person_name=body["recipient_name"],
        new_person=True,
        back=url_for("console.person", recipient_id=issued.recipient_id),
    )


def _labels(session: Any) -> dict[str, str]:
    lang = current_language()
    return {
        i.key: (i.label_en if lang == "en" else i.label_nl)
        for i in interests.list_interests(session)
    }


def _person_page(
    recipient_id: uuid.UUID,
    *,
    status: int = 200,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
) -> Response:
    """Everything about one person; person_detail writes the read to their access log."""
    session, actor = web.db(), web.actor()
    detail = caseload.person_detail(session, actor=actor, recipient_id=recipient_id)
    mine = progress.progress(session, user_id=recipient_id)
    profile = detail["profile"]
    suggestions: list[Any] = []
    if profile is not None:  # without a profile there is nothing to match on (and none is made)
        person = Actor(recipient_id, "recipient", actor.municipality_id, None)
        suggestions = feed.personal_feed(session, actor=person, limit=5).items
    nonce = g.get("csp_nonce", "")
    ladder = mine["ladder"]
    steps = {s: t(f"ladder.{s}") for s in LADDER_STEPS}
    ladder_chart = charts.line_over_time(
        [
            (t("person.ladder.self"), [(e.at, e.step) for e in ladder["self"]]),
            (t("person.ladder.coach"), [(e.at, e.step) for e in ladder["coach"]]),
        ],
        title=t("person.ladder.chart_title", name=detail["name"]),
        description=t("person.ladder.chart_desc"),
        nonce=nonce,
        y_range=(1, 6),
        y_labels=list(LADDER_STEPS),
    )
    hours = mine["hours_per_month"]
    hours_chart = charts.bars(
        [h["month"] for h in hours],
        [
            (t("person.hours.activities"), [h["hours"] for h in hours]),
            (t("person.hours.care"), [h["informal_care_hours"] for h in hours]),
        ],
        title=t("person.hours.chart_title", name=detail["name"]),
        description=t("person.hours.chart_desc"),
        nonce=nonce,
        stacked=True,
    )
    wellbeing = mine["wellbeing"]
    wellbeing_chart = charts.line_over_time(
        [(t("person.wellbeing.series"), [(w["date"], w["wellbeing"]) for w in wellbeing])],
        title=t("person.wellbeing.chart_title", name=detail["name"]),
        description=t("person.wellbeing.chart_desc"),
        nonce=nonce,
        y_range=(1, 5),
        y_labels=[1, 2, 3, 4, 5],
    )
    return render(
        "person.html",
        status=status,
        detail=detail,
        profile=profile,
        progress=mine,
        ladder_steps=steps,
        ladder_history=sorted(
            [*ladder["self"], *ladder["coach"]], key=lambda e: e.at, reverse=True
        ),
        ladder_chart=ladder_chart,
        hours_chart=hours_chart,
        wellbeing_chart=wellbeing_chart,
        suggestions=suggestions,
        step_kinds=[(k, t(f"step_kind.{k}")) for k in STEP_KINDS],
        interest_labels=_labels(session),
        errors=errors or {},
        values=values or {},
    )


@bp.route("/mensen/<uuid:recipient_id>", methods=["GET"])
@web.staff("coach")
def person(recipient_id: uuid.UUID) -> Response:
    return _person_page(recipient_id)


@bp.route("/mensen/<uuid:recipient_id>/trede", methods=["POST"])
@web.staff("coach")
def assess(recipient_id: uuid.UUID) -> Response:
    """The coach's own ladder assessment, with a note."""
    values = forms.collect(request.form, fields=("step", "note"), nullable=("note",))
    try:
        body = forms.load(LadderAssessmentCreateSchema(), values)
        attempt(caseload.assess_ladder, actor=web.actor(), recipient_id=recipient_id, **body)
    except forms.FormInvalid as exc:
        return commit_and(_person_page(recipient_id, status=400, errors=exc.errors, values=values))
    web.notify("notice.assessed", step=body["step"])
    return redirect(url_for("console.person", recipient_id=recipient_id) + "#trede", code=303)


@bp.route("/mensen/<uuid:recipient_id>/voorstellen", methods=["POST"])
@web.staff("coach")
def suggest(recipient_id: uuid.UUID) -> Response:
    """Propose one of the best fits to the person; they decide in the app."""
    values = forms.collect(request.form, fields=("opportunityId", "note"), nullable=("note",))
    try:
        body = forms.load(SuggestionCreateSchema(), values)
        match = attempt(matches.suggest_match, actor=web.actor(), recipient_id=recipient_id, **body)
    except forms.FormInvalid as exc:
        return commit_and(_person_page(recipient_id, status=400, errors=exc.errors, values=values))
    except Conflict as exc:
        web.notify("notice.conflict", kind="error", detail=reason(exc.detail))
        return redirect(
            url_for("console.person", recipient_id=recipient_id) + "#voorstellen", code=303
        )
    web.notify("notice.suggested", title=match.opportunity.title)
    return redirect(url_for("console.person", recipient_id=recipient_id) + "#matches", code=303)


@bp.route("/mensen/<uuid:recipient_id>/stappen", methods=["POST"])
@web.staff("coach")
def propose_step(recipient_id: uuid.UUID) -> Response:
    """Propose a small step of the plan; the person says yes in the app."""
    values = forms.collect(
        request.form, fields=("kind", "what", "dueOn", "why"), nullable=("kind", "what", "why")
    )
    try:
        body = forms.load(PlanStepCreateSchema(), values)
        attempt(plans.create_caseload_step, actor=web.actor(), recipient_id=recipient_id, data=body)
    except forms.FormInvalid as exc:
        return commit_and(_person_page(recipient_id, status=400, errors=exc.errors, values=values))
    except InvalidInput as exc:
        errors = forms.errors_from_domain(exc, fallback="dueOn")
        return commit_and(_person_page(recipient_id, status=400, errors=errors, values=values))
    except Conflict as exc:
        web.notify("notice.conflict", kind="error", detail=explain(exc))
        return redirect(url_for("console.person", recipient_id=recipient_id) + "#plan", code=303)
    web.notify("notice.step_proposed")
    return redirect(url_for("console.person", recipient_id=recipient_id) + "#plan", code=303)


@bp.route("/mensen/<uuid:recipient_id>/stappen/<uuid:step_id>/akkoord", methods=["POST"])
@web.staff("coach")
def agree_step(recipient_id: uuid.UUID, step_id: uuid.UUID) -> Response:
    """Agree to a step the person proposed (htmx swaps the step; otherwise back to the page)."""
    key, kind = "notice.step_agreed", "ok"
    params: dict[str, Any] = {}
    try:
        attempt(
            plans.update_caseload_step,
            actor=web.actor(),
            recipient_id=recipient_id,
            step_id=step_id,
            data={"status": "agreed"},
        )
    except Conflict as exc:
        key, kind, params = "notice.conflict", "error", {"detail": explain(exc)}
    if request.headers.get("HX-Request"):
        return render("_step_decided.html", key=key, kind=kind, params=params, step_id=step_id)
    web.notify(key, kind=kind, **params)
    return redirect(url_for("console.person", recipient_id=recipient_id) + "#plan", code=303)


@bp.route("/mensen/<uuid:recipient_id>/code", methods=["POST"])
@web.staff("coach")
def login_code(recipient_id: uuid.UUID) -> Response:
    """A one-time code to print or read out (shown once): to choose a new password, or a new
    invitation code when the person never activated the account."""
    issued = attempt(invitations.issue_login_code, actor=web.actor(), recipient_id=recipient_id)
    name = caseload_name(recipient_id)
    return render(
        "code.html",
        code=issued.invite_code,
        expires_at=issued.expires_at,
        purpose=issued.purpose,
        person_name=name,
        new_person=False,
        back=url_for("console.person", recipient_id=recipient_id),
    )


def caseload_name(recipient_id: uuid.UUID) -> str:
    names = profiles.caseload_names(web.db(), actor=web.actor(), recipient_ids=[recipient_id])
    return names.get(recipient_id, "")


# --- Aanvragen --------------------------------------------------------------------------------


def _requests_page(
    *, status: int = 200, errors: dict[str, str] | None = None, values: dict[str, str] | None = None
) -> Response:
    session, actor = web.db(), web.actor()
    query = page_args(None, ("cursor",), limit=PAGE_SIZE)
    page = matches.list_coach_matches(session, actor=actor, status="requested", **query)
    names = profiles.caseload_names(
        session, actor=actor, recipient_ids=[m.recipient_id for m in page.items if m.recipient_id]
    )
    previews = matches.allowance_previews(session, actor=actor, matches=page.items)
    return render(
        "requests.html",
        status=status,
        items=page.items,
        next_cursor=page.next_cursor,
        cursor=query.get("cursor"),
        names=names,
        previews=previews,
        errors=errors or {},
        values=values or {},
    )


@bp.route("/aanvragen", methods=["GET"])
@web.staff("coach")
def requests() -> Response:
    """Aanvragen: who asked for what, why it fits, and any allowance warning."""
    return _requests_page()


@bp.route("/aanvragen/<uuid:match_id>/goedkeuren", methods=["POST"])
@web.staff("coach")
def approve(match_id: uuid.UUID) -> Response:
    try:
        outcome = attempt(matches.approve_match, actor=web.actor(), match_id=match_id)
    except Conflict as exc:
        return _decided(match_id, "notice.conflict", kind="error", detail=reason(exc.detail))
    warnings = [w["code"] for w in outcome.warnings]
    return _decided(
        match_id, "notice.approved", title=outcome.match.opportunity.title, warnings=warnings
    )


@bp.route("/aanvragen/<uuid:match_id>/afwijzen", methods=["POST"])
@web.staff("coach")
def decline(match_id: uuid.UUID) -> Response:
    field = f"reason-{match_id}"
    values = {"reason": (request.form.get("reason") or "").strip()}
    try:
        body = forms.load(ReasonBodySchema(), {k: v for k, v in values.items() if v})
        match = attempt(matches.decline_match, actor=web.actor(), match_id=match_id, **body)
    except forms.FormInvalid as exc:
        errors = {field: exc.errors.get("reason", "")}
        if request.headers.get("HX-Request"):
            return _decline_form(match_id, errors=errors, values={field: values["reason"]})
        return commit_and(
            _requests_page(status=400, errors=errors, values={field: values["reason"]})
        )
    except Conflict as exc:
        return _decided(match_id, "notice.conflict", kind="error", detail=reason(exc.detail))
    return _decided(match_id, "notice.declined", title=match.opportunity.title)


def _decline_form(
    match_id: uuid.UUID, *, errors: dict[str, str], values: dict[str, str]
) -> Response:
    """For htmx: only the decline form again, with its error (no reads, nothing to audit)."""
    resp = render("_decline_form.html", status=400, req_id=match_id, errors=errors, values=values)
    resp.headers["HX-Retarget"] = f"#afwijzen-{match_id}"
    resp.headers["HX-Reswap"] = "outerHTML"
    return resp


def _decided(match_id: uuid.UUID, key: str, kind: str = "ok", **params: Any) -> Response:
    """After a decision: htmx swaps the request for the outcome; otherwise back to the queue."""
    if request.headers.get("HX-Request"):
        return render("_decided.html", key=key, kind=kind, params=params, match_id=match_id)
    web.notify(key, kind=kind, **params)
    return redirect(url_for("console.requests"), code=303)
