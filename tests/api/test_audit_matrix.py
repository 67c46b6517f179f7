"""The audit matrix: every way staff can read a person's data leaves a line in that person's
access log (`GET /v1/me/access-log`), and only in the logs of the people actually shown.

One world, built once for the module (each case runs in a SAVEPOINT that is rolled back):

- coach Sanne Visser has Anouk, Bram and Cyriel on her caseload; coach Kees Smit has Dirkje;
- organiser Olga Ploeg's team offers "Koken" (Anouk approved, Dirkje active, Bram only asked)
  and an empty "Vrije plek"; another team offers "Moestuin" (Cyriel active);
- a running experiment has Anouk, Bram and Dirkje enrolled (not Cyriel);
- Sanne's inbox says Bram asked to join; Olga's inbox says Anouk may join.

Each case signs in as one staff member, makes one successful request, and then reads all four
people's access logs as those people do: everyone whose data is in the answer has a new entry
naming the staff member (role and name), the action and a purpose; everyone else has no new
entry at all. Each case also checks its premise on the answer itself (the people it expects
are in it, the others are not), so "no entry" means "not shown", not "not looked for".

A route that shows personal data without an entry is marked xfail(strict=True) with the reason
"not audited: ..." until it is mended (a staff member's own inbox was the last); `test_every_get_route_is_placed`
fails when a GET route appears that is neither a case nor left out with a reason.
"""

from __future__ import annotations

import re
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from api.experiments.report import pseudonym
from api.matches.lifecycle import transition
from api.matches.models import Match
from api.matches.status import MatchStatus
from api.nudges.models import InboxMessage
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

PEOPLE = ("anouk", "bram", "cyriel", "dirkje")
ON_CASELOAD = ("anouk", "bram", "cyriel")  # Sanne's; Dirkje is Kees's

Entry = tuple[Any, ...]


# --------------------------------------------------------------------------- the world


@dataclass
class World:
    users: dict[str, User]  # the four people and the staff (coach, other_coach, organiser, admin)
    ids: dict[str, uuid.UUID]  # opportunities, matches, steps, the experiment
    step_what: dict[str, str]  # each person's plan step text (a plan has no name in it)
    salt: str  # the experiment's, for the pseudonyms in its export

    def fill(self, template: str) -> str:
        """`{anouk}`, `{match_bram}`, ... in a path or body replaced by their ids."""
        names = {k: str(u.id) for k, u in self.users.items()} | {
            k: str(v) for k, v in self.ids.items()
        }
        return template.format(**names)

    def marker(self, kind: str, person: str) -> str:
        """What shows that this person's data is in an answer."""
        user = self.users[person]
        if kind == "pseudonym":
            return pseudonym(self.salt, str(user.id))
        if kind == "step":
            return self.step_what[person]
        return user.name.split(" ")[0]  # the first name: every list and page shows it


