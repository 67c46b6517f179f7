"""Experiments: an admin pre-registers, starts, stops and reads; a person sees theirs and may leave.

The front other packages use: `arms_for` and `log_exposures` (the nudge planners), `run_due`
(the scheduler's job), the admin use cases and the person's.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from api.audit.service import record, record_many
from api.auth.security import Actor
from api.core.paging import Page, keyset_page
from api.db import utcnow
from api.errors import Conflict, InvalidInput, NotFound
from api.experiments import report as reporting
from api.experiments.enrolment import ArmView, arms_for, enrol, log_exposures
from api.experiments.models import Assignment, Experiment, ExperimentArm
from api.experiments.texts import say
from api.experiments.treatment import Treatment
from api.i18n import N_
from api.profiles.models import RecipientProfile

__all__ = ["ArmView", "arms_for", "log_exposures"]

# What freezes at start: edits after that are refused (409).
EDITABLE = (
    "name",
    "hypothesis",
    "eligibility",
    "strata",
    "primary_outcome",
    "horizon_days",
    "secondary_outcomes",
    "guardrails",
    "enrol_until",
    "planned_end",
    "dpia_reference",
    "ethics_reference",
)


def _arms(session: Session, experiment_id: uuid.UUID) -> list[ExperimentArm]:
    return list(
        session.scalars(
            select(ExperimentArm)
            .where(ExperimentArm.experiment_id == experiment_id)
            .order_by(ExperimentArm.is_control.desc(), ExperimentArm.key)
        )
    )


def _own(
    session: Session, actor: Actor, experiment_id: uuid.UUID, *, lock: bool = False
) -> Experiment:
    """The admin's own experiment, or 404 (another municipality's looks missing)."""
    stmt = select(Experiment).where(
        Experiment.id == experiment_id, Experiment.municipality_id == actor.municipality_id
    )
    exp = session.scalars(stmt.with_for_update() if lock else stmt).first()
    if exp is None:
        raise NotFound()
    return exp


def _check_dates(data: dict[str, Any], *, now: datetime) -> None:
    if data["planned_end"] <= now:
        raise InvalidInput.field("plannedEnd", "The planned end must be in the future.")
    if data["enrol_until"] > data["planned_end"]:
        raise InvalidInput.field("enrolUntil", "Enrolment must end on or before the planned end.")


def _set_arms(session: Session, exp: Experiment, arms: list[dict[str, Any]]) -> None:
    for old in _arms(session, exp.id):
        session.delete(old)
    session.flush()
    for arm in arms:
        session.add(
            ExperimentArm(
                experiment_id=exp.id,
                key=arm["key"],
                name=arm["name"],
                weight=arm["weight"],
                is_control=arm.get("is_control", False),
                treatment=Treatment(**arm.get("treatment", {})).stored(),
            )
        )
    session.flush()


def create(session: Session, *, actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    """A new experiment in draft: nothing happens to anyone until it is started."""
    now = utcnow()
    _check_dates(data, now=now)
    exp = Experiment(
        municipality_id=actor.municipality_id,
        status="draft",
        salt=secrets.token_hex(16),
        created_by=actor.user_id,
        **{k: data[k] for k in EDITABLE},
    )
    session.add(exp)
    session.flush()
    _set_arms(session, exp, data["arms"])
    return detail(session, actor=actor, experiment_id=exp.id)


def update_draft(
    session: Session, *, actor: Actor, experiment_id: uuid.UUID, data: dict[str, Any]
) -> dict[str, Any]:
    """Change a draft; once started the pre-registration is frozen (409)."""
    exp = _own(session, actor, experiment_id, lock=True)
    if exp.status != "draft":
        raise Conflict("The experiment has started: its pre-registration can no longer change.")
    merged = {k: data.get(k, getattr(exp, k)) for k in EDITABLE}
    _check_dates(merged, now=utcnow())
    for k in EDITABLE:
        setattr(exp, k, merged[k])
    if "arms" in data:
        _set_arms(session, exp, data["arms"])
    session.flush()
    return detail(session, actor=actor, experiment_id=exp.id)


def list_experiments(session: Session, *, actor: Actor, limit: int, cursor: str | None) -> Page:
    """The municipality's experiments, newest first."""
    page = keyset_page(
        session,
        select(Experiment).where(Experiment.municipality_id == actor.municipality_id),
        order=(Experiment.created_at.desc(), Experiment.id.desc()),
        limit=limit,
        cursor=cursor,
    )
    arms: dict[uuid.UUID, list[ExperimentArm]] = {}
    ids = [e.id for e in page.items]
    for arm in session.scalars(
        select(ExperimentArm)
        .where(ExperimentArm.experiment_id.in_(ids))
        .order_by(ExperimentArm.is_control.desc(), ExperimentArm.key)
    ):
        arms.setdefault(arm.experiment_id, []).append(arm)
    return Page([_view(e, arms.get(e.id, [])) for e in page.items], page.next_cursor)


