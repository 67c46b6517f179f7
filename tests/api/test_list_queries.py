"""No N+1 on the lists: a page of 8 items costs the database as many statements as a page of 2.

Each test builds a small world, asks its list once to warm up, adds 2 items (each with the
related rows the response shows: person, opportunity, team, history, ...), counts every statement
one request sends, adds 6 more and counts again. The feed is left out: it runs its own
hand-written query on a borrowed driver connection (see tests/api/test_feed_catalog.py).
"""

from __future__ import annotations

import itertools
import re
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from api.audit.models import AuditEvent
from api.interests.models import Interest
from api.ladder.models import LadderEntry
from api.matches.models import Match, MatchFeedback
from api.municipalities.models import Municipality, Team
from api.nudges.models import Device, InboxMessage
from api.plans import lifecycle
from api.plans.models import PlanStep
from api.plans.status import StepStatus
from api.progress.models import CheckIn
from api.users.models import User
from tests.conftest import statements_sent
from tests.factories import (
    auth_headers,
    create_experiment,
    create_match,
    create_municipality,
    create_opportunity,
    create_profile,
    create_team,
    create_user,
)

FEW, MANY = 2, 8
START = datetime.now(UTC) - timedelta(days=20)
# The stories a match can have been through, cycled over the matches a test makes.
STORIES: tuple[tuple[str, ...], ...] = (
    ("requested",),
    ("requested", "approved"),
    ("requested", "approved", "active"),
    ("requested", "approved", "active", "completed"),
)

Add = Callable[[int], None]
Items = Callable[[dict[str, Any]], list[Any]]


def _get(
    client: FlaskClient, engine: Engine, url: str, headers: dict[str, str]
) -> tuple[dict[str, Any], list[str]]:
    with statements_sent(engine) as seen:
        resp = client.get(url, headers=headers)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    body = resp.get_json()
    assert isinstance(body, dict)
    return body, seen


def _shape(statement: str) -> str:
    """A statement on one line, savepoints without their running number."""
    return re.sub(r"sa_savepoint_\d+", "sa_savepoint_N", " ".join(statement.split()))


def _grown(few: list[str], many: list[str]) -> str:
    """The statements sent more often for the longer list, each with its two counts."""
    a, b = Counter(map(_shape, few)), Counter(map(_shape, many))
    lines = [f"{a[s]} -> {b[s]} times: {s[:400]}" for s in b if b[s] > a[s]]
    return "\n".join(lines) or "(no statement repeats more often; some are different)"


def assert_same_cost(
    client: FlaskClient,
    engine: Engine,
    url: str,
    headers: dict[str, str],
    add: Add,
    *,
    items: Items = lambda body: list(body["items"]),
) -> None:
    """The list at `url` sends as many statements with MANY items as with FEW.

    `add(n)` makes n more items the list shows. The first request warms up what a process keeps
    (policies, catalogues) and tells how many items were there before.
    """
    before = len(items(_get(client, engine, url, headers)[0]))
    add(FEW)
    body, few = _get(client, engine, url, headers)
    assert len(items(body)) == before + FEW
    add(MANY - FEW)
    body, many = _get(client, engine, url, headers)
    assert len(items(body)) == before + MANY
    print(f"{url}: {len(few)} statements for {FEW} items, {len(many)} for {MANY}")
    assert len(many) == len(few), (
        f"{url}: {len(few)} statements for {FEW} items, {len(many)} for {MANY}\n"
        + _grown(few, many)
    )


# --------------------------------------------------------------------------- small builders

_n = itertools.count(1)


def _ago(hours: int) -> datetime:
    return START + timedelta(hours=hours)


def _story(statuses: tuple[str, ...]) -> list[tuple[str, datetime]]:
    return [(s, _ago(i)) for i, s in enumerate(statuses)]


def _person(session: Session, mun: Municipality, coach: User, *, profile: bool = True) -> User:
    person = create_user(session, municipality=mun, coach=coach, name=f"Persoon{next(_n)} Jansen")
    if profile:
        create_profile(session, user=person)
    return person