def build_world(session: Session) -> World:
    now = datetime.now(UTC)
    mun = create_municipality(session)
    team = create_team(session, municipality=mun, name="Buurthuis")
    other_team = create_team(session, municipality=mun, name="Tuinclub")
    staff = {
        "coach": create_user(session, municipality=mun, role="coach", name="Sanne Visser"),
        "other_coach": create_user(session, municipality=mun, role="coach", name="Kees Smit"),
        "organiser": create_user(
            session, municipality=mun, role="organizer", name="Olga Ploeg", team=team
        ),
        "other_organiser": create_user(
            session, municipality=mun, role="organizer", name="Otto Tuin", team=other_team
        ),
        "admin": create_user(session, municipality=mun, role="admin", name="Aylin Beheer"),
    }
    names = {
        "anouk": "Anouk Aalders",
        "bram": "Bram Bosman",
        "cyriel": "Cyriel Claes",
        "dirkje": "Dirkje Dekker",
    }
    people = {
        key: create_user(
            session,
            municipality=mun,
            name=name,
            coach=staff["coach"] if key in ON_CASELOAD else staff["other_coach"],
        )
        for key, name in names.items()
    }
    for person in people.values():
        create_profile(session, user=person)
    cooking = create_opportunity(session, team=team, title="Koken", capacity=6)
    free = create_opportunity(session, team=team, title="Vrije plek")
    garden = create_opportunity(session, team=other_team, title="Moestuin")

    def at(hours: int) -> datetime:
        return now - timedelta(hours=hours)

    # Stories told as they happen, so the staff get the messages they would get.
    anouk = create_match(
        session, person=people["anouk"], opportunity=cooking, history=[("requested", at(30))]
    )
    transition(
        session, anouk, MatchStatus.APPROVED, role="coach", actor_id=staff["coach"].id, now=at(29)
    )
    bram = Match(
        municipality_id=mun.id,
        recipient_id=people["bram"].id,
        opportunity_id=cooking.id,
        reasons=[],
        requested_at=at(20),
        created_at=at(20),
    )
    transition(
        session,
        bram,
        MatchStatus.REQUESTED,
        role="recipient",
        actor_id=bram.recipient_id,
        now=at(20),
    )
    active = [("requested", at(50)), ("approved", at(49)), ("active", at(48))]
    cyriel = create_match(session, person=people["cyriel"], opportunity=garden, history=active)
    dirkje = create_match(session, person=people["dirkje"], opportunity=cooking, history=active)
    session.add(
        CheckIn(
            user_id=people["anouk"].id,
            municipality_id=mun.id,
            date=date.today() - timedelta(days=1),
            hours=2,
            wellbeing=4,
        )
    )
    step_what: dict[str, str] = {}
    step_ids: dict[str, uuid.UUID] = {}
    for key, person in people.items():
        step_what[key] = f"Stap-{key}-{uuid.uuid4().hex[:8]}"
        step = PlanStep(
            municipality_id=mun.id,
            recipient_id=person.id,
            kind="make_cv",
            what=step_what[key],
            due_on=date.today() + timedelta(days=14),
            due_is_week=False,
            with_coach=False,
        )
        coach_id = person.coach_id
        assert coach_id is not None
        plan_lifecycle.propose(session, step, role="coach", actor_id=coach_id)
        step_ids[f"step_{key}"] = step.id
    exp = create_experiment(
        session,
        municipality=mun,
        started_at=datetime.now(UTC) - timedelta(days=3),
        enrolled=[people["anouk"], people["bram"], people["dirkje"]],
        assigned_at=datetime.now(UTC) - timedelta(days=2),
    )
    session.flush()
    inbox = {  # the one message each of Sanne and Olga got from the stories above
        f"msg_{who}": session.scalars(
            select(InboxMessage.id).where(InboxMessage.user_id == staff[who].id)
        ).one()
        for who in ("coach", "organiser")
    }
    return World(
        users={**people, **staff},
        ids={
            "cooking": cooking.id,
            "free": free.id,
            "garden": garden.id,
            "match_anouk": anouk.id,
            "match_bram": bram.id,
            "match_cyriel": cyriel.id,
            "match_dirkje": dirkje.id,
            "experiment": exp.id,
            **step_ids,
            **inbox,
        },
        step_what=step_what,
        salt=exp.salt,
    )


@pytest.fixture()
def connection(module_connection: Connection) -> Iterator[Connection]:
    """Each case in a SAVEPOINT inside the module's transaction, where the world lives."""
    yield from savepoint_per_test(module_connection)


