"""Refused attempts, failed sign-ins and invitations are in the audit trail; the person sees them."""

from __future__ import annotations

import ast
import pathlib
import uuid
from typing import Any

import pytest
from flask import Blueprint
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from api.app import create_app
from api.audit.models import AuditEvent
from api.audit.service import audit_denied
from api.auth.security import Actor
from api.config import Settings
from api.db import get_session
from api.errors import NotFound
from api.nudges.models import InboxMessage
from api.users.models import User
from tests.factories import (
    PASSWORD,
    auth_headers,
    create_municipality,
    create_profile,
    create_user,
)

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture()
def w(app, session: Session) -> dict[str, Any]:
    m = create_municipality(session)
    other_m = create_municipality(session)
    coach = create_user(session, municipality=m, role="coach", name="Sanne de Wit")
    nosy = create_user(session, municipality=m, role="coach", name="Kees Nieuwsgierig")
    foreign = create_user(session, municipality=other_m, role="coach", name="Vera Elders")
    person = create_user(
        session,
        municipality=m,
        role="recipient",
        name="Amina Benali",
        email="amina.audit@example.org",
        coach=coach,
    )
    create_profile(session, user=person)
    return {
        "m": m,
        "other_m": other_m,
        "coach": coach,
        "nosy": nosy,
        "foreign": foreign,
        "person": person,
        "h": auth_headers(app, session, person),
        "ch": auth_headers(app, session, coach),
        "nh": auth_headers(app, session, nosy),
        "fh": auth_headers(app, session, foreign),
        "ah": auth_headers(app, session, create_user(session, municipality=m, role="admin")),
        "fah": auth_headers(app, session, create_user(session, municipality=other_m, role="admin")),
    }


def _denied(session: Session, **where: Any) -> list[AuditEvent]:
    session.expire_all()
    stmt = select(AuditEvent).where(AuditEvent.result == "denied").order_by(AuditEvent.at)
    for key, value in where.items():
        stmt = stmt.where(getattr(AuditEvent, key) == value)
    return list(session.scalars(stmt))


def test_a_coach_refused_someone_elses_person_is_in_that_persons_access_log(
    client, session: Session, w
) -> None:
    pid = w["person"].id
    resp = client.get(f"/v1/caseload/{pid}", headers=w["nh"])
    assert resp.status_code == 404
    # the request rolled back (404), yet the denial is kept
    [row] = _denied(session, actor_id=w["nosy"].id)
    assert (row.subject_id, row.municipality_id, row.object_id) == (pid, w["m"].id, str(pid))
    assert (row.action, row.object_type, row.actor_name) == (
        "read",
        "caseload_person",
        "Kees Nieuwsgierig",
    )
    assert row.origin == "GET /v1/caseload/<uuid:recipient_id>"
    write = client.post(f"/v1/caseload/{pid}/ladder-assessments", json={"step": 4}, headers=w["nh"])
    assert write.status_code == 404
    assert {(r.action, r.object_type) for r in _denied(session, actor_id=w["nosy"].id)} == {
        ("read", "caseload_person"),
        ("create", "ladder_assessment"),
    }
    erase = client.delete(f"/v1/caseload/{pid}", headers=w["nh"])
    assert erase.status_code == 404
    [erasure] = _denied(session, actor_id=w["nosy"].id, action="delete")
    assert (erasure.subject_id, erasure.object_type) == (pid, "person")
    # the person sees who tried, when and that it was refused
    log = client.get("/v1/me/access-log", headers=w["h"]).get_json()["items"]
    assert {(e["actorName"], e["action"], e["result"]) for e in log} == {
        ("Kees Nieuwsgierig", "read", "denied"),
        ("Kees Nieuwsgierig", "create", "denied"),
        ("Kees Nieuwsgierig", "delete", "denied"),
    }
    export = client.get("/v1/me/export", headers=w["h"]).get_json()
    assert {e["result"] for e in export["accessLog"]} == {"denied"}
    # the admin can list what was refused
    admin = client.get(f"/v1/admin/audit?result=denied&subjectId={pid}", headers=w["ah"])
    assert admin.status_code == 200 and len(admin.get_json()["items"]) == 3
    assert client.get("/v1/admin/audit?result=maybe", headers=w["ah"]).status_code == 400
    # the own coach reads as usual: a success, not a denial
    assert client.get(f"/v1/caseload/{pid}", headers=w["ch"]).status_code == 200
    assert _denied(session, actor_id=w["coach"].id) == []


