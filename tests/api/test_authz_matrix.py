"""The authorisation matrix: every endpoint x every role (and anonymous) x every object variant.

Product rules encoded here (see /work/shared/API.md and DESIGN.md):
- no token -> 401; a role that may not use an endpoint at all -> 403;
- a recipient sees only their own data, a coach only their caseload (users.coach_id), an
  organiser only their team's opportunities (and approved/active candidates), an admin their
  whole municipality; nobody sees across municipalities;
- an object that is not yours (`foreign`: same municipality, `other_mun`: another one) is 404,
  never 403.

`MATRIX` has one row per (METHOD, url rule) the app serves; `test_matrix_covers_every_endpoint`
fails when an endpoint has no row, so a new endpoint cannot ship without one. Each case gets
a world in the row's states, sends a request with a valid body (so that a 2xx is possible and
any refusal comes from authorisation, not validation) and asserts the status. The worlds (one
per combination of states the rows ask for) are built once per module, in one transaction; each
case runs in a SAVEPOINT inside it that is rolled back afterwards (`savepoint_per_test`), so
every case starts from the same untouched world. Where the app differs from the product rules the case is marked xfail(strict=True) in
`DISCREPANCIES`, with the rule still encoded as the expectation.

`TEXT_PLAIN_CASES` sends every row that takes a JSON body with the same body as text/plain:
401 and 403 stay first (who may not call the operation learns nothing more), every other actor
and variant gets 415, so the media-type check comes before any object lookup and a foreign id
cannot be told apart from an own one by a 404.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from api.admin.schemas import PolicySchema
from api.audit.models import AuditEvent
from api.auth.security import Actor
from api.invitations.service import create_invitation, issue_reset_code
from api.municipalities.models import Municipality, Policy
from api.municipalities.policy import PolicySettings
from api.nudges.models import Device, InboxMessage
from api.plans import lifecycle as plan_lifecycle
from api.plans.models import PlanStep
from api.progress.models import CheckIn
from api.signin import service as signin_service
from api.users.models import User
from tests.conftest import savepoint_per_test
from tests.factories import (
    PASSWORD,
    create_experiment,
    create_match,
    create_municipality,
    create_opportunity,
    create_profile,
    create_team,
    create_user,
)

ROLES = ("recipient", "organizer", "coach", "admin")
ACTORS = ("anonymous", *ROLES)
VARIANTS = ("own", "foreign", "other_mun")

Expect = int | dict[str, int]  # one status, or a status per object variant


# --------------------------------------------------------------------------- table helpers


def by_variant(own: int, foreign: int = 404, other_mun: int = 404) -> dict[str, int]:
    """Status per object variant; by default only the actor's own object exists for them."""
    return {"own": own, "foreign": foreign, "other_mun": other_mun}


def only(**roles: Expect) -> dict[str, Expect]:
    """These roles may use the endpoint; every other role gets 403 and anonymous 401."""
    unknown = set(roles) - set(ROLES)
    assert not unknown, unknown
    return {"anonymous": 401, **{r: roles.get(r, 403) for r in ROLES}}


def signed_in(expect: Expect) -> dict[str, Expect]:
    """Every signed-in role may use the endpoint; anonymous gets 401."""
    return only(**dict.fromkeys(ROLES, expect))


def public(status: int) -> dict[str, Expect]:
    """No sign-in needed."""
    return dict.fromkeys(ACTORS, status)


# --------------------------------------------------------------------------- the world


@dataclass
class World:
    """Two municipalities. In the first: sides A and B (team, organiser, coach, recipient with
    profile, opportunity, match, inbox message, check-in, an audited coach read) and an admin;
    the actor is always the A-side user of their role, so side A is `own`, side B `foreign`.
    The second municipality (side X) holds the same kind of objects (`other_mun`)."""

    users: dict[str, User]
    ids: dict[str, uuid.UUID]
    invite_code: str
    reset_code: str
    # strings that must not appear in a 2xx body of a row that lists them in `hidden`
    markers: dict[str, str] = field(default_factory=dict)

    def actor(self, who: str) -> User:
        """The signed-in user for an actor column (anonymous borrows recipient A's e-mail)."""
        return self.users["recipient_a" if who == "anonymous" else f"{who}_a"]


_HISTORY = {
    "requested": ("requested",),
    "approved": ("requested", "approved"),
    "active": ("requested", "approved", "active"),
    "completed": ("requested", "approved", "active", "completed"),
}


def _experiment(session: Session, mun: Municipality, tag: str, status: str, rec: User) -> Any:
    """An experiment of the municipality in `status`, with `rec` enrolled in its control arm."""
    return create_experiment(
        session, municipality=mun, name=f"Experiment {tag}", status=status, enrolled=[rec]
    )