@pytest.fixture(scope="module")
def world(module_connection: Connection) -> World:
    s = Session(
        bind=module_connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    built = build_world(s)
    s.commit()
    s.close()
    return built


# --------------------------------------------------------------------------- reading the logs


def _bearer(app: Flask, session: Session, user: User) -> dict[str, str]:
    with app.app_context():
        pair = signin_service.start_session(session, session.get(User, user.id) or user)
    return {"Authorization": f"Bearer {pair.access_token}"}


def _logs(app: Flask, client: FlaskClient, session: Session, w: World) -> dict[str, list[Entry]]:
    """Each person's access log, as they read it themselves."""
    out = {}
    for key in PEOPLE:
        resp = client.get(
            "/v1/me/access-log?limit=100", headers=_bearer(app, session, w.users[key])
        )
        assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
        body = resp.get_json()
        assert body["nextCursor"] is None  # the whole log fits in one page here
        out[key] = [
            (
                e["actorRole"],
                e["actorName"],
                e["action"],
                e["objectType"],
                e["result"],
                e["purpose"],
            )
            for e in body["items"]
        ]
    return out


def _new(before: dict[str, list[Entry]], after: dict[str, list[Entry]]) -> dict[str, list[Entry]]:
    return {k: list((Counter(after[k]) - Counter(before[k])).elements()) for k in PEOPLE}


def _assert_logged(
    w: World,
    new: dict[str, list[Entry]],
    *,
    staff: str,
    shown: tuple[str, ...] | set[str],
    action: str = "read",
    object_type: str | None = None,
) -> None:
    """Every person shown has an entry by `staff` (role, name, action, purpose); nobody else
    has any new entry."""
    member = w.users[staff]
    for key in PEOPLE:
        if key not in shown:
            assert new[key] == [], f"{key} was not in the answer, yet their log grew: {new[key]}"
            continue
        assert new[key], f"{key} was in the answer; nothing in their access log"
        for role, name, _, _, result, purpose in new[key]:
            assert (role, name, result) == (member.role, member.name, "success"), new[key]
            assert isinstance(purpose, str) and purpose.strip(), f"no purpose: {new[key]}"
        assert any(
            act == action and (object_type is None or obj == object_type)
            for _, _, act, obj, _, _ in new[key]
        ), f"{key}: no {action} {object_type or ''} entry in {new[key]}"


def _assert_premise(w: World, text: str, *, marker: str, shown: tuple[str, ...]) -> None:
    """The answer holds the data of exactly the people the case says it shows."""
    for key in PEOPLE:
        present = w.marker(marker, key) in text
        assert present == (key in shown), f"{key} {'missing from' if not present else 'in'} answer"


# --------------------------------------------------------------------------- the API reads


@dataclass(frozen=True)
class Read:
    """One staff request that answers with people's data, and whose data that is."""

    staff: str  # coach | organiser | admin (keys of World.users)
    path: str  # with {placeholders} for World.fill
    shown: tuple[str, ...]
    object_type: str | None  # the entry's objectType (None: not pinned, for a known gap)
    marker: str = "name"  # name | pseudonym | step (World.marker)
    gap: str | None = None  # the reason, when the read is known to be unaudited
    method: str = "GET"


API_READS: dict[str, Read] = {
    # a coach's caseload lists three people: all three, not Dirkje (another coach's)
    "GET /v1/caseload": Read("coach", "/v1/caseload", ON_CASELOAD, "caseload_overview"),
    # one person: profile, matches with history, check-ins, ladder, plan
    "GET /v1/caseload/<uuid:recipient_id>": Read(
        "coach", "/v1/caseload/{anouk}", ("anouk",), "caseload_person"
    ),
    "GET /v1/caseload/<uuid:recipient_id>/steps": Read(
        "coach", "/v1/caseload/{anouk}/steps", ("anouk",), "plan", marker="step"
    ),
    # the approval queue: every match of the caseload, each with the person's name
    "GET /v1/matches": Read("coach", "/v1/matches", ON_CASELOAD, "match"),
    # an organiser's candidates: approved/active only (Bram only asked; Cyriel is another team's)
    "GET /v1/opportunities/<uuid:opportunity_id>/matches": Read(
        "organiser", "/v1/opportunities/{cooking}/matches", ("anouk", "dirkje"), "candidate"
    ),
    "GET /v1/teams/mine/candidates": Read(
        "organiser", "/v1/teams/mine/candidates", ("anouk", "dirkje"), "candidate"
    ),
    # the research export: a pseudonymised row per enrolled person (Cyriel is not enrolled)
    "GET /v1/admin/experiments/<uuid:experiment_id>/export": Read(
        "admin",
        "/v1/admin/experiments/{experiment}/export",
        ("anouk", "bram", "dirkje"),
        "experiment_export",
        marker="pseudonym",
    ),
    # staff messages name the person: "Bram would like to join Koken", "Anouk may join Koken"
    "GET /v1/me/inbox [coach]": Read("coach", "/v1/me/inbox", ("bram",), "inbox_message"),
    "GET /v1/me/inbox [organiser]": Read("organiser", "/v1/me/inbox", ("anouk",), "inbox_message"),
    # marking one such message read answers with the message again
    "POST /v1/me/inbox/<uuid:message_id>/read [coach]": Read(
        "coach",
        "/v1/me/inbox/{msg_coach}/read",
        ("bram",),
        "inbox_message",
        method="POST",
    ),
}

# GET routes under /v1 that are not a staff read of someone else's personal data, and why.
NOT_A_STAFF_READ: dict[str, str] = {
    "GET /v1/health": "public, no personal data",
    "GET /v1/openapi.json": "public, no personal data",
    "GET /v1/interests": "public, no personal data",
    "GET /v1/me": "one's own account",
    "GET /v1/me/access-log": "one's own access log (the thing checked here)",
    "GET /v1/me/devices": "one's own devices",
    "GET /v1/me/inbox/unread-count": "a number",
    "GET /v1/me/notification-preferences": "one's own settings",
    "GET /v1/me/profile": "recipients only, their own",
    "GET /v1/me/feed": "recipients only, their own",
    "GET /v1/me/matches": "recipients only, their own",
    "GET /v1/me/checkins": "recipients only, their own",
    "GET /v1/me/progress": "recipients only, their own",
    "GET /v1/me/steps": "recipients only, their own",
    "GET /v1/me/export": "recipients only, their own",
    "GET /v1/me/experiments": "recipients only, their own",
    "GET /v1/opportunities": "opportunities; only a count of places left",
    "GET /v1/opportunities/<uuid:opportunity_id>": "one opportunity; only places left",
    "GET /v1/admin/policy": "the municipality's settings",
    "GET /v1/admin/reports/funnel": "aggregates, cells under 10 withheld",
    "GET /v1/admin/experiments": "registrations, no people",
    "GET /v1/admin/experiments/<uuid:experiment_id>": "a registration, no people",
    "GET /v1/admin/experiments/<uuid:experiment_id>/report": "aggregates, cells under 10 withheld",
    "GET /v1/admin/audit": "the oversight trail itself: pseudonymous ids, no names or content",
}


def _read_params(table: dict[str, Read]) -> list[Any]:
    return [
        pytest.param(
            key,
            id=key,
            marks=[pytest.mark.xfail(strict=True, reason=r.gap)] if r.gap else [],
        )
        for key, r in table.items()
    ]


def test_every_get_route_is_placed(app: Flask) -> None:
    """A new GET route is either a case here or left out with a reason."""
    served = {
        f"GET {r.rule}"
        for r in app.url_map.iter_rules()
        if r.rule.startswith("/v1/") and "GET" in (r.methods or set())
    }
    cases = {re.sub(r" \[\w+\]$", "", key) for key in API_READS if key.startswith("GET ")}
    assert sorted(served - cases - set(NOT_A_STAFF_READ)) == [], "GET routes nobody placed"
    assert sorted((cases | set(NOT_A_STAFF_READ)) - served) == [], "placed routes that are gone"
    assert not cases & set(NOT_A_STAFF_READ)


@pytest.mark.parametrize("key", _read_params(API_READS))
def test_a_staff_read_is_in_the_access_log_of_each_person_shown(
    app: Flask, client: FlaskClient, session: Session, world: World, key: str
) -> None:
    case = API_READS[key]
    before = _logs(app, client, session, world)
    resp = client.open(
        world.fill(case.path),
        method=case.method,
        headers=_bearer(app, session, world.users[case.staff]),
    )
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    _assert_premise(world, resp.get_data(as_text=True), marker=case.marker, shown=case.shown)
    after = _logs(app, client, session, world)
    _assert_logged(
        world,
        _new(before, after),
        staff=case.staff,
        shown=case.shown,
        object_type=case.object_type,
    )


# Lists one person per page: each page audits exactly the person on it, the first and the rest.
PAGED: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "GET /v1/caseload": ("coach", "/v1/caseload", ON_CASELOAD),
    "GET /v1/matches": ("coach", "/v1/matches", ON_CASELOAD),
    "GET /v1/teams/mine/candidates": (
        "organiser",
        "/v1/teams/mine/candidates",
        ("anouk", "dirkje"),
    ),
}


