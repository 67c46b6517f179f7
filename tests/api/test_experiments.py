"""Experiments on nudge strategies over the API: pre-register, start, plan, outcomes, report."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.audit.models import AuditEvent
from api.experiments.models import Assignment, Exposure
from api.experiments.service import run_due
from api.nudges.models import InboxMessage, Nudge
from api.nudges.dispatcher import dispatch_batch
from api.nudges.outbox import PlanStats
from api.nudges.planners import run_planners
from api.nudges.providers import LogPushProvider
from api.progress.models import CheckIn
from api.users.models import User
from tests.factories import (
    auth_headers,
    create_municipality,
    create_profile,
    create_user,
)

BASE = "/v1/admin/experiments"


def _people(session: Session, n: int = 60) -> dict[str, Any]:
    mun = create_municipality(session)
    admin = create_user(session, municipality=mun, role="admin")
    coaches = [create_user(session, municipality=mun, role="coach") for _ in range(2)]
    people = []
    for i in range(n):
        person = create_user(session, municipality=mun, coach=coaches[i % 2])
        create_profile(session, user=person, ladder_step=1 + i % 3)
        people.append(person)
    return {"mun": mun, "admin": admin, "coaches": coaches, "people": people}


def _body(**over: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    body = {
        "name": "Toon van de wekelijkse tips",
        "hypothesis": "Een sociale-normtoon laat meer mensen een activiteit beginnen.",
        "arms": [
            {"key": "control", "name": "Zoals nu", "weight": 1, "isControl": True},
            {
                "key": "norm",
                "name": "Sociale norm",
                "weight": 1,
                "treatment": {"framing": "social_norm", "channel": "inbox"},
            },
        ],
        "eligibility": {"withCoach": True},
        "strata": ["ladder_step", "coach"],
        "primaryOutcome": "started_paid_work",
        "horizonDays": 60,
        "secondaryOutcomes": ["hours_per_month", "wellbeing_change"],
        "guardrails": [{"metric": "opt_out", "threshold": 0.3}],
        "enrolUntil": (now + timedelta(days=30)).isoformat(),
        "plannedEnd": (now + timedelta(days=120)).isoformat(),
        "dpiaReference": "DPIA-2026-07",
        "ethicsReference": "METC-2026-113",
    }
    body.update(over)
    return body


def test_create_shows_power_and_refuses_edits_after_start(app, client: FlaskClient, session):
    w = _people(session)
    h = auth_headers(app, session, w["admin"])
    created = client.post(BASE, json=_body(), headers=h)
    assert created.status_code == 201, created.get_json()
    exp = created.get_json()
    assert exp["status"] == "draft"
    assert exp["power"]["eligible"] == 60
    assert exp["power"]["perArm"] == {"control": 30, "norm": 30}
    assert exp["power"]["mde"] is not None and exp["power"]["mde"] > 0
    assert exp["arms"][1]["treatment"]["framing"] == "social_norm"

    changed = client.patch(f"{BASE}/{exp['id']}", json={"name": "Nieuwe naam"}, headers=h)
    assert changed.status_code == 200 and changed.get_json()["name"] == "Nieuwe naam"

    started = client.post(f"{BASE}/{exp['id']}/start", headers=h)
    assert started.status_code == 200, started.get_json()
    body = started.get_json()
    assert body["status"] == "running" and body["enrolled"] == 60
    assert body["registration"]["primaryOutcome"] == "started_paid_work"
    assert body["registration"]["plannedSampleSize"] == 60

    again = client.patch(f"{BASE}/{exp['id']}", json={"horizonDays": 10}, headers=h)
    assert again.status_code == 409
    assert client.post(f"{BASE}/{exp['id']}/start", headers=h).status_code == 409


def test_an_arm_cannot_change_anything_but_how_nudges_are_given(app, client, session):
    w = _people(session, n=2)
    h = auth_headers(app, session, w["admin"])
    for treatment in (
        {"allowanceEur": 150},
        {"autoApprove": True},
        {"framing": "sanction"},
        {"matchingWeights": {"distance": 0}},
    ):
        arms = [
            {"key": "control", "name": "Zoals nu", "weight": 1, "isControl": True},
            {"key": "b", "name": "B", "weight": 1, "treatment": treatment},
        ]
        resp = client.post(BASE, json=_body(arms=arms), headers=h)
        assert resp.status_code == 400, treatment
    no_control = [{"key": "a", "name": "A", "weight": 1}, {"key": "b", "name": "B", "weight": 1}]
    resp = client.post(BASE, json=_body(arms=no_control), headers=h)
    assert resp.status_code == 400
    assert resp.get_json()["invalidParams"][0]["name"] == "arms"
    changed_control = [
        {"key": "c", "name": "C", "weight": 1, "isControl": True, "treatment": {"framing": "gain"}},
        {"key": "b", "name": "B", "weight": 1},
    ]
    assert client.post(BASE, json=_body(arms=changed_control), headers=h).status_code == 400


def test_assignment_is_stable_balanced_within_strata_and_audited(app, client, session):
    w = _people(session, n=60)
    h = auth_headers(app, session, w["admin"])
    exp_id = client.post(BASE, json=_body(), headers=h).get_json()["id"]
    client.post(f"{BASE}/{exp_id}/start", headers=h)
    rows = session.scalars(
        select(Assignment).where(Assignment.experiment_id == uuid.UUID(exp_id))
    ).all()
    first = {a.user_id: a.arm_id for a in rows}
    assert len(first) == 60
    by_stratum: dict[str, Counter[uuid.UUID]] = {}
    for a in rows:
        by_stratum.setdefault(a.stratum, Counter())[a.arm_id] += 1
    assert len(by_stratum) == 6  # 3 ladder steps x 2 coaches
    for counts in by_stratum.values():
        assert max(counts.values()) - min(counts.values() or [0]) <= 1
        assert sum(counts.values()) == 10
    # Enrolment runs again (the job): nobody moves, nobody is added twice.
    run_due(session, now=datetime.now(UTC))
    again = session.scalars(
        select(Assignment).where(Assignment.experiment_id == uuid.UUID(exp_id))
    ).all()
    assert {a.user_id: a.arm_id for a in again} == first
    # A newcomer during the enrolment window is enrolled by the job and balanced in.
    newcomer = create_user(session, municipality=w["mun"], coach=w["coaches"][0])
    create_profile(session, user=newcomer, ladder_step=1)
    assert run_due(session, now=datetime.now(UTC))["enrolled"] == 1
    audit = session.scalars(
        select(AuditEvent).where(
            AuditEvent.subject_id == newcomer.id, AuditEvent.object_type == "experiment_assignment"
        )
    ).all()
    assert len(audit) == 1 and audit[0].actor_role == "system"


def test_foreign_experiment_is_404(app, client, session):
    w = _people(session, n=2)
    other = create_municipality(session)
    other_admin = create_user(session, municipality=other, role="admin")
    exp_id = client.post(BASE, json=_body(), headers=auth_headers(app, session, w["admin"]))
    exp_id = exp_id.get_json()["id"]
    h = auth_headers(app, session, other_admin)
    assert client.get(f"{BASE}/{exp_id}", headers=h).status_code == 404
    assert client.post(f"{BASE}/{exp_id}/start", headers=h).status_code == 404
    assert client.get(BASE, headers=h).get_json()["items"] == []