def build_world(
    session: Session, *, opp_status: str, match_status: str, exp_status: str = "running"
) -> World:
    """Every object the matrix refers to; opportunities and matches in the row's state."""
    start = datetime.now(UTC) - timedelta(days=5)
    m1 = create_municipality(session)
    m2 = create_municipality(session)
    policy_x = session.get(Policy, m2.id)
    assert policy_x is not None
    policy_x.settings = {"allowance_cap_eur_month": 987.65}  # an admin of m1 must never read it
    users: dict[str, User] = {}
    ids: dict[str, uuid.UUID] = {}
    markers = {"policy_x": "987.65"}
    rows: list[Any] = []

    def side(mun: Municipality, tag: str) -> None:
        team = create_team(session, municipality=mun, name=f"Team {tag}")
        org = create_user(session, municipality=mun, role="organizer", team=team)
        coach = create_user(
            session, municipality=mun, role="coach", name=f"Coach{tag}-{uuid.uuid4().hex[:12]}"
        )
        rec = create_user(session, municipality=mun, role="recipient", coach=coach)
        create_profile(session, user=rec)
        opp = create_opportunity(session, team=team, status=opp_status, title=f"Klus {tag}")
        history = [(s, start + timedelta(hours=i)) for i, s in enumerate(_HISTORY[match_status])]
        match = create_match(session, person=rec, opportunity=opp, history=history)
        msg = InboxMessage(id=uuid.uuid4(), user_id=rec.id, kind="message", title="Hoi", body=".")
        checkin = CheckIn(
            id=uuid.uuid4(),
            user_id=rec.id,
            municipality_id=mun.id,
            date=(start - timedelta(days=1)).date(),
            hours=2,
            wellbeing=4,
        )
        read = AuditEvent(
            municipality_id=mun.id,
            actor_id=coach.id,
            actor_role="coach",
            actor_name=coach.name,
            subject_id=rec.id,
            action="read",
            object_type="caseload_person",
            object_id=str(rec.id),
            purpose="caseload follow-up",
        )
        device = Device(
            id=uuid.uuid4(), user_id=rec.id, platform="android", push_token=f"tok-{uuid.uuid4()}"
        )
        rows.extend([msg, checkin, read, device])
        ids[f"device_{tag}"] = device.id
        step = PlanStep(
            municipality_id=mun.id,
            recipient_id=rec.id,
            kind="make_cv",
            what=f"Stap {tag}",
            due_on=date.today() + timedelta(days=14),
            due_is_week=False,
            with_coach=False,
        )
        plan_lifecycle.propose(session, step, role="coach", actor_id=coach.id)
        users.update({f"organizer_{tag}": org, f"coach_{tag}": coach, f"recipient_{tag}": rec})
        ids.update(
            {
                f"team_{tag}": team.id,
                f"opp_{tag}": opp.id,
                f"match_{tag}": match.id,
                f"msg_{tag}": msg.id,
                f"checkin_{tag}": checkin.id,
                f"step_{tag}": step.id,
            }
        )
        markers[f"auditor_{tag}"] = coach.name
        ids[f"exp_{tag}"] = _experiment(session, mun, tag, exp_status, rec).id
        if tag == "b":  # a published opportunity nobody has a match on (requests, suggestions)
            ids["opp_free"] = create_opportunity(session, team=team, title="Vrije plek").id

    side(m1, "a")
    side(m1, "b")
    side(m2, "x")
    users["admin_a"] = create_user(session, municipality=m1, role="admin")
    users["admin_x"] = create_user(session, municipality=m2, role="admin")
    for role in ROLES:  # every actor has a message of their own (staff get e.g. coach digests)
        msg = InboxMessage(
            id=uuid.uuid4(), user_id=users[f"{role}_a"].id, kind="message", title="Hoi", body="."
        )
        device = Device(
            id=uuid.uuid4(),
            user_id=users[f"{role}_a"].id,
            platform="ios",
            push_token=f"tok-{uuid.uuid4()}",
        )
        rows.extend([msg, device])
        ids[f"msg_own_{role}"] = msg.id
        ids[f"device_own_{role}"] = device.id
    session.add_all(rows)
    session.flush()
    coach_a = users["coach_a"]
    invitation = create_invitation(
        session,
        actor=Actor(coach_a.id, "coach", m1.id, None),
        recipient_name="Nieuwe deelnemer",
        email=None,
        coach_id=None,
    )
    reset = issue_reset_code(
        session, actor=Actor(coach_a.id, "coach", m1.id, None), user_id=users["recipient_a"].id
    )
    for key in (
        "opp_x",
        "match_b",
        "match_x",
        "msg_b",
        "msg_x",
        "checkin_b",
        "checkin_x",
        "device_b",
        "device_x",
        "step_b",
        "step_x",
        "exp_b",
        "exp_x",
    ):
        markers[key] = str(ids[key])
    for key in ("recipient_b", "recipient_x", "coach_x"):
        markers[key] = str(users[key].id)
    return World(
        users=users,
        ids=ids,
        invite_code=invitation.invite_code,
        reset_code=reset.invite_code,
        markers=markers,
    )


