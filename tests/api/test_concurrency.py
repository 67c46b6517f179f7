"""Real concurrent transactions: the last place goes once, a retried approval acts once,
and the places-taken counter stays exact under random concurrent steps."""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from api.matches.models import Match, MatchEvent
from api.matches.service import expire_stale_requests
from api.matches.status import TAKES_A_PLACE
from api.municipalities.models import Municipality, Policy
from api.opportunities.models import Opportunity
from tests.factories import (
    auth_headers,
    create_match,
    create_municipality,
    create_opportunity,
    create_team,
    create_user,
)


@pytest.fixture()
def committed(app: Flask, engine: Engine) -> Iterator[dict[str, Any]]:
    """Data committed for real (other connections must see it); removed afterwards."""
    with Session(engine, expire_on_commit=False) as s:
        m = create_municipality(s)
        team = create_team(s, municipality=m)
        opp = create_opportunity(s, team=team, capacity=1)
        coaches, matches, headers = [], [], []
        for _ in range(6):
            coach = create_user(s, municipality=m, role="coach")
            person = create_user(s, municipality=m, role="recipient", coach=coach)
            match = create_match(
                s, person=person, opportunity=opp, history=[("requested", datetime.now(UTC))]
            )
            coaches.append(coach)
            matches.append(match)
            headers.append(auth_headers(app, s, coach))
        s.commit()
        data: dict[str, Any] = {"m": m, "opp": opp, "matches": matches, "headers": headers}
    yield data
    with Session(engine) as s:
        s.delete(s.get(Municipality, data["m"].id))
        s.commit()


