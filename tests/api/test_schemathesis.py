"""Schemathesis against /v1/openapi.json: every operation, as each role, in a seeded world.

One pytest item per (role, operation). The world is seeded once per module, in one transaction;
each item runs in a SAVEPOINT inside it that is rolled back afterwards (`savepoint_per_test`; the
`session` fixture swaps the app's sessionmaker), so an operation that ends the caller's session
or erases the caller (POST /auth/logout, DELETE /me) cannot spoil the others; later calls within
the same item then get the documented 401. Requests go in-process through the WSGI app. Cases
are positive and negative, a bounded number per operation, seeded from role and operation so CI
sees the same cases every run.
Two cases in three take ids, interests, e-mail addresses and codes from the seeded world instead
of generated ones, so the real state transitions and 2xx bodies are exercised too.

Checks: no 5xx; status code, content type and body as documented; a 415 is documented and a
problem. A second run per (role, operation with a JSON body) sends the generated body as
text/plain or a form and expects the documented 415 (or the 401/403 that comes first).
A role the operation refuses ("Roles:" in its description) gets REFUSED_EXAMPLES cases instead
of MAX_EXAMPLES: its answer is the documented 403 whatever the input (the authorisation matrix
checks that status for every operation and role), so more generated inputs find nothing new.
Run with `-s` to see how many operations and examples ran.
"""

from __future__ import annotations

import json
import os
import time
import uuid
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from api.app import create_app
from api.auth.security import Actor
from api.config import Settings
from api.experiments import service as experiments
from api.interests.models import Interest
from api.invitations.service import create_invitation
from api.nudges.models import InboxMessage
from api.signin import service as signin_service
from tests.conftest import savepoint_per_test
from tests.factories import (
    PASSWORD,
    auth_headers,
    create_match,
    create_municipality,
    create_opportunity,
    create_profile,
    create_team,
    create_user,
)

SCHEMA_PATH = "/v1/openapi.json"
ROLES = ("recipient", "organizer", "coach", "admin")
ANONYMOUS = "anonymous"  # public operations run once, without a token
METHODS = {"get", "put", "post", "patch", "delete"}
MAX_EXAMPLES = 20
REFUSED_EXAMPLES = 5  # for a role the operation refuses (see the module's docstring)
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
)

WRONG_MEDIA_TYPES = ("text/plain", "application/x-www-form-urlencoded", "application/xml")
MAX_WRONG_MEDIA_EXAMPLES = 4


def documented_415_is_problem(ctx: Any, response: Any, case: Any) -> None:
    """Every 415 the API answers is documented on the operation and is a problem+json."""
    if response.status_code != 415:
        return
    documented = case.operation.definition.raw.get("responses", {})
    assert "415" in documented, f"{case.operation.label} answered an undocumented 415"
    content_type = (response.headers.get("content-type") or [""])[0]
    assert content_type.startswith("application/problem+json"), content_type
    body = response.json()
    assert body["status"] == 415 and "application/json" in body["detail"], body


def _checks() -> list[Any]:
    return [*(getattr(schemathesis.checks, name) for name in CHECKS), documented_415_is_problem]


# Generated cases may carry U+0000: text fields refuse it with a 400 (PostgreSQL cannot store it).
ALLOW_NUL = True

# Operations left out, each with the reason. Empty: every documented operation runs.
EXCLUDED: dict[str, str] = {}


def _load_schema(app: Flask) -> Any:
    schema = schemathesis.openapi.from_wsgi(SCHEMA_PATH, app)
    schema.config.generation.update(allow_x00=ALLOW_NUL)
    return schema


def _role_may(operation: Any, role: str) -> bool:
    """Whether the operation's description lets `role` use it (public: everyone)."""
    roles = operation.definition.raw.get("description", "")
    return role == ANONYMOUS or "Roles:" not in roles or role in roles.split("Roles:", 1)[1]


def _security(operation: Any) -> set[str]:
    """The security schemes an operation accepts (empty: public)."""
    return {name for req in operation.definition.raw.get("security") or [] for name in req}


def _collection_schema() -> Any:
    """The served document, from an app built only for collection (it never touches the database)."""
    database_url = os.environ.get(
        "DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/meedoen_test"
    )
    env = {"DATABASE_URL": database_url, "MEEDOEN_ENV": "test", "RATE_LIMITS": "off"}
    return _load_schema(create_app(Settings.from_env(env)))


