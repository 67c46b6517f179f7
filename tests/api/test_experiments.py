"""Experiments on nudge strategies over the API: pre-register, start, plan, outcomes, report."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.audit.models import AuditEvent
from api.core.time import local_date
from api.experiments.models import Assignment, Exposure
from api.experiments.service import run_due
from api.nudges.dispatcher import dispatch_batch
from api.nudges.models import InboxMessage, Nudge
from api.nudges.outbox import PlanStats
from api.nudges.planners import run_planners
from api.nudges.providers import PushDevice, PushMessage, PushOutcome
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
        "enrolUntil": (now + timedelta(days=30)).date().isoformat(),
        "plannedEnd": (now + timedelta(days=120)).date().isoformat(),
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


class Recorder:
    """A push provider that remembers which tokens it pushed to."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    def send(self, devices: Sequence[PushDevice], message: PushMessage) -> PushOutcome:
        self.sent.append({"tokens": [d.token for d in devices], "title": message.title})
        return PushOutcome(delivered=[d.token for d in devices])


def _activate(session: Session, people: list[User], team: Any, at: datetime) -> None:
    from tests.factories import create_match, create_opportunity

    opp = create_opportunity(session, team=team, capacity=100, title="Taalcafé")
    for p in people:
        steps = ("requested", "approved", "active")
        history = [(s, at + timedelta(seconds=i)) for i, s in enumerate(steps)]
        create_match(session, person=p, opportunity=opp, history=history)


def test_an_experiment_end_to_end(app, client: FlaskClient, session: Session):
    """Create, start, planners use the arms, exposure is logged, outcomes happen, report."""
    from api.nudges.models import Device
    from tests.factories import create_team

    w = _people(session, n=80)
    h = auth_headers(app, session, w["admin"])
    exp = client.post(BASE, json=_body(), headers=h).get_json()
    started = client.post(f"{BASE}/{exp['id']}/start", headers=h).get_json()
    assert started["enrolled"] == 80
    arms = {a["key"]: uuid.UUID(a["id"]) for a in started["arms"]}
    arm_of = {
        a.user_id: a.arm_id
        for a in session.scalars(
            select(Assignment).where(Assignment.experiment_id == uuid.UUID(exp["id"]))
        )
    }
    sizes = Counter(arm_of.values())
    assert abs(sizes[arms["control"]] - sizes[arms["norm"]]) <= 6  # within one block a stratum

    # Everyone starts an activity and has a phone; the check-in planner runs.
    now = datetime.now(UTC)
    team = create_team(session, municipality=w["mun"])
    _activate(session, w["people"], team, now)
    for p in w["people"]:
        session.add(Device(user_id=p.id, platform="android", push_token=f"tok-{p.id}"))
    session.flush()
    stats = PlanStats.empty()
    run_planners(session, "checkin_prompts", now=now, stats=stats)
    assert stats.created["checkin_prompt"] == 80
    nudges = {n.user_id: n for n in session.scalars(select(Nudge).where(Nudge.user_id.in_(arm_of)))}
    for uid, nudge in nudges.items():
        if arm_of[uid] == arms["norm"]:
            assert nudge.params["framing"] == "social_norm" and nudge.params["channel"] == "inbox"
        else:
            assert "framing" not in nudge.params and "channel" not in nudge.params
    exposures = session.scalars(select(Exposure).where(Exposure.user_id.in_(arm_of))).all()
    assert len(exposures) == 80 and {e.outcome for e in exposures} == {"given"}

    # Delivered: the norm arm reads other words, in the inbox only (no push).
    recorder = Recorder()
    dispatch_batch(session, now=now + timedelta(days=1), provider=recorder, limit=500)
    pushed = {t for s in recorder.sent for t in s["tokens"]}
    inbox = {
        m.user_id: m
        for m in session.scalars(select(InboxMessage).where(InboxMessage.user_id.in_(arm_of)))
    }
    control_person = next(u for u, a in arm_of.items() if a == arms["control"])
    norm_person = next(u for u, a in arm_of.items() if a == arms["norm"])
    assert f"tok-{control_person}" in pushed and f"tok-{norm_person}" not in pushed
    assert inbox[control_person].body != inbox[norm_person].body
    assert "veel mensen" not in inbox[control_person].body.lower()
    assert "de meeste mensen" in inbox[norm_person].body.lower()

    # Outcomes: check-ins; more people in the norm arm report paid work.
    today = local_date(now)  # the window is in Amsterdam days
    ordered = sorted(arm_of, key=str)
    rank_in_arm: Counter[uuid.UUID] = Counter()
    for uid in ordered:
        norm = arm_of[uid] == arms["norm"]
        i = rank_in_arm[arm_of[uid]]  # counted per arm, so no cell falls under 10 by chance
        rank_in_arm[arm_of[uid]] += 1
        paid = (i % 2 == 0) if norm else (i % 3 == 0)
        session.add(
            CheckIn(
                user_id=uid,
                municipality_id=w["mun"].id,
                date=today,
                hours=6 if norm else 4,
                wellbeing=4,
                steps_toward_work=["started_paid_work"] if paid else [],
            )
        )
    session.flush()
    report = client.get(f"{BASE}/{exp['id']}/report", headers={**h, "Accept-Language": "en"})
    assert report.status_code == 200, report.get_json()
    assert report.headers["Content-Language"] == "en"
    assert "Accept-Language" in report.headers["Vary"]
    r = report.get_json()
    assert [a["n"] for a in r["arms"]] == [sizes[arms["control"]], sizes[arms["norm"]]]
    assert r["sampleRatio"]["flagged"] is False
    assert {a["exposureRate"] for a in r["arms"]} == {1.0}
    primary = r["outcomes"][0]
    assert primary["outcome"] == "started_paid_work" and primary["primary"]
    control_cell, norm_cell = primary["arms"]
    assert control_cell["difference"] is None  # control is the reference
    assert abs(norm_cell["difference"] - (norm_cell["value"] - control_cell["value"])) < 1e-9
    assert norm_cell["ciLow"] < norm_cell["difference"] < norm_cell["ciHigh"]
    assert 0 <= norm_cell["pHolm"] <= 1
    hours = next(o for o in r["outcomes"] if o["outcome"] == "hours_per_month")
    assert hours["arms"][1]["difference"] > 0
    assert "Cells under 10 people are withheld." in r["analysis"]
    summary = " ".join(r["summary"])
    assert "still running" in summary
    if norm_cell["ciLow"] <= 0 <= norm_cell["ciHigh"]:
        assert "no winner" in summary
    # Without Accept-Language (or one we lack) the summary is in Dutch, like the rest of the API.
    for asked in ({}, {"Accept-Language": "fr"}):
        dutch = client.get(f"{BASE}/{exp['id']}/report", headers={**h, **asked})
        assert dutch.headers["Content-Language"] == "nl"
        assert "Het experiment loopt nog" in " ".join(dutch.get_json()["summary"])
        assert "Groepen onder 10 mensen worden niet getoond." in dutch.get_json()["analysis"]
        assert dutch.get_json()["arms"] == r["arms"]  # only the words differ
    # Export: pseudonyms only, audited per person.
    export = client.get(f"{BASE}/{exp['id']}/export", headers=h).get_json()
    assert len(export["rows"]) == 80
    text = str(export)
    assert all(
        str(p.id) not in text and p.name not in text and (p.email or "@") not in text
        for p in w["people"]
    )
    assert set(export["rows"][0]["outcomes"]) == {
        "started_paid_work",
        "hours_per_month",
        "wellbeing_change",
    }
    seen = session.scalars(
        select(AuditEvent.subject_id).where(AuditEvent.object_type == "experiment_export")
    ).all()
    assert set(seen) == set(arm_of)