def test_a_refusal_across_municipalities_names_nobody(client, session: Session, w) -> None:
    pid = w["person"].id
    assert client.get(f"/v1/caseload/{pid}", headers=w["fh"]).status_code == 404
    assert client.delete(f"/v1/admin/users/{pid}", headers=w["fah"]).status_code == 404
    rows = _denied(session, municipality_id=w["other_m"].id)
    assert {(r.actor_role, r.action) for r in rows} == {("coach", "read"), ("admin", "delete")}
    # kept in the actor's municipality, without the person or the id they asked for
    assert all(r.subject_id is None and r.object_id is None for r in rows)
    # an id that never existed leaves the same kind of row: the trail cannot tell them apart
    assert client.get(f"/v1/caseload/{uuid.uuid4()}", headers=w["fh"]).status_code == 404
    [foreign] = [r for r in rows if r.action == "read"]
    [ghost] = [
        r
        for r in _denied(session, municipality_id=w["other_m"].id, action="read")
        if r.id != foreign.id
    ]
    assert foreign.actor_name == "Vera Elders"
    assert (ghost.subject_id, ghost.object_id, ghost.object_type) == (
        foreign.subject_id,
        foreign.object_id,
        foreign.object_type,
    )
    # neither the person nor their admin sees the foreign coach
    assert client.get("/v1/me/access-log", headers=w["h"]).get_json()["items"] == []
    own_admin = client.get("/v1/admin/audit?result=denied", headers=w["ah"]).get_json()
    assert own_admin["items"] == []
    foreign_admin = client.get("/v1/admin/audit?result=denied", headers=w["fah"]).get_json()
    assert len(foreign_admin["items"]) == 3
    assert str(pid) not in str(foreign_admin)


def test_failed_sign_ins_are_kept_against_the_account_never_the_password(
    client, session: Session, w
) -> None:
    wrong = "not-my-password-42"
    resp = client.post(
        "/v1/auth/login", json={"email": "Amina.Audit@example.org", "password": wrong}
    )
    assert resp.status_code == 401
    [row] = _denied(session, action="sign_in", subject_id=w["person"].id)
    assert (row.subject_id, row.municipality_id) == (w["person"].id, w["m"].id)
    assert (row.actor_id, row.actor_role, row.object_type) == (None, "anonymous", "account")
    assert row.origin == "POST /v1/auth/login"
    stored = " ".join(str(v) for v in vars(row).values())
    assert wrong not in stored and "amina.audit" not in stored.lower()
    # unknown address: no subject, no municipality, and the typed address is not kept
    typo = "amina.adit@example.org"
    # (live-server tests elsewhere commit anonymous denials of their own: count ours)
    before = _denied(session, action="sign_in", subject_id=None)
    assert client.post("/v1/auth/login", json={"email": typo, "password": wrong}).status_code == 401
    after = _denied(session, action="sign_in", subject_id=None)
    [unknown] = [r for r in after if r.id not in {b.id for b in before}]
    assert (unknown.subject_id, unknown.municipality_id) == (None, None)
    assert typo not in " ".join(str(v) for v in vars(unknown).values())
    # an account that is switched off: kept against it too
    off = create_user(session, municipality=w["m"], active=False)
    assert (
        client.post("/v1/auth/login", json={"email": off.email, "password": PASSWORD}).status_code
        == 401
    )
    assert len(_denied(session, action="sign_in", subject_id=off.id)) == 1
    # a good sign-in leaves no denial; the person sees the failed one in their access log
    ok = client.post("/v1/auth/login", json={"email": w["person"].email, "password": PASSWORD})
    assert ok.status_code == 200
    assert len(_denied(session, action="sign_in", subject_id=w["person"].id)) == 1
    assert len(_denied(session, action="sign_in", subject_id=None)) == len(after)
    [entry] = client.get("/v1/me/access-log", headers=w["h"]).get_json()["items"]
    assert (entry["action"], entry["result"], entry["actorRole"]) == (
        "sign_in",
        "denied",
        "anonymous",
    )
    admin = client.get("/v1/admin/audit?action=sign_in", headers=w["ah"]).get_json()["items"]
    assert {e["subjectId"] for e in admin} == {str(w["person"].id), str(off.id)}


def test_an_invitation_is_in_the_invited_persons_access_log(client, session: Session, w) -> None:
    resp = client.post(
        "/v1/invitations",
        json={"recipientName": "Fatima El Amrani", "email": "fatima@example.org"},
        headers=w["ch"],
    )
    assert resp.status_code == 201
    rid = resp.get_json()["recipientId"]
    registered = client.post(
        "/v1/auth/register",
        json={
            "inviteCode": resp.get_json()["inviteCode"],
            "email": "fatima@example.org",
            "password": "groene thee met honing",
        },
    )
    assert registered.status_code == 201
    h = {"Authorization": f"Bearer {registered.get_json()['accessToken']}"}
    [entry] = client.get("/v1/me/access-log", headers=h).get_json()["items"]
    assert (entry["actorName"], entry["action"], entry["objectType"], entry["result"]) == (
        "Sanne de Wit",
        "create",
        "invitation",
        "success",
    )
    session.expire_all()
    row = session.scalars(select(AuditEvent).where(AuditEvent.object_type == "invitation")).one()
    assert str(row.subject_id) == rid and row.origin == "POST /v1/invitations"