def _collect_params(schema: Any) -> list[Any]:
    """(role, operation) pairs from the served document, so a new endpoint needs no edit here."""
    params: list[Any] = []
    # The raw paths, not get_all_operations(): that one skips the schema's own endpoint.
    for path, item in schema.raw_schema["paths"].items():
        for method in sorted(set(item) & METHODS):
            operation = schema[path][method]
            if operation.label in EXCLUDED:
                continue
            roles = ROLES if _security(operation) else (ANONYMOUS,)
            params.extend(
                pytest.param(role, operation.label, id=f"{role}-{operation.label}")
                for role in roles
            )
    return params


_COLLECTION_SCHEMA = _collection_schema()
PARAMS = _collect_params(_COLLECTION_SCHEMA)


def _takes_json(param: Any) -> bool:
    method, path = param.values[1].split(" ", 1)
    return "requestBody" in _RAW_PATHS[path][method.lower()]


_RAW_PATHS: dict[str, Any] = _COLLECTION_SCHEMA.raw_schema["paths"]
JSON_BODY_PARAMS = [p for p in PARAMS if _takes_json(p)]


@dataclass
class Tally:
    runs: set[tuple[str, str]] = field(default_factory=set)
    examples: int = 0
    statuses: Counter[tuple[str, int]] = field(default_factory=Counter)


TALLY = Tally()


@pytest.fixture(scope="module", autouse=True)
def _summary() -> Iterator[None]:
    started = time.monotonic()
    yield
    if not TALLY.runs:
        return
    labels = {label for _, label in TALLY.runs}
    answered_2xx = {label for label, status in TALLY.statuses if 200 <= status < 300}
    print(
        f"\nschemathesis {schemathesis.__version__} operations and examples run: "
        f"{len(labels)} operations, {len(TALLY.runs)} operation x role runs, "
        f"{TALLY.examples} examples in {time.monotonic() - started:.1f}s"
    )
    if labels - answered_2xx:
        print("never answered 2xx: " + ", ".join(sorted(labels - answered_2xx)))
    assert TALLY.examples >= len(TALLY.runs)


@pytest.fixture(scope="module")
def api_schema(app: Flask) -> Any:
    return _load_schema(app)


@dataclass
class World:
    tokens: dict[str, tuple[str, str]]  # role -> (access token, refresh token)
    emails: dict[str, str]  # role -> e-mail address (password: factories.PASSWORD)
    known: dict[str, list[Any]]  # parameter or body field -> values that exist