def _target_ids(w: World, target: str, who: str) -> dict[str, uuid.UUID]:
    """The path id per variant, relative to the actor (always the A-side user of the role)."""
    if target in ("message", "device"):
        prefix = "msg" if target == "message" else "device"
        own = w.ids[f"{prefix}_own_{'recipient' if who == 'anonymous' else who}"]
        return {"own": own, "foreign": w.ids[f"{prefix}_b"], "other_mun": w.ids[f"{prefix}_x"]}
    if target == "recipient":
        u = w.users
        return {
            "own": u["recipient_a"].id,
            "foreign": u["recipient_b"].id,
            "other_mun": u["recipient_x"].id,
        }
    prefix = {
        "opportunity": "opp",
        "match": "match",
        "step": "step",
        "checkin": "checkin",
        "experiment": "exp",
    }[target]
    return {v: w.ids[f"{prefix}_{s}"] for v, s in zip(VARIANTS, "abx", strict=True)}


def _path(w: World, row: Row, rule: str, who: str, variant: str) -> str:
    """The rule with its ids filled in for this actor and variant.

    `case_step` names a person and one of their plan steps: both of the same side.
    """
    if not row.target:
        return rule
    if row.target == "case_step":
        person = _target_ids(w, "recipient", who)[variant]
        step = _target_ids(w, "step", who)[variant]
        path = rule.replace("<uuid:recipient_id>", str(person))
        return path.replace("<uuid:step_id>", str(step))
    return re.sub(r"<uuid:\w+>", str(_target_ids(w, row.target, who)[variant]), rule)


# --------------------------------------------------------------------------- valid bodies

Body = Callable[[World, str], dict[str, Any]]


def _login(w: World, who: str) -> dict[str, Any]:
    return {"email": w.actor(who).email, "password": PASSWORD}


def _register(w: World, who: str) -> dict[str, Any]:
    return {
        "inviteCode": w.invite_code,
        "email": f"nieuw-{uuid.uuid4().hex[:10]}@example.org",
        "password": "een heel lang wachtwoord",
    }


def _reset(w: World, who: str) -> dict[str, Any]:
    return {"resetCode": w.reset_code, "password": "een heel lang wachtwoord"}


def _password_change(w: World, who: str) -> dict[str, Any]:
    return {"oldPassword": PASSWORD, "newPassword": "een heel lang wachtwoord"}


def _invitation(w: World, who: str) -> dict[str, Any]:
    body: dict[str, Any] = {"recipientName": "Nieuwe deelnemer"}
    if who == "admin":  # an admin names the coach whose caseload the person joins
        body["coachId"] = str(w.users["coach_a"].id)
    return body


def _staff_user(w: World, who: str) -> dict[str, Any]:
    return {"email": f"staf-{uuid.uuid4().hex[:10]}@example.org", "role": "coach", "name": "Jo"}


def _policy(w: World, who: str) -> dict[str, Any]:
    return PolicySchema().dump(asdict(PolicySettings()))


def _new_opportunity(w: World, who: str) -> dict[str, Any]:
    return {
        "kind": "volunteer",
        "title": "Koken in buurthuis De Meevaart",
        "description": "Samen koken voor buren. Je hoeft geen ervaring te hebben.",
        "address": "Balistraat 48A, Amsterdam",
        "location": {"lat": 52.3625, "lon": 4.9400},
        "interests": ["koken"],
        "slots": ["tue-morning"],
        "capacity": 4,
        "ladderStep": 3,
        "notReplacingPaidWork": True,
    }


def _opportunity_change(w: World, who: str) -> dict[str, Any]:
    return {"capacity": 5}


def _profile_change(w: World, who: str) -> dict[str, Any]:
    return {"displayName": "Sam", "goals": "Nederlands oefenen"}


def _interest(w: World, who: str) -> dict[str, Any]:
    return {"opportunityId": str(w.ids["opp_free"]), "message": "Lijkt me leuk"}


def _suggestion(w: World, who: str) -> dict[str, Any]:
    return {"opportunityId": str(w.ids["opp_free"]), "note": "Past bij je interesses"}


def _device(w: World, who: str) -> dict[str, Any]:
    return {"platform": "android", "pushToken": f"push-{uuid.uuid4().hex}"}


def _feedback(w: World, who: str) -> dict[str, Any]:
    return {"helped": True, "again": False, "words": "Fijn om te doen"}


def _notification_choice(w: World, who: str) -> dict[str, Any]:
    kind = "candidate_approved" if who == "organizer" else "request_new"
    return {"kinds": [{"kind": kind, "mode": "summary"}]}