def _opportunity_elsewhere(session: Session, mun: Municipality) -> Any:
    """A published opportunity of a team of its own (so every item has its own team)."""
    team = create_team(session, municipality=mun, name=f"Team {next(_n)}")
    return create_opportunity(session, team=team, title=f"Klus {next(_n)}")


def _match(session: Session, person: User, opportunity: Any, statuses: tuple[str, ...]) -> Match:
    match = create_match(session, person=person, opportunity=opportunity, history=_story(statuses))
    if match.status == "completed":
        session.add(MatchFeedback(match_id=match.id, helped=True, again=True, words="Leuk"))
        session.flush()
    return match


def _audit_row(mun: Municipality, actor: User, subject: User, n: int) -> AuditEvent:
    return AuditEvent(
        municipality_id=mun.id,
        actor_id=actor.id,
        actor_role=actor.role,
        actor_name=actor.name,
        subject_id=subject.id,
        action=("read", "update")[n % 2],
        object_type="match",
        object_id=str(uuid.uuid4()),
        origin="GET /v1/matches",
        purpose="approval queue",
    )


# --------------------------------------------------------------------------- a person's lists


def test_a_persons_matches_cost_the_same_statements_with_8_as_with_2(
    app: Flask, client: FlaskClient, session: Session, engine: Engine
) -> None:
    mun = create_municipality(session)
    coach = create_user(session, municipality=mun, role="coach")
    person = _person(session, mun, coach)
    made = itertools.count()

    def add(n: int) -> None:
        for _ in range(n):
            story = STORIES[next(made) % len(STORIES)]
            _match(session, person, _opportunity_elsewhere(session, mun), story)

    h = auth_headers(app, session, person)
    assert_same_cost(client, engine, "/v1/me/matches", h, add)


def test_a_persons_inbox_costs_the_same_statements_with_8_messages_as_with_2(
    app: Flask, client: FlaskClient, session: Session, engine: Engine
) -> None:
    mun = create_municipality(session)
    person = create_user(session, municipality=mun)
    opp = _opportunity_elsewhere(session, mun)

    def add(n: int) -> None:
        for i in range(n):
            session.add(
                InboxMessage(
                    user_id=person.id,
                    kind=("new_opportunity", "weekly_suggestions")[i % 2],
                    title="Nieuw bij jou in de buurt",
                    body="Koken in het buurthuis",
                    target_type="opportunity" if i % 2 == 0 else None,
                    target_id=str(opp.id) if i % 2 == 0 else None,
                    read_at=_ago(i) if i % 3 == 0 else None,
                )
            )
        session.flush()

    h = auth_headers(app, session, person)
    assert_same_cost(client, engine, "/v1/me/inbox", h, add)


def test_a_persons_devices_cost_the_same_statements_with_8_phones_as_with_2(
    app: Flask, client: FlaskClient, session: Session, engine: Engine
) -> None:
    mun = create_municipality(session)
    person = create_user(session, municipality=mun)

    def add(n: int) -> None:
        for i in range(n):
            session.add(
                Device(
                    user_id=person.id,
                    platform=("ios", "android", "web")[i % 3],
                    push_token=f"token-{uuid.uuid4().hex}",
                )
            )
        session.flush()

    h = auth_headers(app, session, person)
    assert_same_cost(client, engine, "/v1/me/devices", h, add)


