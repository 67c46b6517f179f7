"""p50/p95 server time of the console's "Mijn mensen" page for a coach with 350 people.

Run against the national-scale data (`flask --app wsgi seed scale` once):

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/meedoen_scale \\
        .venv/bin/python -m bench.console_caseload

Read-only: everything runs in one transaction that is rolled back at the end (the audit rows each
page view writes, the sign-in). When the database has no console_sessions table yet (not migrated
to this revision) a temporary one stands in for it, so the bench needs no migration either.
The page is requested through the whole Flask stack in-process: the times are server time.
"""

from __future__ import annotations

import hashlib
import secrets
import sys
import uuid

from sqlalchemy import inspect, select, text
from sqlalchemy.orm import Session, sessionmaker

from api.app import create_app
from api.auth.models import TokenFamily
from api.auth.security import Actor
from api.caseload import service as caseload
from api.config import Settings
from api.console.models import ConsoleSession
from api.console.web import COOKIE
from api.db import make_engine, utcnow
from api.users.models import User
from bench._common import summary, timed

_TEMP_TABLE = """
CREATE TEMP TABLE console_sessions (
    id uuid PRIMARY KEY, token_hash varchar(64) NOT NULL UNIQUE, user_id uuid NOT NULL,
    family_id uuid NOT NULL, role varchar(20) NOT NULL, municipality_id uuid NOT NULL,
    team_id uuid, csrf_secret varchar(64) NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(), last_seen_at timestamptz NOT NULL,
    notices jsonb NOT NULL
) ON COMMIT DROP
"""


def main(runs: int = 200) -> None:
    settings = Settings.from_env()
    settings = Settings.from_env(
        {
            "DATABASE_URL": settings.database_url,
            "JWT_SECRET_KEY": settings.jwt_secret_key,
            "RATE_LIMITS": "off",
        }
    )
    engine = make_engine(settings.database_url, pool_size=2)
    conn = engine.connect()
    outer = conn.begin()
    try:
        if not inspect(conn).has_table("console_sessions"):
            conn.execute(text(_TEMP_TABLE))
        app = create_app(settings, engine=engine)
        factory = sessionmaker(
            bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False
        )
        app.extensions["meedoen_sessionmaker"] = factory
        with factory() as s:
            coach = _busiest_coach(s)
            facts = s.execute(
                text(
                    "select (select count(*) from users where role = 'recipient'),"
                    " (select count(*) from matches), (select count(*) from checkins)"
                )
            ).one()
            people = s.scalar(
                select(text("count(*)")).select_from(User).where(User.coach_id == coach.id)
            )
            token = _console_session(s, coach)
            s.commit()  # a savepoint of the outer transaction
        print(
            f"data: {facts[0]} recipients, {facts[1]} matches, {facts[2]} check-ins; "
            f"coach {coach.email} with {people} people"
        )
        client = app.test_client()
        client.set_cookie(COOKIE, token, path="/console")
        first = client.get("/console/mensen")
        assert first.status_code == 200, first.status_code
        html = first.get_data(as_text=True)
        cursor = html.split('rel="next" href="/console/mensen?cursor=')[1].split('"')[0]
        for url in (
            "/console/mensen",
            "/console/mensen?flag=request_waiting",
            f"/console/mensen?cursor={cursor}",
        ):

            def one(url: str = url) -> None:
                resp = client.get(url)
                assert resp.status_code == 200, resp.status_code

            print(summary(f"GET {url[:60]}", timed(one, runs=runs)))
        actor = Actor(coach.id, coach.role, coach.municipality_id, coach.team_id)
        with app.test_request_context("/console/mensen"), factory() as s:

            def service_only() -> None:
                caseload.caseload(s, actor=actor, limit=25)
                s.rollback()  # only this call's savepoint

            print(
                summary(
                    "  of which the caseload service (SQL + audit)", timed(service_only, runs=runs)
                )
            )
    finally:
        outer.rollback()
        conn.close()
        engine.dispose()


def _busiest_coach(s: Session) -> User:
    coach_id = s.scalar(
        text(
            "select c.id from users c join users r on r.coach_id = c.id"
            " where c.role = 'coach' and c.email like '%@scale.example.org'"
            " group by c.id, c.email order by count(r.id) desc, c.email limit 1"
        )
    )
    if coach_id is None:
        sys.exit("No scale data: run `flask --app wsgi seed scale` first.")
    coach = s.get(User, coach_id)
    assert coach is not None
    return coach


def _console_session(s: Session, coach: User) -> str:
    """A signed-in console session without the sign-in form (no password, no user row update)."""
    family = TokenFamily(id=uuid.uuid4(), user_id=coach.id)
    s.add(family)
    s.flush()
    token = secrets.token_urlsafe(32)
    s.add(
        ConsoleSession(
            token_hash=hashlib.sha256(token.encode()).hexdigest(),
            user_id=coach.id,
            family_id=family.id,
            role=coach.role,
            municipality_id=coach.municipality_id,
            team_id=coach.team_id,
            csrf_secret=secrets.token_urlsafe(32),
            last_seen_at=utcnow(),
            notices=[],
        )
    )
    s.flush()
    return token


if __name__ == "__main__":
    main()
