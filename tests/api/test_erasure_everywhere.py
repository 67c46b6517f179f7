"""After erasure no table holds the person's name, e-mail or words, and no stored reply returns them.

The search is generic: every text, varchar, JSON(B) and text-array column of every table, as the
database's catalogue lists them, so a table added later is searched without touching this test.
Tables that belong to an extension (PostGIS's spatial_ref_sys: 8,500 map projections) are its
reference data, not ours, and are left out.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from api.core.time import local_date
from api.nudges.dispatcher import dispatch_batch
from api.nudges.outbox import PlanStats
from api.nudges.planners import run_planners
from api.nudges.providers import LogPushProvider
from api.privacy.erasure import erase_people
from api.users.models import User
from tests.factories import (
    auth_headers,
    create_match,
    create_municipality,
    create_opportunity,
    create_profile,
    create_team,
    create_user,
)

TEXT_COLUMNS = """
SELECT c.table_name, c.column_name
FROM information_schema.columns c
JOIN information_schema.tables t
  ON t.table_schema = c.table_schema AND t.table_name = c.table_name
WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
  AND (c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb')
       OR (c.data_type = 'ARRAY' AND c.udt_name IN ('_text', '_varchar', '_bpchar')))
  AND NOT EXISTS (  -- an extension's own table (PostGIS's spatial_ref_sys)
    SELECT 1 FROM pg_depend d
    JOIN pg_class r ON r.oid = d.objid
    JOIN pg_namespace n ON n.oid = r.relnamespace
    WHERE d.classid = 'pg_class'::regclass AND d.deptype = 'e'
      AND r.relname = c.table_name AND n.nspname = c.table_schema)