def test_a_persons_plan_costs_the_same_statements_with_8_steps_as_with_2(
    app: Flask, client: FlaskClient, session: Session, engine: Engine
) -> None:
    mun = create_municipality(session)
    coach = create_user(session, municipality=mun, role="coach")
    person = _person(session, mun, coach)
    made = itertools.count()

    def add(n: int) -> None:
        for _ in range(n):
            i = next(made)
            step = PlanStep(
                municipality_id=mun.id,
                recipient_id=person.id,
                kind=("make_cv", "visit_activity", "training", "talk_to_employer")[i % 4],
                due_on=date.today() + timedelta(days=i),
                due_is_week=i % 2 == 1,
                with_coach=False,
            )
            lifecycle.propose(session, step, role="coach", actor_id=coach.id, now=_ago(i))
            if i % 4 == 0:
                continue  # open, waiting for the person: at most 2 of the 8 are open
            lifecycle.transition(
                session, step, StepStatus.AGREED, role="recipient", actor_id=person.id, now=_ago(i)
            )
            done = i % 4 != 1
            lifecycle.transition(
                session,
                step,
                StepStatus.DONE if done else StepStatus.DROPPED,
                role="recipient",
                actor_id=person.id,
                reason=None if done else "Geen tijd meer",
                now=_ago(i + 1),
            )
        session.flush()

    h = auth_headers(app, session, person)
    assert_same_cost(client, engine, "/v1/me/steps", h, add)


def _checkins_and_matches(session: Session, mun: Municipality, person: User) -> Add:
    """Adds n started matches (active or completed), each with a check-in and a ladder entry."""
    made = itertools.count()

    def add(n: int) -> None:
        for _ in range(n):
            i = next(made)
            match = _match(
                session, person, _opportunity_elsewhere(session, mun), STORIES[2 + i % 2]
            )
            session.add(
                CheckIn(
                    user_id=person.id,
                    municipality_id=mun.id,
                    match_id=match.id,
                    date=date.today() - timedelta(days=i),
                    hours=2 + i,
                    wellbeing=1 + i % 5,
                    steps_toward_work=["cv_made"] if i % 2 else [],
                    informal_care=i % 3 == 0,
                )
            )
            session.add(
                LadderEntry(
                    user_id=person.id,
                    municipality_id=mun.id,
                    step=1 + i % 6,
                    source="self",
                    at=_ago(i),
                )
            )
        session.flush()

    return add


def test_a_persons_checkins_cost_the_same_statements_with_8_as_with_2(
    app: Flask, client: FlaskClient, session: Session, engine: Engine
) -> None:
    mun = create_municipality(session)
    coach = create_user(session, municipality=mun, role="coach")
    person = _person(session, mun, coach)
    add = _checkins_and_matches(session, mun, person)
    h = auth_headers(app, session, person)
    assert_same_cost(client, engine, "/v1/me/checkins", h, add)


def test_a_persons_progress_costs_the_same_statements_with_8_activities_as_with_2(
    app: Flask, client: FlaskClient, session: Session, engine: Engine
) -> None:
    mun = create_municipality(session)
    coach = create_user(session, municipality=mun, role="coach")
    person = _person(session, mun, coach)
    add = _checkins_and_matches(session, mun, person)
    h = auth_headers(app, session, person)

    def matches(body: dict[str, Any]) -> list[Any]:
        assert len(body["wellbeing"]) == len(body["activeMatches"]) + len(body["pastMatches"])
        return [*body["activeMatches"], *body["pastMatches"]]

    assert_same_cost(client, engine, "/v1/me/progress", h, add, items=matches)


def test_who_looked_at_my_data_costs_the_same_statements_with_8_entries_as_with_2(
    app: Flask, client: FlaskClient, session: Session, engine: Engine
) -> None:
    mun = create_municipality(session)
    coach = create_user(session, municipality=mun, role="coach")
    person = _person(session, mun, coach)
    staff = [coach, create_user(session, municipality=mun, role="organizer")]

    def add(n: int) -> None:
        for i in range(n):
            session.add(_audit_row(mun, staff[i % 2], person, i))
        session.flush()

    h = auth_headers(app, session, person)
    assert_same_cost(client, engine, "/v1/me/access-log", h, add)


# --------------------------------------------------------------------------- staff lists


def test_a_coachs_approval_queue_costs_the_same_statements_with_8_requests_as_with_2(
    app: Flask, client: FlaskClient, session: Session, engine: Engine
) -> None:
    mun = create_municipality(session)
    coach = create_user(session, municipality=mun, role="coach")
    made = itertools.count()

    def add(n: int) -> None:
        for _ in range(n):
            person = _person(session, mun, coach, profile=next(made) % 2 == 0)
            _match(session, person, _opportunity_elsewhere(session, mun), ("requested",))

    h = auth_headers(app, session, coach)
    assert_same_cost(client, engine, "/v1/matches?status=requested", h, add)