def _checkin(w: World, who: str) -> dict[str, Any]:
    return {"date": (date.today() - timedelta(days=1)).isoformat(), "hours": 2.5, "wellbeing": 4}


def _checkin_change(w: World, who: str) -> dict[str, Any]:
    return {"hours": 3, "note": "Toch wat langer"}


def _assessment(w: World, who: str) -> dict[str, Any]:
    return {"step": 3, "note": "Gaat goed"}


def _step(w: World, who: str) -> dict[str, Any]:
    return {"kind": "make_cv", "dueOn": (date.today() + timedelta(days=7)).isoformat()}


def _step_change(w: World, who: str) -> dict[str, Any]:
    return {"dueOn": (date.today() + timedelta(days=21)).isoformat()}


def _new_experiment(w: World, who: str) -> dict[str, Any]:
    now = datetime.now(UTC)
    return {
        "name": "Toon van de tips",
        "hypothesis": "Een sociale-normtoon helpt meer mensen op weg.",
        "arms": [
            {"key": "control", "name": "Zoals nu", "weight": 1, "isControl": True},
            {"key": "norm", "name": "Norm", "weight": 1, "treatment": {"framing": "social_norm"}},
        ],
        "primaryOutcome": "started_activity",
        "horizonDays": 60,
        "enrolUntil": (now + timedelta(days=20)).date().isoformat(),
        "plannedEnd": (now + timedelta(days=90)).date().isoformat(),
        "dpiaReference": "DPIA-2026-07",
        "ethicsReference": "METC-2026-113",
    }


def _experiment_change(w: World, who: str) -> dict[str, Any]:
    return {"name": "Toon van de wekelijkse tips"}


def _reason(w: World, who: str) -> dict[str, Any]:
    return {"reason": "Past nu niet in het rooster"}


# --------------------------------------------------------------------------- the matrix


@dataclass(frozen=True)
class Row:
    """Expected status per actor (and per variant when the path names an object)."""

    expect: dict[str, Expect]
    # the path id: opportunity | match | recipient | message | device | step | case_step | checkin
    target: str | None = None
    body: Body | None = None
    opp_status: str = "published"
    match_status: str = "approved"
    exp_status: str = "running"
    token: str = "access"  # or "refresh"
    hidden: tuple[str, ...] = ()  # markers (World.markers) a 2xx body must not contain


OPP = "/v1/opportunities/<uuid:opportunity_id>"
MATCH = "/v1/matches/<uuid:match_id>"
CASE = "/v1/caseload/<uuid:recipient_id>"
EXP = "/v1/admin/experiments/<uuid:experiment_id>"
OTHERS_MATCHES = ("match_b", "match_x")