ORDER BY c.table_name, c.column_name
"""


def _dutch_today() -> date:
    """Plans take Dutch calendar days (between 23:00 and 24:00 UTC the UTC day is yesterday)."""
    return local_date(datetime.now(UTC))


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def find_anywhere(session: Session, needles: list[str]) -> dict[str, list[str]]:
    """{table.column: [needles found]} over every text-like column of every table."""
    columns = session.execute(text(TEXT_COLUMNS)).all()
    assert len(columns) > 30  # the catalogue query sees the schema (users, matches, audit, ...)
    patterns = [f"%{_escape_like(n)}%" for n in needles]
    found: dict[str, list[str]] = {}
    for table, column in columns:
        hits = session.scalars(
            text(
                "SELECT i FROM generate_subscripts(CAST(:patterns AS text[]), 1) i "
                f'WHERE EXISTS (SELECT 1 FROM "{table}" WHERE "{column}"::text '  # noqa: S608
                "ILIKE (CAST(:patterns AS text[]))[i])"
            ),
            {"patterns": patterns},
        ).all()
        if hits:
            found[f"{table}.{column}"] = [needles[i - 1] for i in hits]
    return found


def _plan(session: Session, name: str, now: datetime) -> None:
    run_planners(session, name, now=now, stats=PlanStats.empty())
    session.flush()


@pytest.fixture()
def story(app, client, session: Session) -> dict[str, Any]:
    """A person with a full history: invited, matches with messages and decisions, check-ins
    with notes, a coach's assessment and suggestion, inbox messages for them and about them
    (coach, organiser), a phone, and replies kept under idempotency keys (theirs and the coach's).
    """
    tag = uuid.uuid4().hex[:10]
    now = datetime.now(UTC)
    m = create_municipality(session)
    team = create_team(session, municipality=m)
    coach = create_user(session, municipality=m, role="coach", name="Coach Vermeer")
    org = create_user(session, municipality=m, role="organizer", team=team)
    ch = auth_headers(app, session, coach)
    oh = auth_headers(app, session, org)
    first = f"Zq{tag}"
    name = f"{first} Vlasbloem"
    email = f"zq.{tag}@example.org"
    invited = client.post(
        "/v1/invitations", json={"recipientName": name, "email": email}, headers=ch
    )
    assert invited.status_code == 201
    body = invited.get_json()
    registered = client.post(
        "/v1/auth/register",
        json={"inviteCode": body["inviteCode"], "email": email, "password": "blauwe fiets regen"},
    )
    assert registered.status_code == 201, registered.get_json()
    h = {"Authorization": f"Bearer {registered.get_json()['accessToken']}"}
    person = session.get(User, uuid.UUID(body["recipientId"]))
    assert person is not None
    profile = create_profile(session, user=person)
    profile.display_name = first
    profile.shared_contact = f"06-{tag}"
    # quiet for weeks: the coach's weekly digest names them
    person.created_at = now - timedelta(weeks=12)
    person.last_login_at = now - timedelta(weeks=10)
    session.flush()
    _plan(session, "coach_digests", now)
    opps = [create_opportunity(session, team=team, title=f"Klus {i}") for i in range(4)]
    texts = {
        "message": f"Ik kook graag met anderen {tag}",
        "decline": f"Past nu niet bij {first}, sorry",
        "note": f"Privé notitie over mijn week {tag}",
        "assessment": f"Nog wat steun nodig {tag}",
        "suggestion": f"Dit lijkt me iets voor jou {tag}",
        "waiting": f"Wacht op de coach {tag}",
        "step": f"Langs bij de bibliotheek {tag}",
        "why": f"Dan ken ik meer mensen {tag}",
        "dropped": f"Mijn moeder is ziek {tag}",
    }
    # 1: asked, approved by the coach under an idempotency key, started
    mid = client.post(
        "/v1/me/matches",
        json={"opportunityId": str(opps[0].id), "message": texts["message"]},
        headers={**h, "Idempotency-Key": "mine-1"},
    ).get_json()["id"]
    approve = client.post(
        f"/v1/matches/{mid}/approve", headers={**ch, "Idempotency-Key": "coach-approve"}
    )
    assert approve.status_code == 200 and texts["message"] in approve.get_data(as_text=True)
    assert client.post(f"/v1/matches/{mid}/confirm", headers=oh).status_code == 200
    # 2: asked, declined with a reason that names them
    mid2 = client.post(
        "/v1/me/matches",
        json={"opportunityId": str(opps[1].id), "message": texts["waiting"]},
        headers=h,
    ).get_json()["id"]
    decline = client.post(
        f"/v1/matches/{mid2}/decline", json={"reason": texts["decline"]}, headers=ch
    )
    assert decline.status_code == 200
    # 3: the coach suggests one, with a note
    suggested = client.post(
        f"/v1/caseload/{person.id}/suggestions",
        json={"opportunityId": str(opps[2].id), "note": texts["suggestion"]},
        headers=ch,
    )
    assert suggested.status_code == 201, suggested.get_json()
    # 4: waiting for days (the coach hears of it), 5: approved, not started (the organiser does)
    waiting = create_match(
        session,
        person=person,
        opportunity=opps[3],
        history=[("requested", now - timedelta(days=4))],
    )
    waiting.message = texts["waiting"]
    create_match(
        session,
        person=person,
        opportunity=create_opportunity(session, team=team, title="Klus 5"),
        history=[("requested", now - timedelta(days=10)), ("approved", now - timedelta(days=8))],
    )
    session.flush()
    for planner in ("request_followups", "approved_not_started", "checkin_prompts"):
        _plan(session, planner, now)
    dispatch_batch(session, now=now + timedelta(days=2), provider=LogPushProvider())
    # check-ins with notes, kept under their own idempotency key
    for i, key in enumerate(("ci-1", "ci-2")):
        ci = client.post(
            "/v1/me/checkins",
            json={
                "date": (date.today() - timedelta(days=i)).isoformat(),
                "hours": 2,
                "wellbeing": 4,
                "note": texts["note"],
                "ladderStep": 3,
            },
            headers={**h, "Idempotency-Key": key},
        )
        assert ci.status_code == 201, ci.get_json()
    # a plan: the coach proposes a step in the person's words; the person drops one of their own
    step = client.post(
        f"/v1/caseload/{person.id}/steps",
        json={"what": texts["step"], "why": texts["why"], "dueOn": _dutch_today().isoformat()},
        headers=ch,
    )
    assert step.status_code == 201, step.get_json()
    own = client.post(
        "/v1/me/steps", json={"kind": "make_cv", "dueOn": _dutch_today().isoformat()}, headers=h
    ).get_json()
    dropped = client.patch(
        f"/v1/me/steps/{own['id']}",
        json={"status": "dropped", "reason": texts["dropped"]},
        headers=h,
    )
    assert dropped.status_code == 200
    assessed = client.post(
        f"/v1/caseload/{person.id}/ladder-assessments",
        json={"step": 3, "note": texts["assessment"]},
        headers=ch,
    )
    assert assessed.status_code == 201
    assert (
        client.post(
            "/v1/me/devices", json={"platform": "android", "pushToken": f"fcm-{tag}"}, headers=h
        ).status_code
        == 201
    )
    assert client.get(f"/v1/caseload/{person.id}", headers=ch).status_code == 200
    # another coach tries to look: denied, and the attempt names the person
    nosy = create_user(session, municipality=m, role="coach")
    assert (
        client.get(
            f"/v1/caseload/{person.id}", headers=auth_headers(app, session, nosy)
        ).status_code
        == 404
    )
    session.flush()
    return {
        "m": m,
        "person": person,
        "h": h,
        "ch": ch,
        "coach": coach,
        "mid": mid,
        "needles": [tag, name, first, email, str(person.id), *texts.values()],
    }


@pytest.mark.parametrize("who", ["person", "coach at the desk", "retention, with others"])
def test_erasure_leaves_no_text_about_the_person_in_any_table(
    client, session: Session, story, who: str
) -> None:
    before = find_anywhere(session, story["needles"])
    # the search works: the story left the person's words in many places, including other
    # people's stored replies and inboxes
    for place in (
        "users.name",
        "users.email",
        "matches.message",
        "matches.coach_note",
        "matches.decision_reason",
        "match_events.reason",
        "checkins.note",
        "ladder_entries.note",
        "plan_steps.what",
        "plan_steps.why",
        "plan_steps.drop_reason",
        "plan_step_events.reason",
        "nudges.params",
        "inbox_messages.body",
        "idempotency_keys.body",
        "recipient_profiles.display_name",
        "audit_events.object_id",
    ):
        assert place in before, place
    replay = client.post(
        f"/v1/matches/{story['mid']}/approve",
        headers={**story["ch"], "Idempotency-Key": "coach-approve"},
    )
    assert replay.headers.get("Idempotent-Replayed") == "true"
    assert story["needles"][0] in replay.get_data(as_text=True)

    if who == "person":
        erased = client.delete("/v1/me", headers=story["h"])
    elif who == "coach at the desk":
        erased = client.delete(f"/v1/caseload/{story['person'].id}", headers=story["ch"])
    if who == "retention, with others":
        # the retention job erases everyone due in one go: the same effects for each of them
        m = story["m"]
        other = create_user(session, municipality=m, role="recipient", coach=story["coach"])
        waits = create_match(
            session,
            person=other,
            opportunity=create_opportunity(session, team=create_team(session, municipality=m)),
            history=[("requested", datetime.now(UTC) - timedelta(days=3))],
        )
        session.flush()
        assert erase_people(session, user_ids=[story["person"].id, other.id, other.id]) == 2
        session.expire_all()
        assert session.get(User, other.id) is None
        assert waits.recipient_id is None and waits.status == "withdrawn"
    else:
        assert erased.status_code == 204
    session.expire_all()

    assert find_anywhere(session, story["needles"]) == {}
    # the coach's retry no longer replays the person's words: it acts anew and finds nobody
    again = client.post(
        f"/v1/matches/{story['mid']}/approve",
        headers={**story["ch"], "Idempotency-Key": "coach-approve"},
    )
    assert again.status_code != 200
    assert again.headers.get("Idempotent-Replayed") is None
    assert story["needles"][0] not in again.get_data(as_text=True)
    assert find_anywhere(session, story["needles"]) == {}
