"""Done when: a coach proposes a step, the person agrees, a due-date reminder arrives once (and
not in quiet hours), a check-in closes it, and the caseload flags move."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.auth.security import Actor
from api.caseload.service import caseload
from api.core.time import AMSTERDAM
from api.nudges.dispatcher import dispatch_batch
from api.nudges.models import InboxMessage, Nudge
from api.nudges.outbox import PlanStats
from api.nudges.planners import run_planners
from api.nudges.providers import LogPushProvider
from tests.factories import auth_headers, create_municipality, create_profile, create_user


def _local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=AMSTERDAM).astimezone(UTC)


def _plan(session: Session, at: datetime) -> PlanStats:
    stats = PlanStats.empty()
    run_planners(session, "step_reminders", now=at, stats=stats)
    session.flush()
    return stats


def _inbox(session: Session, user_id: Any) -> list[InboxMessage]:
    return list(
        session.scalars(
            select(InboxMessage)
            .where(InboxMessage.user_id == user_id, InboxMessage.kind == "step_due")
            .order_by(InboxMessage.created_at)
        )
    )


def test_a_step_from_proposal_to_done_with_one_kind_reminder(app, client, session: Session) -> None:
    m = create_municipality(session)
    coach = create_user(session, municipality=m, role="coach")
    person = create_user(session, municipality=m, role="recipient", coach=coach, name="Amina B")
    create_profile(session, user=person, language="nl")
    now = datetime.now(UTC)
    person.created_at = now - timedelta(weeks=10)
    person.last_login_at = now
    session.flush()
    coach_h, person_h = auth_headers(app, session, coach), auth_headers(app, session, person)
    as_coach = Actor(coach.id, "coach", m.id, None)

    def flags(at: datetime) -> list[str]:
        items = caseload(session, actor=as_coach, now=at).items
        return next(i["flags"] for i in items if i["recipient_id"] == person.id)

    assert "no_agreed_step" in flags(now)

    # the coach proposes a small step; the person says yes
    due = date.today() + timedelta(days=2)
    proposed = client.post(
        f"/v1/caseload/{person.id}/steps",
        json={"kind": "make_cv", "dueOn": due.isoformat(), "why": "Dan kun je solliciteren"},
        headers=coach_h,
    )
    assert proposed.status_code == 201
    step_id = proposed.get_json()["id"]
    assert "no_agreed_step" in flags(now)  # proposed is not agreed yet
    agreed = client.patch(f"/v1/me/steps/{step_id}", json={"status": "agreed"}, headers=person_h)
    assert agreed.status_code == 200 and agreed.get_json()["status"] == "agreed"
    assert "no_agreed_step" not in flags(now)

    # the evening before: planned in quiet hours, so it waits for the morning
    evening = _local(due - timedelta(days=1), 22, 30)
    assert _plan(session, evening).created == {"step_due": 1}
    nudge = session.scalars(select(Nudge).where(Nudge.user_id == person.id)).one()
    assert nudge.due_at == _local(due, 8, 0)
    provider = LogPushProvider()
    dispatch_batch(session, now=evening + timedelta(minutes=15), provider=provider)
    assert _inbox(session, person.id) == []
    # the morning: delivered, once, in kind words
    morning = _local(due, 8, 5)
    dispatch_batch(session, now=morning, provider=provider)
    assert _plan(session, morning).created == {}  # planned again: nothing new
    dispatch_batch(session, now=morning + timedelta(minutes=30), provider=provider)
    inbox = _inbox(session, person.id)
    assert len(inbox) == 1
    assert "een cv maken" in inbox[0].body and "nieuwe datum" in inbox[0].body
    assert inbox[0].title == "Een kleine herinnering"

    # weeks past the date without news: the coach sees it
    three_weeks_late = _local(due + timedelta(weeks=3), 10)
    assert "step_late_weeks" in flags(three_weeks_late)
    assert "step_late_weeks" not in flags(now)

    # a check-in reports the CV; the person confirms the suggestion
    checkin = {
        "date": date.today().isoformat(),
        "hours": 2,
        "wellbeing": 4,
        "stepsTowardWork": ["cv_made"],
    }
    assert client.post("/v1/me/checkins", json=checkin, headers=person_h).status_code == 201
    mine = client.get("/v1/me/steps", headers=person_h).get_json()["items"][0]
    assert mine["suggestedDone"]["source"] == "checkin"
    done = client.patch(f"/v1/me/steps/{step_id}", json={"suggestedDone": True}, headers=person_h)
    assert done.get_json()["status"] == "done"

    # the flags move: nothing late any more; a new step is expected after the policy's weeks
    assert "step_late_weeks" not in flags(three_weeks_late)
    assert "no_agreed_step" not in flags(datetime.now(UTC))
    assert "no_agreed_step" in flags(datetime.now(UTC) + timedelta(weeks=5))
    progress = client.get("/v1/me/progress", headers=person_h).get_json()
    assert sum(p["count"] for p in progress["stepsDonePerMonth"]) == 1


def test_a_paused_person_gets_no_reminder_and_a_new_date_may_bring_one(
    app, client, session: Session
) -> None:
    m = create_municipality(session)
    coach = create_user(session, municipality=m, role="coach")
    person = create_user(session, municipality=m, role="recipient", coach=coach)
    profile = create_profile(
        session, user=person, language="en", nudge_preferences={"paused": True}
    )
    person_h = auth_headers(app, session, person)
    due = date.today() + timedelta(days=1)
    step = client.post(
        "/v1/me/steps",
        json={"what": "Visit the repair café", "dueOn": due.isoformat()},
        headers=person_h,
    ).get_json()
    client.patch(
        f"/v1/caseload/{person.id}/steps/{step['id']}",
        json={"status": "agreed"},
        headers=auth_headers(app, session, coach),
    )
    noon = _local(due, 12)
    assert _plan(session, noon).dropped == {"step_due": 1}
    profile.nudge_preferences = {}
    session.flush()
    assert _plan(session, noon).created == {}  # one per step and date, also when dropped
    later = due + timedelta(days=7)
    assert (
        client.patch(
            f"/v1/me/steps/{step['id']}", json={"dueOn": later.isoformat()}, headers=person_h
        ).status_code
        == 200
    )
    assert _plan(session, _local(later, 12)).created == {"step_due": 1}
    dispatch_batch(session, now=_local(later, 12, 30), provider=LogPushProvider())
    (message,) = _inbox(session, person.id)
    assert message.title == "A small reminder" and "Visit the repair café" in message.body