MATRIX: dict[tuple[str, str], Row] = {
    # everyone
    ("GET", "/v1/health"): Row(public(200)),
    ("GET", "/v1/openapi.json"): Row(public(200)),
    ("GET", "/v1/interests"): Row(public(200)),
    # auth
    ("POST", "/v1/auth/login"): Row(public(200), body=_login),
    ("POST", "/v1/auth/register"): Row(public(201), body=_register),
    ("POST", "/v1/auth/refresh"): Row(signed_in(200), token="refresh"),
    ("POST", "/v1/auth/logout"): Row(signed_in(204)),
    ("POST", "/v1/auth/reset"): Row(public(200), body=_reset),
    ("POST", "/v1/invitations"): Row(only(coach=201, admin=201), body=_invitation),
    # the account
    ("GET", "/v1/me"): Row(signed_in(200), hidden=("recipient_b", "recipient_x", "coach_x")),
    ("POST", "/v1/me/password"): Row(signed_in(204), body=_password_change),
    ("POST", f"{CASE}/reset-codes"): Row(only(coach=by_variant(201)), target="recipient"),
    ("POST", "/v1/admin/users/<uuid:user_id>/reset-codes"): Row(
        only(admin=by_variant(201, foreign=201)), target="recipient"
    ),
    # admin
    ("POST", "/v1/admin/users"): Row(only(admin=201), body=_staff_user),
    # an admin's "own" is their whole municipality: side A and side B are both theirs
    ("DELETE", "/v1/admin/users/<uuid:user_id>"): Row(
        only(admin=by_variant(204, foreign=204)), target="recipient"
    ),
    ("GET", "/v1/admin/audit"): Row(
        only(admin=200), hidden=("recipient_x", "coach_x", "auditor_x")
    ),
    ("GET", "/v1/admin/policy"): Row(only(admin=200), hidden=("policy_x",)),
    ("PUT", "/v1/admin/policy"): Row(only(admin=200), body=_policy),
    ("GET", "/v1/admin/reports/funnel"): Row(only(admin=200)),
    # experiments: the admin's whole municipality (side B too); another municipality's are 404
    ("GET", "/v1/admin/experiments"): Row(only(admin=200), hidden=("exp_x",)),
    ("POST", "/v1/admin/experiments"): Row(only(admin=201), body=_new_experiment),
    ("GET", EXP): Row(only(admin=by_variant(200, foreign=200)), target="experiment"),
    ("PATCH", EXP): Row(
        only(admin=by_variant(200, foreign=200)),
        target="experiment",
        body=_experiment_change,
        exp_status="draft",
    ),
    ("POST", f"{EXP}/start"): Row(
        only(admin=by_variant(200, foreign=200)), target="experiment", exp_status="draft"
    ),
    ("POST", f"{EXP}/stop"): Row(only(admin=by_variant(200, foreign=200)), target="experiment"),
    ("GET", f"{EXP}/report"): Row(only(admin=by_variant(200, foreign=200)), target="experiment"),
    ("GET", f"{EXP}/export"): Row(only(admin=by_variant(200, foreign=200)), target="experiment"),
    # a person's own experiments (recipient A is enrolled in experiment A only)
    ("GET", "/v1/me/experiments"): Row(only(recipient=200), hidden=("exp_b", "exp_x")),
    ("POST", "/v1/me/experiments/<uuid:experiment_id>/opt-out"): Row(
        only(recipient=by_variant(200)), target="experiment"
    ),
    # opportunities: any signed-in role reads published ones of its municipality
    ("GET", "/v1/opportunities"): Row(signed_in(200), hidden=("opp_x",)),
    ("POST", "/v1/opportunities"): Row(only(organizer=201), body=_new_opportunity),
    ("GET", OPP): Row(signed_in(by_variant(200, foreign=200)), target="opportunity"),
    # changing: only the posting team (foreign = the other team's published opportunity)
    ("PATCH", OPP): Row(
        only(organizer=by_variant(200)), target="opportunity", body=_opportunity_change
    ),
    ("POST", f"{OPP}/publish"): Row(
        only(organizer=by_variant(200)), target="opportunity", opp_status="draft"
    ),
    ("POST", f"{OPP}/pause"): Row(only(organizer=by_variant(200)), target="opportunity"),
    ("POST", f"{OPP}/close"): Row(only(organizer=by_variant(200)), target="opportunity"),
    ("GET", f"{OPP}/matches"): Row(
        only(organizer=by_variant(200)), target="opportunity", hidden=OTHERS_MATCHES
    ),
    # the recipient's own data
    ("GET", "/v1/me/profile"): Row(only(recipient=200)),
    ("PATCH", "/v1/me/profile"): Row(only(recipient=200), body=_profile_change),
    ("GET", "/v1/me/feed"): Row(only(recipient=200), hidden=("opp_x",)),
    ("POST", "/v1/me/matches"): Row(only(recipient=201), body=_interest),
    ("GET", "/v1/me/matches"): Row(only(recipient=200), hidden=OTHERS_MATCHES),
    ("POST", "/v1/me/matches/<uuid:match_id>/withdraw"): Row(
        only(recipient=by_variant(200)), target="match", match_status="requested"
    ),
    ("GET", "/v1/me/inbox"): Row(signed_in(200), hidden=("msg_b", "msg_x")),
    ("POST", "/v1/me/inbox/<uuid:message_id>/read"): Row(
        signed_in(by_variant(200)), target="message"
    ),
    ("GET", "/v1/me/inbox/unread-count"): Row(signed_in(200)),
    ("POST", "/v1/me/inbox/read-all"): Row(signed_in(200)),
    ("POST", "/v1/me/devices"): Row(signed_in(201), body=_device),
    ("GET", "/v1/me/devices"): Row(signed_in(200), hidden=("device_b", "device_x")),
    ("DELETE", "/v1/me/devices/<uuid:device_id>"): Row(signed_in(by_variant(204)), target="device"),
    ("GET", "/v1/me/notification-preferences"): Row(only(coach=200, organizer=200, admin=200)),
    ("PUT", "/v1/me/notification-preferences"): Row(
        only(coach=200, organizer=200, admin=200), body=_notification_choice
    ),
    ("PUT", "/v1/me/matches/<uuid:match_id>/feedback"): Row(
        only(recipient=by_variant(200)), target="match", match_status="completed", body=_feedback
    ),
    ("POST", "/v1/me/checkins"): Row(only(recipient=201), body=_checkin),
    ("GET", "/v1/me/checkins"): Row(only(recipient=200), hidden=("checkin_b", "checkin_x")),
    ("PATCH", "/v1/me/checkins/<uuid:checkin_id>"): Row(
        only(recipient=by_variant(200)), target="checkin", body=_checkin_change
    ),
    ("DELETE", "/v1/me/checkins/<uuid:checkin_id>"): Row(
        only(recipient=by_variant(204)), target="checkin"
    ),
    ("GET", "/v1/me/progress"): Row(only(recipient=200), hidden=OTHERS_MATCHES),
    ("GET", "/v1/me/steps"): Row(only(recipient=200), hidden=("step_b", "step_x")),
    ("POST", "/v1/me/steps"): Row(only(recipient=201), body=_step),
    ("PATCH", "/v1/me/steps/<uuid:step_id>"): Row(
        only(recipient=by_variant(200)), target="step", body=_step_change
    ),
    ("GET", "/v1/me/access-log"): Row(signed_in(200), hidden=("auditor_b", "auditor_x")),
    ("GET", "/v1/me/export"): Row(
        only(recipient=200),
        hidden=(
            *OTHERS_MATCHES,
            "msg_b",
            "msg_x",
            "checkin_b",
            "checkin_x",
            "auditor_b",
            "auditor_x",
            "step_b",
            "step_x",
        ),
    ),
    ("DELETE", "/v1/me"): Row(only(recipient=204)),
    # the coach's caseload
    ("GET", "/v1/caseload"): Row(only(coach=200), hidden=("recipient_b", "recipient_x")),
    ("GET", CASE): Row(
        only(coach=by_variant(200)),
        target="recipient",
        hidden=(*OTHERS_MATCHES, "checkin_b", "checkin_x"),
    ),
    ("DELETE", CASE): Row(only(coach=by_variant(204)), target="recipient"),
    ("POST", f"{CASE}/ladder-assessments"): Row(
        only(coach=by_variant(201)), target="recipient", body=_assessment
    ),
    ("GET", f"{CASE}/steps"): Row(
        only(coach=by_variant(200)), target="recipient", hidden=("step_b", "step_x")
    ),
    ("POST", f"{CASE}/steps"): Row(only(coach=by_variant(201)), target="recipient", body=_step),
    ("PATCH", f"{CASE}/steps/<uuid:step_id>"): Row(
        only(coach=by_variant(200)), target="case_step", body=_step_change
    ),
    ("POST", f"{CASE}/suggestions"): Row(
        only(coach=by_variant(201)), target="recipient", body=_suggestion
    ),
    # matches: coach decides for their caseload, organiser for their team's opportunities
    ("GET", "/v1/matches"): Row(only(coach=200), hidden=OTHERS_MATCHES),
    ("GET", "/v1/teams/mine/candidates"): Row(only(organizer=200), hidden=OTHERS_MATCHES),
    ("POST", f"{MATCH}/approve"): Row(
        only(coach=by_variant(200)), target="match", match_status="requested"
    ),
    ("POST", f"{MATCH}/decline"): Row(
        only(coach=by_variant(200)), target="match", match_status="requested", body=_reason
    ),
    ("POST", f"{MATCH}/confirm"): Row(only(organizer=by_variant(200)), target="match"),
    ("POST", f"{MATCH}/reject"): Row(only(organizer=by_variant(200)), target="match", body=_reason),
    ("POST", f"{MATCH}/complete"): Row(
        only(organizer=by_variant(200), coach=by_variant(200)),
        target="match",
        match_status="active",
    ),
}