def test_person_sees_what_differs_and_may_opt_out_guardrail_stops_the_arm(app, client, session):
    w = _people(session, n=40)
    h = auth_headers(app, session, w["admin"])
    exp = client.post(BASE, json=_body(), headers=h).get_json()
    started = client.post(f"{BASE}/{exp['id']}/start", headers=h).get_json()
    arms = {a["key"]: uuid.UUID(a["id"]) for a in started["arms"]}
    rows = session.scalars(
        select(Assignment).where(Assignment.experiment_id == uuid.UUID(exp["id"]))
    )
    norm_people = [a.user_id for a in rows if a.arm_id == arms["norm"]]
    people = {p.id: p for p in w["people"]}
    first = people[norm_people[0]]
    mine = client.get("/v1/me/experiments", headers=auth_headers(app, session, first)).get_json()
    item = mine["items"][0]
    assert item["canOptOut"] is True
    assert any("inbox" in t for t in item["whatDiffers"])
    assert "rechten" in item["about"] and "uitkering" in item["about"]
    export = client.get("/v1/me/export", headers=auth_headers(app, session, first)).get_json()
    assert [e["id"] for e in export["experiments"]] == [exp["id"]]
    # Half of the norm arm opts out: past the 30% guardrail.
    for uid in norm_people[:12]:
        resp = client.post(
            f"/v1/me/experiments/{exp['id']}/opt-out",
            headers=auth_headers(app, session, people[uid]),
        )
        assert resp.status_code == 200 and resp.get_json()["canOptOut"] is False
    other = next(p for p in w["people"] if p.id not in norm_people)
    missing = client.post(
        f"/v1/admin/experiments/{exp['id']}/stop", headers=auth_headers(app, session, other)
    )
    assert missing.status_code == 403
    stats = run_due(session, now=datetime.now(UTC))
    assert stats["arms_stopped"] == 1 and stats["stopped"] == 1
    detail = client.get(f"{BASE}/{exp['id']}", headers=h).get_json()
    assert detail["status"] == "stopped"
    assert (
        next(a for a in detail["arms"] if a["key"] == "norm")["stopReason"] == "guardrail:opt_out"
    )
    # The admin is told in their inbox.
    run_planners(session, "experiment_notes", now=datetime.now(UTC), stats=PlanStats.empty())
    told = session.scalars(
        select(Nudge).where(Nudge.user_id == w["admin"].id, Nudge.kind == "experiment_guardrail")
    ).all()
    assert len(told) == 1
    report = client.get(
        f"{BASE}/{exp['id']}/report", headers={**h, "Accept-Language": "en-GB, nl;q=0.5"}
    ).get_json()
    norm_row = next(a for a in report["arms"] if a["key"] == "norm")
    assert norm_row["optedOut"] == 12 and norm_row["n"] == len(norm_people)  # still in their arm
    assert any("safety limit" in line for line in report["summary"])


