"""Delivery against real peers: a local push gateway, and two run-due processes at once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from api.municipalities.models import Municipality
from api.nudges.dispatcher import MAX_ATTEMPTS, dispatch_batch
from api.nudges.models import Device, InboxMessage, Nudge
from api.nudges.providers import WebhookPushProvider
from tests.factories import (
    create_match,
    create_municipality,
    create_opportunity,
    create_profile,
    create_team,
    create_user,
)

T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # Wednesday 10:00 in Amsterdam
ROOT = Path(__file__).resolve().parents[2]


class Gateway:
    """A push gateway on localhost that fails the first `failures` requests."""

    def __init__(self, failures: int, port: int = 0) -> None:
        self.failures = failures
        self.received: list[dict[str, Any]] = []
        self.accepted: list[dict[str, Any]] = []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                gateway.received.append(body)
                if len(gateway.received) <= gateway.failures:
                    self.send_response(503)
                else:
                    gateway.accepted.append(body)
                    self.send_response(200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", port), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/push"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


@pytest.fixture()
def pending(session: Session) -> Nudge:
    m = create_municipality(session)
    person = create_user(session, municipality=m, role="recipient")
    session.add(Device(user_id=person.id, platform="android", push_token="device-token-1"))
    nudge = Nudge(
        municipality_id=m.id,
        user_id=person.id,
        kind="checkin_prompt",
        period="F1",
        language="nl",
        params={"name": "Amina", "title": "Koken"},
        status="pending",
        due_at=T0,
        attempts=0,
        created_at=T0,
    )
    session.add(nudge)
    session.flush()
    return nudge


def test_gateway_failing_twice_gets_exactly_one_delivery(session: Session, pending: Nudge) -> None:
    gateway = Gateway(failures=2)
    provider = WebhookPushProvider(gateway.url, timeout=2)
    try:
        assert dispatch_batch(session, now=T0, provider=provider).retried == 1
        assert (
            dispatch_batch(session, now=T0 + timedelta(seconds=10), provider=provider).handled == 0
        )
        assert (
            dispatch_batch(session, now=T0 + timedelta(seconds=30), provider=provider).retried == 1
        )
        assert (
            dispatch_batch(session, now=T0 + timedelta(seconds=60), provider=provider).handled == 0
        )
        assert (
            dispatch_batch(session, now=T0 + timedelta(seconds=90), provider=provider).delivered
            == 1
        )
        for minutes in (5, 60):
            dispatch_batch(session, now=T0 + timedelta(minutes=minutes), provider=provider)
    finally:
        gateway.close()
    assert len(gateway.received) == 3
    assert len(gateway.accepted) == 1
    assert gateway.accepted[0]["tokens"] == ["device-token-1"]
    assert gateway.accepted[0]["title"] == "Hoe gaat het?"
    session.refresh(pending)
    assert pending.status == "delivered" and pending.attempts == 2
    assert session.scalar(select(func.count()).select_from(InboxMessage)) == 1


def test_gateway_down_ends_in_dead_letter_but_the_inbox_has_it(
    session: Session, pending: Nudge
) -> None:
    gateway = Gateway(failures=1000)
    provider = WebhookPushProvider(gateway.url, timeout=2)
    now = T0
    try:
        for _ in range(MAX_ATTEMPTS + 3):
            dispatch_batch(session, now=now, provider=provider)
            now += timedelta(hours=1)
    finally:
        gateway.close()
    session.refresh(pending)
    assert pending.status == "dead" and pending.attempts == MAX_ATTEMPTS
    assert "503" in (pending.last_error or "")
    assert len(gateway.received) == MAX_ATTEMPTS
    assert session.scalar(select(func.count()).select_from(InboxMessage)) == 1


@pytest.fixture()
def committed_world(engine: Engine) -> Iterator[dict[str, Any]]:
    """Committed data that separate processes can see; removed afterwards."""
    with Session(engine, expire_on_commit=False) as s:
        m = create_municipality(s)
        team = create_team(s, municipality=m)
        coach = create_user(s, municipality=m, role="coach")
        create_user(s, municipality=m, role="organizer", team=team)
        opps = [
            create_opportunity(s, team=team, lat=52.38 + i * 0.002, lon=4.85, title=f"Klus {i}")
            for i in range(4)
        ]
        people = []
        for _ in range(12):
            p = create_user(s, municipality=m, role="recipient", coach=coach)
            create_profile(s, user=p, nudge_preferences={"day": 2})
            people.append(p)
        for i, p in enumerate(people[:6]):
            create_match(
                s,
                person=p,
                opportunity=opps[i % 4],
                history=[("requested", T0 - timedelta(days=4 + i))],
            )
        s.commit()
        data = {"m": m}
    yield data
    with Session(engine) as s:
        s.delete(s.get(Municipality, data["m"].id))
        s.commit()


def test_two_run_due_processes_at_the_same_moment_create_each_nudge_once(
    engine: Engine, committed_world: dict[str, Any]
) -> None:
    flask = str(Path(sys.executable).parent / "flask")
    env = {**os.environ, "DATABASE_URL": os.environ["DATABASE_URL"]}
    cmd = [flask, "--app", "wsgi", "nudges", "run-due", "--at", T0.isoformat()]
    procs = [
        subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        for _ in range(2)
    ]
    outputs = [json.loads(p.communicate(timeout=120)[0]) for p in procs]
    assert [p.returncode for p in procs] == [0, 0]
    mid = committed_world["m"].id
    with Session(engine) as s:
        rows = s.execute(
            select(Nudge.user_id, Nudge.kind, Nudge.period, func.count())
            .where(Nudge.municipality_id == mid)
            .group_by(Nudge.user_id, Nudge.kind, Nudge.period)
        ).all()
        inbox = s.scalar(
            select(func.count())
            .select_from(InboxMessage)
            .join(Nudge, Nudge.id == InboxMessage.nudge_id)
            .where(Nudge.municipality_id == mid)
        )
    assert rows and all(count == 1 for *_, count in rows)
    kinds = {kind for _, kind, _, _ in rows}
    assert {"weekly_suggestions", "request_waiting"} <= kinds
    created = sum(
        sum(stats["created"].values())
        for out in outputs
        for stats in out["planned"].values()
        if isinstance(stats, dict)
    )
    assert created == len(rows)
    assert inbox == len(rows)
    # and a third run later the same day adds nothing
    again = subprocess.run(
        [*cmd[:-1], (T0 + timedelta(hours=2)).isoformat()],
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=120,
        check=True,
    )
    third = json.loads(again.stdout)
    assert all(sum(s["created"].values()) == 0 for s in third["planned"].values())


def test_dispatcher_threads_drain_a_backlog_delivering_each_message_once(
    app: Any, engine: Engine
) -> None:
    """Several dispatcher threads on one backlog: every message in the inbox once, pushed once."""
    from api.nudges.jobs import run_dispatcher
    from api.nudges.providers import PushMessage, PushOutcome

    class Counting:
        """A provider that counts what reached each device (from any thread)."""

        def __init__(self) -> None:
            self.lock = threading.Lock()
            self.reached: list[tuple[str, str]] = []

        def send(self, devices: Any, message: PushMessage) -> PushOutcome:
            with self.lock:
                self.reached += [(d.token, message.data["nudgeId"]) for d in devices]
            return PushOutcome(delivered=[d.token for d in devices])

    with Session(engine, expire_on_commit=False) as s:
        m = create_municipality(s)
        people = [create_user(s, municipality=m, role="recipient") for _ in range(30)]
        for p in people[::2]:  # half have a phone
            s.add(Device(user_id=p.id, platform="android", push_token=f"tok-{p.id}"))
        s.flush()
        for p in people:
            for week in range(25):
                s.add(
                    Nudge(
                        municipality_id=m.id,
                        user_id=p.id,
                        kind="weekly_suggestions",
                        period=f"2026-W{week:02d}",
                        language="nl",
                        params={"name": "Sam", "count": 2, "first": "Taalcafé"},
                        due_at=T0 - timedelta(minutes=week),
                    )
                )
        s.commit()
    provider = Counting()
    try:
        stats = run_dispatcher(app, T0, provider, batch=40, workers=3)
        assert stats.delivered == 750 and stats.retried == stats.dead == 0
        assert len(provider.reached) == len(set(provider.reached)) == 15 * 25
        with Session(engine) as s:
            by_status = {
                status: n
                for status, n in s.execute(
                    select(Nudge.status, func.count())
                    .where(Nudge.municipality_id == m.id)
                    .group_by(Nudge.status)
                )
            }
            inbox = s.scalars(
                select(InboxMessage.nudge_id)
                .join(Nudge, Nudge.id == InboxMessage.nudge_id)
                .where(Nudge.municipality_id == m.id)
            ).all()
        assert by_status == {"delivered": 750}
        assert len(inbox) == len(set(inbox)) == 750
    finally:
        with Session(engine) as s:
            s.delete(s.get(Municipality, m.id))
            s.commit()


def _weekly(m: Municipality, person: Any, period: str) -> Nudge:
    return Nudge(
        municipality_id=m.id,
        user_id=person.id,
        kind="weekly_suggestions",
        period=period,
        language="nl",
        params={"name": "Sam", "count": 2, "first": "Taalcafé"},
        due_at=T0 - timedelta(minutes=1),
    )


def test_the_dispatcher_process_delivers_while_planning_goes_on(app: Any, engine: Engine) -> None:
    """run-due's dispatcher (its own process) sends what was committed while the caller is still
    planning, and on leaving what was committed last; each message pushed once, in the inbox once."""
    from api.nudges.jobs import dispatching_alongside

    gateway = Gateway(failures=0)
    with Session(engine, expire_on_commit=False) as s:
        m = create_municipality(s)
        people = [create_user(s, municipality=m, role="recipient") for _ in range(2)]
        for p in people:
            s.add(Device(user_id=p.id, platform="android", push_token=f"tok-{p.id}"))
        first = _weekly(m, people[0], "2026-W47")
        s.add(first)
        s.commit()
    try:
        with dispatching_alongside(app, T0, WebhookPushProvider(gateway.url)) as stats:
            status = "pending"
            for _ in range(200):  # up to 20 s: the other process delivers the first meanwhile
                with Session(engine) as s:
                    status = s.scalar(select(Nudge.status).where(Nudge.id == first.id)) or ""
                if status == "delivered":
                    break
                threading.Event().wait(0.1)
            assert status == "delivered"
            with Session(engine, expire_on_commit=False) as s:
                last = _weekly(m, people[1], "2026-W48")
                s.add(last)
                s.commit()
        assert (stats.delivered, stats.retried, stats.dead) == (2, 0, 0)
        pushed = sorted(body["data"]["nudgeId"] for body in gateway.accepted)
        assert pushed == sorted([str(first.id), str(last.id)])
        with Session(engine) as s:
            inbox = s.scalars(
                select(InboxMessage.nudge_id)
                .join(Nudge, Nudge.id == InboxMessage.nudge_id)
                .where(Nudge.municipality_id == m.id)
            ).all()
        assert len(inbox) == 2 and set(inbox) == {first.id, last.id}
    finally:
        gateway.close()
        with Session(engine) as s:
            s.delete(s.get(Municipality, m.id))
            s.commit()


def test_a_failing_dispatcher_process_fails_the_run_and_sends_nothing(
    app: Any, engine: Engine
) -> None:
    from api.nudges.jobs import dispatching_alongside
    from api.nudges.providers import PushMessage, PushOutcome

    class Broken:
        def send(self, devices: Any, message: PushMessage) -> PushOutcome:
            raise ValueError("the provider's code has a bug")

    with Session(engine, expire_on_commit=False) as s:
        m = create_municipality(s)
        person = create_user(s, municipality=m, role="recipient")
        s.add(Device(user_id=person.id, platform="android", push_token=f"tok-{person.id}"))
        nudge = _weekly(m, person, "2026-W47")
        s.add(nudge)
        s.commit()
    try:
        with (
            pytest.raises(RuntimeError, match="the provider's code has a bug"),
            dispatching_alongside(app, T0, Broken()),
        ):
            pass
        with Session(engine) as s:
            assert s.scalar(select(Nudge.status).where(Nudge.id == nudge.id)) == "pending"
            assert not s.scalar(
                select(func.count())
                .select_from(InboxMessage)
                .where(InboxMessage.nudge_id == nudge.id)
            )
    finally:
        with Session(engine) as s:
            s.delete(s.get(Municipality, m.id))
            s.commit()