# Where the app differs from the product rules: (method, rule, actor, variant) -> what it does.
# Cases where the app is known to break the rule: xfail(strict=True) until fixed, so a fix
# (an xpass) fails the suite until its entry goes. Empty: none are known.
DISCREPANCIES: dict[tuple[str, str, str, str], str] = {}


def _cases() -> list[Any]:
    cases = []
    for (method, rule), row in MATRIX.items():
        for who in ACTORS:
            for variant in VARIANTS if row.target else ("-",):
                expect = row.expect[who]
                status = expect[variant] if isinstance(expect, dict) else expect
                reason = DISCREPANCIES.get((method, rule, who, variant))
                marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
                cases.append(
                    pytest.param(
                        method,
                        rule,
                        who,
                        variant,
                        status,
                        id=f"{method} {rule} [{who}/{variant}]",
                        marks=marks,
                    )
                )
    return cases


CASES = _cases()


def _text_plain_cases() -> list[Any]:
    """Rows with a JSON body: the status per actor/variant when the body is sent as text/plain."""
    cases = []
    for (method, rule), row in MATRIX.items():
        if row.body is None:
            continue
        for who in ACTORS:
            for variant in VARIANTS if row.target else ("-",):
                expect = row.expect[who]
                status = expect[variant] if isinstance(expect, dict) else expect
                cases.append(
                    pytest.param(
                        method,
                        rule,
                        who,
                        variant,
                        status if status in (401, 403) else 415,
                        id=f"{method} {rule} [{who}/{variant}] text/plain",
                    )
                )
    return cases


TEXT_PLAIN_CASES = _text_plain_cases()


# --------------------------------------------------------------------------- tests