def test_planned_end_finishes_the_experiment(app, client, session):
    w = _people(session, n=12)
    h = auth_headers(app, session, w["admin"])
    exp = client.post(BASE, json=_body(), headers=h).get_json()
    client.post(f"{BASE}/{exp['id']}/start", headers=h)
    later = datetime.fromisoformat(exp["plannedEnd"]) + timedelta(minutes=1)
    assert run_due(session, now=later)["finished"] == 1
    detail = client.get(f"{BASE}/{exp['id']}", headers=h).get_json()
    assert detail["status"] == "finished" and detail["stopReason"] == "planned_end"
    assert client.post(f"{BASE}/{exp['id']}/stop", headers=h).status_code == 409


def test_an_arm_withholds_a_kind_asks_the_coach_and_sets_the_day(app, client, session):
    """Kinds off are withheld (and logged as exposure); the coach is asked to get in touch."""
    from tests.factories import create_team

    w = _people(session, n=20)
    h = auth_headers(app, session, w["admin"])
    arms = [
        {"key": "control", "name": "Zoals nu", "weight": 1, "isControl": True},
        {
            "key": "quiet",
            "name": "Rustig",
            "weight": 1,
            "treatment": {"kindsOff": ["checkin_prompt"], "coachPrompt": True, "weekday": 3},
        },
    ]
    exp = client.post(BASE, json=_body(arms=arms, strata=[]), headers=h).get_json()
    started = client.post(f"{BASE}/{exp['id']}/start", headers=h).get_json()
    quiet = next(uuid.UUID(a["id"]) for a in started["arms"] if a["key"] == "quiet")
    arm_of = {
        a.user_id: a.arm_id
        for a in session.scalars(select(Assignment).where(Assignment.arm_id.is_not(None)))
        if str(a.experiment_id) == exp["id"]
    }
    now = datetime.now(UTC)
    _activate(session, w["people"], create_team(session, municipality=w["mun"]), now)
    run_planners(session, "checkin_prompts", now=now, stats=PlanStats.empty())
    run_planners(session, "experiment_notes", now=now, stats=PlanStats.empty())
    prompts = session.scalars(select(Nudge).where(Nudge.kind == "checkin_prompt")).all()
    by_user = {n.user_id: n for n in prompts if n.user_id in arm_of}
    for uid, arm in arm_of.items():
        nudge = by_user[uid]
        if arm == quiet:
            assert nudge.status == "dropped" and nudge.drop_reason == "experiment"
        else:
            assert nudge.status == "pending"
    withheld = session.scalars(
        select(Exposure).where(Exposure.outcome == "withheld", Exposure.kind == "checkin_prompt")
    ).all()
    assert {e.user_id for e in withheld} == {u for u, a in arm_of.items() if a == quiet}
    asked = session.scalars(select(Nudge).where(Nudge.kind == "experiment_coach_prompt")).all()
    assert {n.period.split(":")[1] for n in asked} == {
        str(u) for u, a in arm_of.items() if a == quiet
    }
    assert all(n.user_id in {c.id for c in w["coaches"]} for n in asked)
    # Once per person: a second run asks nobody again.
    again = PlanStats.empty()
    run_planners(session, "experiment_notes", now=now, stats=again)
    assert again.created == {}
