"""Real concurrent transactions: the last place goes once, a retried approval acts once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from api.matches.models import Match, MatchEvent
from api.municipalities.models import Municipality
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
        data = {"m": m, "opp": opp, "matches": matches, "headers": headers}
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


def test_six_coaches_approve_the_last_place_at_once(app: Flask, engine: Engine, committed) -> None:  # type: ignore[no-untyped-def]
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
) -> None:  # type: ignore[no-untyped-def]
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