def _served(app: Flask) -> set[tuple[str, str]]:
    return {
        (method, r.rule)
        for r in app.url_map.iter_rules()
        if r.endpoint != "static" and not r.endpoint.startswith("console.")  # HTML, cookie sign-in
        for method in (r.methods or set()) - {"HEAD", "OPTIONS"}
    }


def test_matrix_covers_every_endpoint(app: Flask) -> None:
    """A new endpoint without a row (or a row for an endpoint that is gone) fails the suite."""
    served = _served(app)
    assert sorted(served - set(MATRIX)) == [], "endpoints without a row in MATRIX"
    assert sorted(set(MATRIX) - served) == [], "rows in MATRIX the app does not serve"


def test_matrix_is_well_formed() -> None:
    """Every row names every actor; per-variant expectations only where the path names an id."""
    for (method, rule), row in MATRIX.items():
        assert set(row.expect) == set(ACTORS), (method, rule)
        assert bool(row.target) == ("<" in rule), (method, rule)
        for expect in row.expect.values():
            if isinstance(expect, dict):
                assert row.target and set(expect) == set(VARIANTS), (method, rule)
    for key in DISCREPANCIES:
        assert key[:2] in MATRIX and key[2] in ACTORS, key


def test_rows_with_a_body_are_the_documented_ones(client: FlaskClient) -> None:
    """A row gives a body exactly where the operation takes one, so text/plain covers them all."""
    spec = client.get("/v1/openapi.json").get_json()
    documented = set()
    for path, item in spec["paths"].items():
        rule = "/v1" + re.sub(r"\{(\w+)\}", lambda m: f"<uuid:{_snake(m[1])}>", path)
        documented |= {(m.upper(), rule) for m, op in item.items() if "requestBody" in op}
    assert documented == {key for key, row in MATRIX.items() if row.body}


def _snake(name: str) -> str:
    return re.sub(r"[A-Z]", lambda m: "_" + m[0].lower(), name)


def test_case_count() -> None:
    """How many (row x actor x variant) cases the matrix checks; quoted in reports."""
    with_id = sum(1 for row in MATRIX.values() if row.target)
    expected = (with_id * len(VARIANTS) + (len(MATRIX) - with_id)) * len(ACTORS)
    print(
        f"authz matrix: {len(MATRIX)} rows, {len(CASES)} cases ({len(DISCREPANCIES)} xfail), "
        f"{len(TEXT_PLAIN_CASES)} text/plain cases"
    )
    assert len(CASES) == expected
    with_body = [row for row in MATRIX.values() if row.body]
    assert len(TEXT_PLAIN_CASES) == sum(
        len(ACTORS) * (len(VARIANTS) if row.target else 1) for row in with_body
    )


@pytest.fixture()
def connection(module_connection: Connection) -> Iterator[Connection]:
    """Each case in a SAVEPOINT inside the module's transaction, where the worlds live."""
    yield from savepoint_per_test(module_connection)


States = tuple[str, str, str]  # opportunity, match and experiment status of a world
PLAIN: States = ("published", "approved", "running")


def _states(row: Row) -> States:
    return (row.opp_status, row.match_status, row.exp_status)