def test_a_coachs_caseload_costs_the_same_statements_with_8_people_as_with_2(
    app: Flask, client: FlaskClient, session: Session, engine: Engine
) -> None:
    mun = create_municipality(session)
    coach = create_user(session, municipality=mun, role="coach")
    made = itertools.count()

    def add(n: int) -> None:
        for _ in range(n):
            i = next(made)
            person = _person(session, mun, coach, profile=i % 2 == 0)
            _match(session, person, _opportunity_elsewhere(session, mun), STORIES[i % 4])
            session.add(
                CheckIn(
                    user_id=person.id,
                    municipality_id=mun.id,
                    date=date.today() - timedelta(days=i),
                    hours=3,
                    wellbeing=1 + i % 5,
                )
            )
            session.add(
                InboxMessage(
                    user_id=person.id, kind="checkin_prompt", title="Hoe gaat het?", body="."
                )
            )
            step = PlanStep(
                municipality_id=mun.id,
                recipient_id=person.id,
                kind="make_cv",
                due_on=date.today() - timedelta(days=30),
                due_is_week=False,
                with_coach=True,
            )
            lifecycle.propose(session, step, role="coach", actor_id=coach.id, now=_ago(i))
        session.flush()

    h = auth_headers(app, session, coach)
    assert_same_cost(client, engine, "/v1/caseload", h, add)


def test_a_coachs_view_of_a_plan_costs_the_same_statements_with_8_steps_as_with_2(
    app: Flask, client: FlaskClient, session: Session, engine: Engine
) -> None:
    mun = create_municipality(session)
    coach = create_user(session, municipality=mun, role="coach")
    person = _person(session, mun, coach)
    made = itertools.count()

    def add(n: int) -> None:
        for _ in range(n):
            i = next(made)
            step = PlanStep(
                municipality_id=mun.id,
                recipient_id=person.id,
                kind="training",
                due_on=date.today() + timedelta(days=i),
                due_is_week=False,
                with_coach=True,
            )
            lifecycle.propose(session, step, role="recipient", actor_id=person.id, now=_ago(i))
            if i % 4 != 0:
                lifecycle.transition(
                    session, step, StepStatus.AGREED, role="coach", actor_id=coach.id, now=_ago(i)
                )
                lifecycle.transition(
                    session, step, StepStatus.DONE, role="coach", actor_id=coach.id, now=_ago(i)
                )
        session.flush()

    h = auth_headers(app, session, coach)
    assert_same_cost(client, engine, f"/v1/caseload/{person.id}/steps", h, add)


def _organiser_with_candidates(session: Session) -> tuple[User, Team, Callable[[int, Any], None]]:
    """An organiser, their team, and `add(n, opportunity)`: n approved or active people.

    `opportunity` None gives each person an opportunity of the team of its own.
    """
    mun = create_municipality(session)
    team = create_team(session, municipality=mun, name="Wijkteam Oost")
    organiser = create_user(session, municipality=mun, role="organizer", team=team)
    coach = create_user(session, municipality=mun, role="coach")
    made = itertools.count()

    def add(n: int, opportunity: Any) -> None:
        for _ in range(n):
            i = next(made)
            person = _person(session, mun, coach, profile=i % 3 != 0)
            opp = opportunity or create_opportunity(session, team=team, title=f"Klus {i}")
            _match(session, person, opp, STORIES[1 + i % 2])

    return organiser, team, add


def test_an_organisers_queue_costs_the_same_statements_with_8_people_as_with_2(
    app: Flask, client: FlaskClient, session: Session, engine: Engine
) -> None:
    organiser, _team, add = _organiser_with_candidates(session)
    h = auth_headers(app, session, organiser)
    assert_same_cost(client, engine, "/v1/teams/mine/candidates", h, lambda n: add(n, None))