def _at_once(app: Flask, calls: list[tuple[str, dict[str, str]]]) -> list[Any]:
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int, url: str, headers: dict[str, str]) -> None:
        client = app.test_client()
        barrier.wait()
        resp = client.post(url, headers=headers)
        results[i] = (resp.status_code, resp.get_json())

    threads = [threading.Thread(target=run, args=(i, u, h)) for i, (u, h) in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


def test_six_coaches_approve_the_last_place_at_once(app: Flask, engine: Engine, committed) -> None:
    calls = [
        (f"/v1/matches/{m.id}/approve", h)
        for m, h in zip(committed["matches"], committed["headers"], strict=True)
    ]
    results = _at_once(app, calls)
    statuses = sorted(r[0] for r in results)
    assert statuses == [200, 409, 409, 409, 409, 409]
    with Session(engine) as s:
        taken = s.scalar(
            select(func.count())
            .select_from(Match)
            .where(
                Match.opportunity_id == committed["opp"].id,
                Match.status.in_(("approved", "active")),
            )
        )
    assert taken == 1


def test_same_idempotency_key_twice_at_once_approves_once(
    app: Flask, engine: Engine, committed
) -> None:
    match = committed["matches"][0]
    headers = {**committed["headers"][0], "Idempotency-Key": "approve-once"}
    results = _at_once(app, [(f"/v1/matches/{match.id}/approve", headers)] * 2)
    assert [r[0] for r in results] == [200, 200]
    assert results[0][1]["id"] == results[1][1]["id"] == str(match.id)
    with Session(engine) as s:
        events = s.scalar(
            select(func.count())
            .select_from(MatchEvent)
            .where(MatchEvent.match_id == match.id, MatchEvent.to_status == "approved")
        )
    assert events == 1


@pytest.fixture()
def busy(app: Flask, engine: Engine) -> Iterator[dict[str, Any]]:
    """Four small opportunities (one auto-approved kind), people with requests waiting."""
    rng = random.Random(11)  # noqa: S311 - test data
    now = datetime.now(UTC)
    with Session(engine, expire_on_commit=False) as s:
        m = create_municipality(s)
        policy = s.get(Policy, m.id)
        assert policy is not None
        policy.settings = {"auto_approve_kinds": ["language_course"], "max_requests_per_day": 50}
        team = create_team(s, municipality=m)
        coach = create_user(s, municipality=m, role="coach")
        org = create_user(s, municipality=m, role="organizer", team=team)
        opps = [create_opportunity(s, team=team, capacity=2, title=f"Klus {i}") for i in range(3)]
        opps.append(
            create_opportunity(
                s,
                team=team,
                capacity=2,
                kind="language_course",
                teaches_level="B2",
                min_dutch_level="B1",
                title="NT2 B2",
            )
        )
        people = [create_user(s, municipality=m, role="recipient", coach=coach) for _ in range(8)]
        matches = [
            create_match(
                s,
                person=p,
                opportunity=o,
                history=[("requested", now - timedelta(days=rng.randint(1, 30)))],
            )
            for p in people
            for o in opps[:3]
        ]
        data: dict[str, Any] = {
            "m": m,
            "opps": opps,
            "people": [(p.id, auth_headers(app, s, p)) for p in people],
            "matches": [(x.id, x.recipient_id) for x in matches],
            "coach": auth_headers(app, s, coach),
            "org": auth_headers(app, s, org),
        }
        s.commit()
    yield data
    with Session(engine) as s:
        s.delete(s.get(Municipality, data["m"].id))
        s.commit()


def test_random_concurrent_steps_keep_places_taken_exact(app: Flask, engine: Engine, busy) -> None:
    """Approve, withdraw, confirm, complete, reject, request, expire and erase at once: every
    opportunity's counter equals its approved + active matches and never passes capacity."""
    headers = dict(busy["people"])
    matches = list(busy["matches"])  # (match id, person id); requests made below are added
    erased = busy["people"][-1][0]
    codes: list[int] = []
    done: list[str] = []
    failures: list[BaseException] = []
    lock = threading.Lock()

    def post(client: Any, url: str, h: dict[str, str], **kw: Any) -> Any:
        resp = client.open(url, method=kw.pop("method", "POST"), headers=h, **kw)
        with lock:  # the erased person's token stops working (401): expected, so not counted
            if not (resp.status_code == 401 and h is headers[erased]):
                codes.append(resp.status_code)
        return resp

    def one_step(rng: random.Random, client: Any) -> None:
        with lock:
            mid, pid = rng.choice(matches)
        kind = rng.choice(
            ("approve", "approve", "withdraw", "confirm", "complete", "reject", "request", "expire")
        )
        with lock:
            done.append(kind)
        if kind == "approve":
            post(client, f"/v1/matches/{mid}/approve", busy["coach"])
        elif kind == "withdraw":
            post(client, f"/v1/me/matches/{mid}/withdraw", headers[pid])
        elif kind == "confirm":
            post(client, f"/v1/matches/{mid}/confirm", busy["org"])
        elif kind == "complete":
            post(client, f"/v1/matches/{mid}/complete", rng.choice((busy["org"], busy["coach"])))
        elif kind == "reject":
            post(client, f"/v1/matches/{mid}/reject", busy["org"], json={"reason": "Vol"})
        elif kind == "request":
            pid = rng.choice([p for p in headers if p != erased])
            opp = rng.choice(busy["opps"])
            resp = post(client, "/v1/me/matches", headers[pid], json={"opportunityId": str(opp.id)})
            if resp.status_code == 201:
                with lock:
                    matches.append((resp.get_json()["id"], pid))
        else:
            with Session(engine) as s:
                expire_stale_requests(
                    s, now=datetime.now(UTC), municipality_id=busy["m"].id, days=rng.randint(5, 30)
                )
                s.commit()

    def worker(i: int, barrier: threading.Barrier) -> None:
        rng = random.Random(1000 + i)  # noqa: S311 - test data
        client = app.test_client()
        barrier.wait()
        try:
            for n in range(30):
                if i == 0 and n == 10:  # one person erases their data halfway
                    post(client, "/v1/me", headers[erased], method="DELETE")
                    continue
                one_step(rng, client)
        except BaseException as exc:  # noqa: BLE001 - reported below, from the main thread
            failures.append(exc)

    barrier = threading.Barrier(6)
    threads = [threading.Thread(target=worker, args=(i, barrier)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    assert failures == []
    assert len(done) == 6 * 30 - 1 and "expire" in done  # all but the erasure
    assert set(codes) <= {200, 201, 204, 404, 409}, sorted(set(codes))
    assert 200 in codes and 201 in codes and 409 in codes and 204 in codes

    with Session(engine) as s:
        rows = s.execute(
            select(Opportunity.places_taken, Opportunity.capacity, func.count(Match.id))
            .outerjoin(
                Match,
                (Match.opportunity_id == Opportunity.id) & Match.status.in_(TAKES_A_PLACE),
            )
            .where(Opportunity.municipality_id == busy["m"].id)
            .group_by(Opportunity.id)
        ).all()
        assert len(rows) == 4
        for taken, capacity, counted in rows:
            assert taken == counted <= capacity
        statuses = set(s.scalars(select(Match.status).where(Match.municipality_id == busy["m"].id)))
        assert len(statuses) >= 4  # the steps really happened, not just refusals
        last_steps = s.execute(
            select(Match.status, MatchEvent.to_status)
            .join(MatchEvent, MatchEvent.match_id == Match.id)
            .where(
                Match.municipality_id == busy["m"].id,
                MatchEvent.at
                == select(func.max(MatchEvent.at))
                .where(MatchEvent.match_id == Match.id)
                .correlate(Match)
                .scalar_subquery(),
            )
        ).all()
        assert last_steps and all(status == last for status, last in last_steps)