def _view(exp: Experiment, arms: list[ExperimentArm], **more: Any) -> dict[str, Any]:
    out = {c: getattr(exp, c) for c in (*EDITABLE, "id", "status", "created_at", "started_at")}
    out.update(
        stopped_at=exp.stopped_at,
        stop_reason=exp.stop_reason,
        registration=exp.registration,
        arms=[
            {
                "id": a.id,
                "key": a.key,
                "name": a.name,
                "weight": a.weight,
                "is_control": a.is_control,
                "treatment": Treatment.from_stored(a.treatment),
                "stopped_at": a.stopped_at,
                "stop_reason": a.stop_reason,
            }
            for a in arms
        ],
        **more,
    )
    return out


def detail(session: Session, *, actor: Actor, experiment_id: uuid.UUID) -> dict[str, Any]:
    """The experiment; before start with the power calculation on today's eligible people."""
    exp = _own(session, actor, experiment_id)
    arms = _arms(session, exp.id)
    power: dict[str, Any] | None
    if exp.status == "draft":
        power = reporting.power(session, exp, arms, now=utcnow())
    else:
        power = (exp.registration or {}).get("power")
    enrolled = session.scalar(
        select(func.count()).select_from(Assignment).where(Assignment.experiment_id == exp.id)
    )
    return _view(exp, arms, power=power, enrolled=enrolled)


def start(session: Session, *, actor: Actor, experiment_id: uuid.UUID) -> dict[str, Any]:
    """Freeze the pre-registration, enrol everyone eligible now; the planners use the arms."""
    exp = _own(session, actor, experiment_id, lock=True)
    if exp.status != "draft":
        raise Conflict("An experiment that is {status} cannot be started.", status=exp.status)
    now = utcnow()
    _check_dates({"planned_end": exp.planned_end, "enrol_until": exp.enrol_until}, now=now)
    arms = _arms(session, exp.id)
    power = reporting.power(session, exp, arms, now=now)
    exp.registration = {
        "frozen_at": now.isoformat(),
        "hypothesis": exp.hypothesis,
        "primary_outcome": exp.primary_outcome,
        "secondary_outcomes": list(exp.secondary_outcomes),
        "horizon_days": exp.horizon_days,
        "strata": list(exp.strata),
        "eligibility": exp.eligibility,
        "guardrails": exp.guardrails,
        "arms": [
            {"key": a.key, "weight": a.weight, "is_control": a.is_control, "treatment": a.treatment}
            for a in arms
        ],
        "analysis": reporting.ANALYSIS,
        "planned_sample_size": power["planned_sample_size"],
        "power": power,
    }
    exp.status = "running"
    exp.started_at = now
    session.flush()
    enrol(session, exp, arms, now=now)
    return detail(session, actor=actor, experiment_id=exp.id)


def stop(session: Session, *, actor: Actor, experiment_id: uuid.UUID) -> dict[str, Any]:
    """Stop now: everyone gets the current policy again; the report stays by assigned arm."""
    exp = _own(session, actor, experiment_id, lock=True)
    if exp.status != "running":
        raise Conflict("An experiment that is {status} cannot be stopped.", status=exp.status)
    _end(exp, "stopped", "by_admin", utcnow())
    session.flush()
    return detail(session, actor=actor, experiment_id=exp.id)


def _end(exp: Experiment, status: str, reason: str, now: datetime) -> None:
    exp.status = status
    exp.stopped_at = now
    exp.stop_reason = reason


def get_report(
    session: Session, *, actor: Actor, experiment_id: uuid.UUID, language: str = "nl"
) -> dict[str, Any]:
    """The report by assigned arm (aggregates only; cells under 10 withheld); its summary in
    `language`."""
    exp = _own(session, actor, experiment_id)
    if exp.status == "draft":
        raise Conflict("A draft has no report yet; start the experiment first.")
    return reporting.report(session, exp, _arms(session, exp.id), now=utcnow(), language=language)