def test_an_opportunitys_candidates_cost_the_same_statements_with_8_people_as_with_2(
    app: Flask, client: FlaskClient, session: Session, engine: Engine
) -> None:
    organiser, team, add = _organiser_with_candidates(session)
    opp = create_opportunity(session, team=team, capacity=MANY)
    h = auth_headers(app, session, organiser)
    url = f"/v1/opportunities/{opp.id}/matches"
    assert_same_cost(client, engine, url, h, lambda n: add(n, opp))


def test_an_organisers_own_opportunities_cost_the_same_statements_with_8_as_with_2(
    app: Flask, client: FlaskClient, session: Session, engine: Engine
) -> None:
    mun = create_municipality(session)
    team = create_team(session, municipality=mun)
    organiser = create_user(session, municipality=mun, role="organizer", team=team)
    made = itertools.count()

    def add(n: int) -> None:
        for _ in range(n):
            i = next(made)
            status = ("draft", "published", "paused", "closed")[i % 4]
            create_opportunity(session, team=team, status=status, title=f"Klus {i}")

    h = auth_headers(app, session, organiser)
    assert_same_cost(client, engine, "/v1/opportunities?team=mine", h, add)


def test_opportunities_near_a_place_cost_the_same_statements_with_8_as_with_2(
    app: Flask, client: FlaskClient, session: Session, engine: Engine
) -> None:
    mun = create_municipality(session)
    organiser = create_user(session, municipality=mun, role="organizer")
    create_opportunity(  # far away: not listed
        session, team=create_team(session, municipality=mun), lat=53.2, lon=6.56
    )
    made = itertools.count()

    def add(n: int) -> None:
        for _ in range(n):
            i = next(made)
            team = create_team(session, municipality=mun, name=f"Team {i}")
            create_opportunity(session, team=team, lat=52.37 + i / 1000, lon=4.89, title=f"{i}")

    h = auth_headers(app, session, organiser)
    url = "/v1/opportunities?near=52.37,4.89&radiusKm=5"
    assert_same_cost(client, engine, url, h, add)


# --------------------------------------------------------------------------- admin lists


def test_the_audit_trail_costs_the_same_statements_with_8_entries_as_with_2(
    app: Flask, client: FlaskClient, session: Session, engine: Engine
) -> None:
    mun = create_municipality(session)
    admin = create_user(session, municipality=mun, role="admin")
    coach = create_user(session, municipality=mun, role="coach")
    people = [_person(session, mun, coach) for _ in range(2)]

    def add(n: int) -> None:
        for i in range(n):
            session.add(_audit_row(mun, coach, people[i % 2], i))
        session.flush()

    h = auth_headers(app, session, admin)
    assert_same_cost(client, engine, "/v1/admin/audit", h, add)


def test_the_experiments_list_costs_the_same_statements_with_8_as_with_2(
    app: Flask, client: FlaskClient, session: Session, engine: Engine
) -> None:
    mun = create_municipality(session)
    admin = create_user(session, municipality=mun, role="admin")

    def add(n: int) -> None:
        for i in range(n):
            create_experiment(
                session, municipality=mun, name=f"Proef {i}", status="draft", created_by=admin
            )

    h = auth_headers(app, session, admin)
    assert_same_cost(client, engine, "/v1/admin/experiments", h, add)


# --------------------------------------------------------------------------- public lists


def test_the_interests_cost_the_same_statements_with_8_more_as_with_2(
    app: Flask, client: FlaskClient, session: Session, engine: Engine
) -> None:
    category = session.scalars(select(Interest.category_key).limit(1)).one()

    def add(n: int) -> None:
        for _ in range(n):
            key = f"test-{uuid.uuid4().hex[:12]}"
            session.add(
                Interest(
                    key=key, category_key=category, label_nl=key, label_en=key, position=10_000
                )
            )
        session.flush()

    assert_same_cost(client, engine, "/v1/interests", {}, add)