@pytest.mark.parametrize("failure", ["404", "crash"])
def test_a_denial_outlives_the_rollback_of_its_request(
    engine, connection, session: Session, w, failure: str
) -> None:
    """A handler changes data, notes a denial, then fails: the change goes, the denial stays."""
    app = create_app(
        Settings.from_env({"MEEDOEN_ENV": "test", "RATE_LIMITS": "off"}), engine=engine
    )
    app.extensions["meedoen_sessionmaker"] = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    blp = Blueprint("denied_probe", __name__)

    @blp.route("/v1/probe/<uuid:user_id>", methods=["POST"])
    def probe(user_id: uuid.UUID):
        db_session = get_session()
        person = db_session.get(User, user_id)
        assert person is not None
        person.name = "Changed In A Failed Request"
        db_session.flush()
        actor = Actor(w["nosy"].id, "coach", w["m"].id, None)
        audit_denied(
            db_session, actor=actor, subject_id=user_id, object_type="probe", object_id=user_id
        )
        if failure == "crash":
            raise RuntimeError("after the denial")
        raise NotFound()

    app.register_blueprint(blp)
    resp = app.test_client().post(f"/v1/probe/{w['person'].id}")
    assert resp.status_code == (404 if failure == "404" else 500)
    session.expire_all()
    person = session.get(User, w["person"].id)
    assert person is not None and person.name == "Amina Benali"  # rolled back
    [row] = _denied(session, object_type="probe")  # kept
    assert row.subject_id == w["person"].id and row.origin == "POST /v1/probe/<uuid:user_id>"


def test_denial_outside_a_request_joins_the_callers_transaction(session: Session, w) -> None:
    actor = Actor(w["nosy"].id, "coach", w["m"].id, None)
    audit_denied(
        session,
        actor=actor,
        subject_id=w["person"].id,
        object_type="caseload_person",
        object_id=w["person"].id,
    )
    [row] = _denied(session, actor_id=w["nosy"].id)
    assert row.subject_id == w["person"].id and row.origin is None
    # a recipient who guesses at someone else's object is not named to that person
    guesser = create_user(session, municipality=w["m"], role="recipient")
    audit_denied(
        session,
        actor=Actor(guesser.id, "recipient", w["m"].id, None),
        subject_id=w["person"].id,
        object_type="match",
        object_id="x",
    )
    [guess] = _denied(session, actor_id=guesser.id)
    assert guess.subject_id is None and guess.object_id is None


def test_the_audit_service_does_not_reach_into_the_web_layer() -> None:
    tree = ast.parse((ROOT / "api" / "audit" / "service.py").read_text())
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {
        (node.module or "").split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
    }
    assert "flask" not in imported and "werkzeug" not in imported


def test_a_coach_touching_someone_elses_inbox_message_is_kept(client, session: Session, w) -> None:
    msg = InboxMessage(user_id=w["person"].id, kind="message", title="Hoi", body="Persoonlijk")
    session.add(msg)
    session.flush()
    assert client.post(f"/v1/me/inbox/{msg.id}/read", headers=w["nh"]).status_code == 404
    [row] = _denied(session, object_type="inbox_message")
    assert (row.subject_id, row.action, row.object_id) == (w["person"].id, "update", str(msg.id))
    session.refresh(msg)
    assert msg.read_at is None


def test_a_coach_or_organiser_refused_a_match_is_in_the_persons_access_log(
    client, session: Session, w
) -> None:
    from tests.factories import create_opportunity, create_team

    team = create_team(session, municipality=w["m"])
    other_team = create_team(session, municipality=w["m"])
    outsider = create_user(session, municipality=w["m"], role="organizer", team=other_team)
    opp = create_opportunity(session, team=team, slots=["tue-morning"])
    req = client.post("/v1/me/matches", json={"opportunityId": str(opp.id)}, headers=w["h"])
    assert req.status_code == 201, req.get_json()
    mid = req.get_json()["id"]
    assert client.post(f"/v1/matches/{mid}/approve", headers=w["nh"]).status_code == 404
    assert client.post(f"/v1/matches/{mid}/approve", headers=w["fh"]).status_code == 404
    assert client.post(f"/v1/matches/{mid}/approve", headers=w["ch"]).status_code == 200
    oh = auth_headers(client.application, session, outsider)
    assert client.post(f"/v1/matches/{mid}/confirm", headers=oh).status_code == 404
    rows = _denied(session, object_type="match")
    assert {(r.actor_id, r.subject_id) for r in rows} == {
        (w["nosy"].id, w["person"].id),
        (outsider.id, w["person"].id),
        (w["foreign"].id, None),  # another municipality: nobody is named
    }
    foreign_row = next(r for r in rows if r.actor_id == w["foreign"].id)
    assert (foreign_row.municipality_id, foreign_row.object_id) == (w["other_m"].id, None)
    log = client.get("/v1/me/access-log", headers=w["h"]).get_json()["items"]
    denied = {(e["actorName"], e["result"]) for e in log if e["result"] == "denied"}
    assert denied == {("Kees Nieuwsgierig", "denied"), (outsider.name, "denied")}