def export(session: Session, *, actor: Actor, experiment_id: uuid.UUID) -> dict[str, Any]:
    """Per-person rows for researchers: pseudonyms, arm, strata, outcomes; audited per person."""
    exp = _own(session, actor, experiment_id)
    if exp.status == "draft":
        raise Conflict("A draft has nothing to export yet.")
    rows = reporting.export_rows(session, exp, _arms(session, exp.id), now=utcnow())
    record_many(
        session,
        actor=actor,
        subject_ids=[r.pop("user_id") for r in rows],
        action="read",
        object_type="experiment_export",
        purpose=N_("pseudonymised research export"),
    )
    return {"experiment_id": exp.id, "rows": rows}


# --------------------------------------------------------------------------- the person


def _language(session: Session, user_id: uuid.UUID) -> str:
    profile = session.get(RecipientProfile, user_id)
    return profile.preferred_language if profile else "nl"


def describe(treatment: Treatment, language: str) -> list[str]:
    """What differs for a person in this arm, in B1 words."""
    if treatment.is_policy:
        return [say(language, "me.control")]
    out = []
    for change in treatment.changes():
        if change == "cap" and treatment.max_per_week == 0:
            out.append(say(language, "me.cap_zero"))
        else:
            out.append(say(language, f"me.{change}", count=treatment.max_per_week))
    return out


def my_experiments(session: Session, *, actor: Actor) -> list[dict[str, Any]]:
    """The experiments I am in, what differs for me, and whether I left."""
    lang = _language(session, actor.user_id)
    rows = session.execute(
        select(Assignment, Experiment, ExperimentArm)
        .join(Experiment, Experiment.id == Assignment.experiment_id)
        .join(ExperimentArm, ExperimentArm.id == Assignment.arm_id)
        .where(Assignment.user_id == actor.user_id)
        .order_by(Assignment.assigned_at.desc())
    ).all()
    out = []
    for a, exp, arm in rows:
        running = exp.status == "running"
        if a.opted_out_at is not None:
            differs = [say(lang, "me.opted_out")]
        elif not running or arm.stopped_at is not None:
            differs = [say(lang, "me.ended")]
        else:
            differs = describe(Treatment.from_stored(arm.treatment), lang)
        out.append(
            {
                "id": exp.id,
                "name": exp.name,
                "status": exp.status,
                "about": say(lang, "me.about"),
                "what_differs": differs,
                "enrolled_at": a.assigned_at,
                "opted_out_at": a.opted_out_at,
                "can_opt_out": running and a.opted_out_at is None,
                "opt_out_hint": say(lang, "me.opt_out_hint") if running else None,
            }
        )
    return out


def opt_out(session: Session, *, actor: Actor, experiment_id: uuid.UUID) -> dict[str, Any]:
    """Leave: from now on the current policy; the analysis keeps me in my assigned arm."""
    a = session.get(Assignment, (experiment_id, actor.user_id), with_for_update=True)
    if a is None:
        raise NotFound()
    if a.opted_out_at is None:
        a.opted_out_at = utcnow()
        record(
            session,
            actor=actor,
            subject_id=actor.user_id,
            action="update",
            object_type="experiment_assignment",
            object_id=str(experiment_id),
            purpose=N_("opted out of an experiment"),
        )
        session.flush()
    mine = [e for e in my_experiments(session, actor=actor) if e["id"] == experiment_id]
    return mine[0]


# --------------------------------------------------------------------------- the job


def run_due(session: Session, *, now: datetime) -> dict[str, Any]:
    """Every running experiment: end at the planned end, enrol newcomers, apply guardrails."""
    stats = {"finished": 0, "enrolled": 0, "arms_stopped": 0, "stopped": 0}
    running = session.scalars(
        select(Experiment)
        .where(Experiment.status == "running")
        .order_by(Experiment.id)
        .with_for_update()
    ).all()
    for exp in running:
        if exp.planned_end <= now:
            _end(exp, "finished", "planned_end", now)
            stats["finished"] += 1
            continue
        arms = _arms(session, exp.id)
        if now < exp.enrol_until:
            stats["enrolled"] += enrol(session, exp, arms, now=now)
        for arm_id, metric in reporting.breached(session, exp, arms, now=now).items():
            session.execute(
                update(ExperimentArm)
                .where(ExperimentArm.id == arm_id)
                .values(stopped_at=now, stop_reason=f"guardrail:{metric}")
            )
            stats["arms_stopped"] += 1
        session.flush()
        session.expire_all()
        left = [a for a in _arms(session, exp.id) if not a.is_control and a.stopped_at is None]
        if not left:
            _end(exp, "stopped", "guardrails", now)
            stats["stopped"] += 1
    session.flush()
    return stats