def _seed_world(app: Flask, session: Session) -> World:
    """A municipality with a user of each role, opportunities and matches in several states."""
    mun = create_municipality(session)
    team = create_team(session, municipality=mun)
    coach = create_user(session, municipality=mun, role="coach")
    recipient = create_user(session, municipality=mun, role="recipient", coach=coach)
    other = create_user(session, municipality=mun, role="recipient", coach=coach)
    organizer = create_user(session, municipality=mun, role="organizer", team=team)
    admin = create_user(session, municipality=mun, role="admin")
    create_profile(session, user=recipient)
    create_profile(session, user=other, interests=["tuinieren"], availability=["wed-evening"])

    published = create_opportunity(session, team=team)
    spare = create_opportunity(session, team=team, title="Boodschappen", kind="informal_care")
    draft = create_opportunity(session, team=team, status="draft", title="Tuin in de wijk")
    paused = create_opportunity(session, team=team, status="paused", title="Taalcafé")

    now = datetime.now(UTC)
    day = timedelta(days=1)
    requested = [("suggested", now - 5 * day), ("requested", now - 4 * day)]
    approved = [*requested, ("approved", now - 3 * day)]
    active = [*approved, ("active", now - day)]
    matches = [
        create_match(session, person=recipient, opportunity=published, history=requested),
        create_match(session, person=other, opportunity=published, history=approved),
        create_match(session, person=other, opportunity=paused, history=active),
        create_match(session, person=recipient, opportunity=spare, history=requested[:1]),
    ]
    message = InboxMessage(
        user_id=recipient.id, kind="weekly_suggestions", title="Hoi", body="Nieuws"
    )
    session.add(message)
    coach_actor = Actor(coach.id, "coach", mun.id, None)
    invitation = create_invitation(
        session, actor=coach_actor, recipient_name="Nieuw", email=None, coach_id=None
    )
    interests = list(session.scalars(select(Interest.key).order_by(Interest.key).limit(3)))
    admin_actor = Actor(admin.id, "admin", mun.id, None)
    experiment = {
        "name": "Toon",
        "hypothesis": "Een andere toon helpt.",
        "arms": [
            {"key": "control", "name": "Zoals nu", "weight": 1, "is_control": True},
            {"key": "gain", "name": "Winst", "weight": 1, "treatment": {"framing": "gain"}},
        ],
        "eligibility": {},
        "strata": ["ladder_step"],
        "primary_outcome": "started_activity",
        "horizon_days": 60,
        "secondary_outcomes": [],
        "guardrails": [],
        "enrol_until": now + 20 * day,
        "planned_end": now + 90 * day,
        "dpia_reference": "DPIA-1",
        "ethics_reference": "ETH-1",
    }
    draft_exp = experiments.create(session, actor=admin_actor, data=experiment)
    running_exp = experiments.create(session, actor=admin_actor, data=experiment)
    experiments.start(session, actor=admin_actor, experiment_id=running_exp["id"])

    users = {"recipient": recipient, "organizer": organizer, "coach": coach, "admin": admin}
    tokens = {}
    with app.app_context():
        for role, user in users.items():
            pair = signin_service.start_session(session, user)
            tokens[role] = (pair.access_token, pair.refresh_token)
    session.commit()
    opportunity_ids = [str(o.id) for o in (published, spare, draft, paused)]
    match_ids = [str(m.id) for m in matches]
    person_ids = [str(recipient.id), str(other.id)]
    return World(
        tokens=tokens,
        emails={role: user.email for role, user in users.items() if user.email is not None},
        known={
            "opportunity_id": opportunity_ids,
            "opportunityId": opportunity_ids,
            "match_id": match_ids,
            "matchId": match_ids,
            "recipient_id": person_ids,
            "user_id": [*person_ids, str(admin.id)],
            "message_id": [str(message.id)],
            "experiment_id": [str(draft_exp["id"]), str(running_exp["id"])],
            "coachId": [str(coach.id)],
            "teamId": [str(team.id)],
            "actorId": [str(coach.id), str(admin.id)],
            "subjectId": person_ids,
            "interest": interests,
            "interests": [interests[:1], interests],
            "near": ["52.37,4.89", "52.38,4.85"],
            "inviteCode": [invitation.invite_code],
            # Rules the document does not express: confirmed, level only for courses, dates.
            "notReplacingPaidWork": [True],
            "teachesLevel": [None],
            "startDate": [None],
            "endDate": [None],
            # Check-in dates are only plausible from 2000-01-01 until today.
            "date": [(now - day).date().isoformat(), (now - 30 * day).date().isoformat()],
        },
    )


@pytest.fixture()
def connection(module_connection: Connection) -> Iterator[Connection]:
    """Each item in a SAVEPOINT inside the module's transaction, where the world lives."""
    yield from savepoint_per_test(module_connection)