@pytest.mark.parametrize("key", list(PAGED), ids=list(PAGED))
def test_a_list_audits_each_person_on_each_page_and_no_one_else(
    app: Flask, client: FlaskClient, session: Session, world: World, key: str
) -> None:
    staff, path, everyone = PAGED[key]
    headers = _bearer(app, session, world.users[staff])
    seen: list[str] = []
    cursor: str | None = None
    for _ in range(len(everyone) + 1):
        before = _logs(app, client, session, world)
        query = {"limit": 1} | ({"cursor": cursor} if cursor else {})
        resp = client.get(path, query_string=query, headers=headers)
        assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
        text = resp.get_data(as_text=True)
        on_page = {p for p in PEOPLE if world.marker("name", p) in text}
        assert len(on_page) == 1, f"one person per page expected, got {on_page}"
        after = _logs(app, client, session, world)
        _assert_logged(world, _new(before, after), staff=staff, shown=on_page)
        seen.extend(on_page)
        cursor = resp.get_json()["nextCursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(everyone)  # every page, not only the first, was audited


# --------------------------------------------------------------------------- answers to changes


@dataclass(frozen=True)
class Change:
    """A coach's change whose answer shows the person's data (their match, plan, ladder)."""

    method: str
    path: str
    body: dict[str, Any]
    person: str
    action: str
    object_type: str


def _later(days: int) -> str:
    return (date.today() + timedelta(days=days)).isoformat()


CHANGES: dict[str, Change] = {
    "POST /v1/matches/<uuid:match_id>/approve": Change(
        "POST", "/v1/matches/{match_bram}/approve", {}, "bram", "update", "match"
    ),
    "POST /v1/matches/<uuid:match_id>/decline": Change(
        "POST",
        "/v1/matches/{match_bram}/decline",
        {"reason": "Past nu niet in het rooster"},
        "bram",
        "update",
        "match",
    ),
    "POST /v1/caseload/<uuid:recipient_id>/suggestions": Change(
        "POST",
        "/v1/caseload/{anouk}/suggestions",
        {"opportunityId": "{free}", "note": "Past bij je"},
        "anouk",
        "update",
        "match",
    ),
    "POST /v1/caseload/<uuid:recipient_id>/steps": Change(
        "POST",
        "/v1/caseload/{anouk}/steps",
        {"kind": "make_cv", "dueOn": _later(7)},
        "anouk",
        "create",
        "plan_step",
    ),
    "PATCH /v1/caseload/<uuid:recipient_id>/steps/<uuid:step_id>": Change(
        "PATCH",
        "/v1/caseload/{anouk}/steps/{step_anouk}",
        {"dueOn": _later(21)},
        "anouk",
        "update",
        "plan_step",
    ),
    "POST /v1/caseload/<uuid:recipient_id>/ladder-assessments": Change(
        "POST",
        "/v1/caseload/{anouk}/ladder-assessments",
        {"step": 3, "note": "Gaat goed"},
        "anouk",
        "create",
        "ladder_assessment",
    ),
}


@pytest.mark.parametrize("key", list(CHANGES), ids=list(CHANGES))
def test_a_coachs_change_that_shows_the_persons_data_is_in_their_log_only(
    app: Flask, client: FlaskClient, session: Session, world: World, key: str
) -> None:
    case = CHANGES[key]
    body = {k: world.fill(v) if isinstance(v, str) else v for k, v in case.body.items()}
    before = _logs(app, client, session, world)
    resp = client.open(
        world.fill(case.path),
        method=case.method,
        json=body,
        headers=_bearer(app, session, world.users["coach"]),
    )
    assert 200 <= resp.status_code < 300, resp.get_data(as_text=True)[:500]
    after = _logs(app, client, session, world)
    _assert_logged(
        world,
        _new(before, after),
        staff="coach",
        shown=(case.person,),
        action=case.action,
        object_type=case.object_type,
    )


# --------------------------------------------------------------------------- the console
# tests/console/conftest.py signs in through a real browser (committed data, Chromium); the
# pages here need only the form, so they sign in through the Flask test client and stay in the
# rolled-back world, as tests/console/test_console_http.py does.


def _console_sign_in(client: FlaskClient, email: str) -> None:
    """Sign in to the console as a browser would (the form with its CSRF token)."""
    page = client.get("/console/inloggen").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token, "no CSRF token on the sign-in page"
    resp = client.post(
        "/console/inloggen",
        data={"csrf_token": token.group(1), "email": email, "password": PASSWORD},
    )
    assert resp.status_code in (302, 303), resp.get_data(as_text=True)[:500]


CONSOLE_READS: dict[str, Read] = {
    "GET /console/mensen": Read("coach", "/console/mensen", ON_CASELOAD, "caseload_overview"),
    "GET /console/mensen/<uuid:recipient_id>": Read(
        "coach", "/console/mensen/{anouk}", ("anouk",), "caseload_person"
    ),
    # Aanvragen: requests waiting only, so only Bram (Anouk was approved, Cyriel is active)
    "GET /console/aanvragen": Read("coach", "/console/aanvragen", ("bram",), "match"),
    "GET /console/kandidaten": Read(
        "organiser", "/console/kandidaten", ("anouk", "dirkje"), "candidate"
    ),
}


@pytest.mark.parametrize("key", _read_params(CONSOLE_READS))
def test_a_console_page_is_in_the_access_log_of_each_person_shown(
    app: Flask, client: FlaskClient, session: Session, world: World, key: str
) -> None:
    case = CONSOLE_READS[key]
    member = world.users[case.staff]
    assert member.email
    _console_sign_in(client, member.email)
    before = _logs(app, client, session, world)
    resp = client.get(world.fill(case.path))
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    _assert_premise(world, resp.get_data(as_text=True), marker=case.marker, shown=case.shown)
    after = _logs(app, client, session, world)
    _assert_logged(
        world,
        _new(before, after),
        staff=case.staff,
        shown=case.shown,
        object_type=case.object_type,
    )