@pytest.fixture(scope="module")
def worlds(module_connection: Connection) -> dict[States, World]:
    """A world for each combination of states the rows ask for, built once for the module."""
    s = Session(
        bind=module_connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    built = {
        states: build_world(s, opp_status=states[0], match_status=states[1], exp_status=states[2])
        for states in sorted({PLAIN, *(_states(row) for row in MATRIX.values())})
    }
    s.commit()
    s.close()
    return built


def _headers(app: Flask, session: Session, user: User, token: str) -> dict[str, str]:
    with app.app_context():  # the user as this case's session sees it
        pair = signin_service.start_session(session, session.get(User, user.id) or user)
    jwt = pair.refresh_token if token == "refresh" else pair.access_token
    return {"Authorization": f"Bearer {jwt}"}


@pytest.mark.parametrize(("method", "rule", "who", "variant", "status"), CASES)
def test_authz_matrix(
    app: Flask,
    client: FlaskClient,
    session: Session,
    worlds: dict[States, World],
    method: str,
    rule: str,
    who: str,
    variant: str,
    status: int,
) -> None:
    row = MATRIX[(method, rule)]
    w = worlds[_states(row)]
    path = _path(w, row, rule, who, variant)
    headers = {} if who == "anonymous" else _headers(app, session, w.actor(who), row.token)
    body = row.body(w, who) if row.body else None
    resp = client.open(path, method=method, json=body, headers=headers)
    assert resp.status_code == status, resp.get_data(as_text=True)[:500]
    if 200 <= resp.status_code < 300 and row.hidden:
        text = resp.get_data(as_text=True)
        leaked = [key for key in row.hidden if w.markers[key] in text]
        assert leaked == [], f"{who} sees what is not theirs: {leaked}"


@pytest.mark.parametrize(("method", "rule", "who", "variant", "status"), TEXT_PLAIN_CASES)
def test_authz_matrix_text_plain_body(
    app: Flask,
    client: FlaskClient,
    session: Session,
    worlds: dict[States, World],
    method: str,
    rule: str,
    who: str,
    variant: str,
    status: int,
) -> None:
    row = MATRIX[(method, rule)]
    assert row.body is not None
    w = worlds[_states(row)]
    path = _path(w, row, rule, who, variant)
    headers = {} if who == "anonymous" else _headers(app, session, w.actor(who), row.token)
    data = json.dumps(row.body(w, who))
    resp = client.open(path, method=method, data=data, content_type="text/plain", headers=headers)
    assert resp.status_code == status, resp.get_data(as_text=True)[:500]
    assert resp.content_type == "application/problem+json"
    assert resp.get_json()["status"] == status


# Ids in bodies: a reference to an object that is not the actor's must be refused exactly like a
# reference to one that does not exist (same status and problem body), so existence never leaks.
# (actor, method, path, body for a referenced id, world key of the referenced object)
BODY_REFERENCES: list[tuple[str, str, str, Callable[[str], dict[str, Any]], str]] = [
    ("recipient", "POST", "/v1/me/matches", lambda ref: {"opportunityId": ref}, "opp_x"),
    ("coach", "POST", f"{CASE}/suggestions", lambda ref: {"opportunityId": ref}, "opp_x"),
    (
        "recipient",
        "POST",
        "/v1/me/checkins",
        lambda ref: {"date": "2025-01-06", "hours": 1, "wellbeing": 3, "matchId": ref},
        "match_b",
    ),
    (
        "recipient",
        "POST",
        "/v1/me/checkins",
        lambda ref: {"date": "2025-01-06", "hours": 1, "wellbeing": 3, "matchId": ref},
        "match_x",
    ),
    (
        "recipient",
        "POST",
        "/v1/me/steps",
        lambda ref: {"kind": "visit_activity", "dueOn": "2030-01-07", "matchId": ref},
        "match_b",
    ),
    (
        "coach",
        "POST",
        f"{CASE}/steps",
        lambda ref: {"kind": "visit_activity", "dueOn": "2030-01-07", "matchId": ref},
        "match_x",
    ),
    (
        "coach",
        "POST",
        f"{CASE}/steps",
        lambda ref: {"kind": "visit_activity", "dueOn": "2030-01-07", "opportunityId": ref},
        "opp_x",
    ),
    (
        "coach",
        "POST",
        "/v1/invitations",
        lambda ref: {"recipientName": "N", "coachId": ref},
        "coach_b",
    ),
    (
        "admin",
        "POST",
        "/v1/invitations",
        lambda ref: {"recipientName": "N", "coachId": ref},
        "coach_x",
    ),
    (
        "admin",
        "POST",
        "/v1/admin/users",
        lambda ref: {"email": "nieuw@example.org", "role": "organizer", "name": "O", "teamId": ref},
        "team_x",
    ),
]


@pytest.mark.parametrize(
    ("who", "method", "rule", "body", "ref"),
    BODY_REFERENCES,
    ids=[f"{m} {r} [{w}/{ref}]" for w, m, r, _, ref in BODY_REFERENCES],
)
def test_body_reference_to_other_object_looks_missing(
    app: Flask,
    client: FlaskClient,
    session: Session,
    worlds: dict[States, World],
    who: str,
    method: str,
    rule: str,
    body: Callable[[str], dict[str, Any]],
    ref: str,
) -> None:
    w = worlds[PLAIN]
    path = rule.replace("<uuid:recipient_id>", str(w.users["recipient_a"].id))
    headers = _headers(app, session, w.actor(who), "access")
    ref_id = w.ids[ref] if ref in w.ids else w.users[ref].id
    theirs = client.open(path, method=method, json=body(str(ref_id)), headers=headers)
    missing = client.open(path, method=method, json=body(str(uuid.uuid4())), headers=headers)
    assert theirs.status_code in (400, 404), theirs.get_data(as_text=True)[:500]
    assert (theirs.status_code, theirs.get_json()) == (missing.status_code, missing.get_json())


def test_a_coach_reaches_a_step_only_under_its_own_person(
    app: Flask, client: FlaskClient, session: Session, worlds: dict[States, World]
) -> None:
    """Own person, someone else's step (same municipality or not): 404 like a missing one."""
    w = worlds[PLAIN]
    headers = _headers(app, session, w.users["coach_a"], "access")
    own_person = w.users["recipient_a"].id
    for step in ("step_b", "step_x"):
        path = f"/v1/caseload/{own_person}/steps/{w.ids[step]}"
        resp = client.patch(path, json=_step_change(w, "coach"), headers=headers)
        assert resp.status_code == 404, step