def test_a_coach_reading_the_weekly_digest_is_in_the_access_log_of_each_person_it_names(
    app, client, session: Session
) -> None:
    """The digest names the first five quiet people: those five see the read, the rest do not."""
    from datetime import UTC, datetime, timedelta

    from api.nudges.dispatcher import dispatch_batch
    from api.nudges.outbox import PlanStats
    from api.nudges.planners import run_planners
    from api.nudges.providers import LogPushProvider

    now = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    m = create_municipality(session)
    coach = create_user(session, municipality=m, role="coach", name="Sanne de Wit")
    people = {}
    for name in ("Noor", "Bram", "Yara", "Ahmed", "Eva", "Lotte", "Daan"):
        person = create_user(session, municipality=m, role="recipient", name=name, coach=coach)
        create_profile(session, user=person)
        person.created_at = now - timedelta(weeks=10)
        people[name] = person
    session.flush()
    run_planners(session, "coach_digests", now=now, stats=PlanStats.empty())
    dispatch_batch(session, now=now + timedelta(days=1), provider=LogPushProvider())

    resp = client.get("/v1/me/inbox", headers=auth_headers(app, session, coach))
    [digest] = resp.get_json()["items"]
    assert "Ahmed, Bram, Daan, Eva, Lotte (+2)" in digest["body"]
    for name, person in people.items():
        log = client.get("/v1/me/access-log", headers=auth_headers(app, session, person))
        reads = [e for e in log.get_json()["items"] if e["objectType"] == "inbox_message"]
        if name in ("Noor", "Yara"):  # counted in "+2", not named
            assert reads == [], name
        else:
            assert [(e["actorName"], e["action"]) for e in reads] == [("Sanne de Wit", "read")]


def _digest_naming(session: Session, coach: User, subjects: list[str]) -> None:
    """A delivered weekly digest in the coach's inbox that keeps these ids."""
    from datetime import UTC, datetime

    from api.nudges.models import Nudge

    nudge = Nudge(
        municipality_id=coach.municipality_id,
        user_id=coach.id,
        kind="coach_digest",
        period="2026-W48",
        language="nl",
        params={"count": len(subjects), "people": "Piet", "subjects": subjects},
        status="delivered",
        due_at=datetime.now(UTC),
    )
    session.add(nudge)
    session.flush()
    session.add(
        InboxMessage(
            user_id=coach.id,
            nudge_id=nudge.id,
            kind="coach_digest",
            title="Wie heeft aandacht nodig",
            body="Piet",
            target_type="caseload",
        )
    )
    session.flush()


def test_erasing_someone_removes_every_digest_that_names_them_even_at_a_former_coach(
    app, client, session: Session, w
) -> None:
    from api.privacy.erasure import erase_person

    piet = create_user(
        session, municipality=w["m"], role="recipient", name="Piet", coach=w["coach"]
    )
    create_profile(session, user=piet)
    _digest_naming(session, w["coach"], [str(piet.id)])
    piet.coach_id = w["nosy"].id  # moved to another coach before the erasure
    session.flush()
    erase_person(session, user_id=piet.id)
    session.flush()
    resp = client.get("/v1/me/inbox", headers=w["ch"])
    assert resp.status_code == 200
    assert resp.get_json()["items"] == []  # the digest that named Piet is gone


def test_an_old_digest_naming_someone_gone_or_elsewhere_names_nobody(
    app, client, session: Session, w
) -> None:
    stranger = create_user(session, municipality=w["other_m"], role="recipient", name="Vreemd")
    _digest_naming(session, w["coach"], [str(uuid.uuid4()), str(stranger.id)])
    resp = client.get("/v1/me/inbox", headers=w["ch"])
    assert resp.status_code == 200 and len(resp.get_json()["items"]) == 1
    session.expire_all()
    assert (
        session.scalars(select(AuditEvent).where(AuditEvent.actor_id == w["coach"].id)).all() == []
    )