@pytest.fixture(scope="module")
def world(app: Flask, module_connection: Connection) -> World:
    """The seeded world, built once for the module (each item rolls its changes back)."""
    s = Session(
        bind=module_connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    try:
        return _seed_world(app, s)
    finally:
        s.close()


def _use_world(case: Any, world: World, index: int) -> None:
    """Swap generated ids and keys for ones that exist, where the world knows the field."""
    for container in (case.path_parameters, case.query):
        for name in container or {}:
            if name in world.known:
                container[name] = world.known[name][index % len(world.known[name])]
    if not isinstance(case.body, dict):
        return
    for name in case.body:
        if name in world.known:
            case.body[name] = world.known[name][index % len(world.known[name])]
    if "email" in case.body and "password" in case.body and "inviteCode" not in case.body:
        roles = sorted(world.emails)  # a real sign-in
        case.body.update(email=world.emails[roles[index % len(roles)]], password=PASSWORD)
    elif "email" in case.body:
        case.body["email"] = f"st-{uuid.uuid4().hex[:10]}@example.org"


def _strategy(operation: Any) -> st.SearchStrategy[Any]:
    """Positive cases, one in three negative where the operation takes any input."""
    positive = operation.as_strategy(generation_mode=GenerationMode.POSITIVE)
    has_input = (
        operation.definition.raw.get("parameters")
        or operation.definition.raw.get("requestBody")
        or list(operation.path_parameters)
    )
    if not has_input:
        return positive
    negative = operation.as_strategy(generation_mode=GenerationMode.NEGATIVE)
    return st.one_of(positive, positive, negative)


@pytest.mark.parametrize(("role", "label"), PARAMS)
def test_operation_conforms_to_schema(
    session: Session, api_schema: Any, world: World, role: str, label: str
) -> None:
    method, path = label.split(" ", 1)
    operation = api_schema[path][method]
    checks = _checks()
    token = None
    if role != ANONYMOUS:  # the refresh token only where it is the only scheme accepted
        access, refresh = world.tokens[role]
        token = access if "bearerAuth" in _security(operation) else refresh
    TALLY.runs.add((role, label))

    @seed(zlib.crc32(f"{role} {label}".encode()))
    @settings(
        max_examples=MAX_EXAMPLES if _role_may(operation, role) else REFUSED_EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=(Phase.explicit, Phase.generate, Phase.shrink),
    )
    @given(case=_strategy(operation), from_world=st.integers(0, 2), index=st.integers(0, 11))
    def run(case: Any, from_world: int, index: int) -> None:
        if from_world:
            _use_world(case, world, index)
        headers = {k: v for k, v in (case.headers or {}).items() if k.lower() != "authorization"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        case.headers = headers
        response = case.call()
        TALLY.examples += 1
        TALLY.statuses[(label, response.status_code)] += 1
        case.validate_response(response, checks=checks)

    run()


@pytest.mark.parametrize(("role", "label"), JSON_BODY_PARAMS)
def test_wrong_media_type_is_documented_415(
    session: Session, api_schema: Any, world: World, role: str, label: str
) -> None:
    """The generated (valid) body sent as text/plain, a form or XML: 415 after 401/403, never 2xx."""
    method, path = label.split(" ", 1)
    operation = api_schema[path][method]
    token = None
    if role != ANONYMOUS:
        access, refresh = world.tokens[role]
        token = access if "bearerAuth" in _security(operation) else refresh
    allowed = _role_may(operation, role)
    answered: Counter[int] = Counter()

    @seed(zlib.crc32(f"415 {role} {label}".encode()))
    @settings(
        max_examples=MAX_WRONG_MEDIA_EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=(Phase.explicit, Phase.generate),
    )
    @given(
        case=operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
        media_type=st.sampled_from(WRONG_MEDIA_TYPES),
        index=st.integers(0, 11),
    )
    def run(case: Any, media_type: str, index: int) -> None:
        _use_world(case, world, index)
        headers = {
            k: v
            for k, v in (case.headers or {}).items()
            if k.lower() not in ("authorization", "idempotency-key")
        }
        if token:
            headers["Authorization"] = f"Bearer {token}"
        case.headers = headers
        case.media_type = "text/plain"  # schemathesis sends the text as is ...
        case.body = json.dumps(case.body)
        response = case.call(headers={"Content-Type": media_type})  # ... under this type
        answered[response.status_code] += 1
        TALLY.examples += 1
        case.validate_response(response, checks=_checks())
        assert response.status_code == (415 if allowed else 403), response.text[:300]

    run()
    assert answered, label


def test_nul_in_text_is_invalid_input(app: Flask, session: Session, client: FlaskClient) -> None:
    mun = create_municipality(session)
    user = create_user(session, municipality=mun, role="recipient")
    create_profile(session, user=user)
    headers = auth_headers(app, session, user)
    resp = client.patch("/v1/me/profile", json={"displayName": "a\x00b"}, headers=headers)
    assert resp.status_code == 400, resp.get_json()
    assert resp.get_json()["invalidParams"][0]["name"] == "displayName"
    query = client.get("/v1/opportunities?interest=a%00b", headers=headers)
    assert query.status_code == 400
